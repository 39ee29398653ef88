/**
 * Route tables and requests for comparing two ways of finding a route: patterns drawn from a few
 * segment names so that they overlap (`*`, trailing `**`, the `*` method, duplicates, and the odd
 * entries the policy must skip), each route with a scope of its own (`route:<position>`), so a
 * decision's reason names the route that won; and requests for those patterns and near them.
 */
import { generator } from "./random.js";

export interface Route {
  method: unknown;
  path?: unknown;
  scope?: string;
  public?: true;
}

/** One request to evaluate: the input document the sidecar would build. */
export type RouteInput = Record<string, unknown>;

const METHODS = ["GET", "GET", "POST", "PUT", "DELETE", "*"];
const TENANTS = ["acme", "globex"];

/** Entries the index must treat as trying every route does. */
const ODD_ROUTES: Route[] = [
  { method: "GET", path: "/", scope: "odd:root" },
  { method: "GET", path: "a/b", scope: "odd:no-leading-slash" },
  { method: "GET", path: "/x/**/y", scope: "odd:inner-double-star" },
  { method: 7, path: "/a", scope: "odd:method-not-a-string" },
  { method: "GET", path: ["a"], scope: "odd:path-not-a-string" },
  { method: "GET", scope: "odd:no-path" },
];

/** Identities the sidecar could send (input.identity), from anonymous to a platform admin. */
export const CALLERS: Record<string, unknown>[] = [
  { authenticated: false, methods: [] },
  jwtCaller(["viewer"], "acme"),
  jwtCaller(["support"], "globex"),
  jwtCaller(["admin"], "acme"),
  {
    authenticated: true,
    methods: ["x509-svid"],
    subject: "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
    spiffe: {
      id: "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
      trust_domain: "prod.openclaw.internal",
    },
  },
];

function jwtCaller(roles: string[], tenant: string): Record<string, unknown> {
  return {
    authenticated: true,
    methods: ["jwt"],
    subject: "u",
    jwt: { claims: { roles, tenant } },
  };
}

/**
 * `size` routes from segment names `names` (more names, fewer duplicates), the odd entries among
 * them; one in seven public, the rest each with its own scope.
 */
export function randomRoutes(seed: number, size: number, names: string[]): Route[] {
  const random = generator(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const routes: Route[] = [];
  for (let position = 0; position < size; position++) {
    // A name first but in a few routes: a table of `/*/**`s would be won by its first few.
    const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, n) =>
      random() < (n === 0 ? Math.min(0.05, 2 / size) : 0.25) ? "*" : pick(names),
    );
    if (random() < 0.2) segments.push("**");
    const route: Route = { method: pick(METHODS), path: `/${segments.join("/")}` };
    if (random() < 1 / 7) route.public = true;
    else route.scope = `route:${position}`;
    routes.push(route);
  }
  for (const [n, odd] of ODD_ROUTES.entries()) routes.splice(Math.floor((n * size) / 6), 0, odd);
  return routes;
}

/**
 * `count` inputs: most ask for a route of the table (wildcards filled, sometimes with another
 * method or one segment changed), the rest for a random path; each from one of CALLERS in turn.
 */
export function requestsFor(seed: number, routes: Route[], count: number, names: string[]) {
  const random = generator(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = [...names, ...TENANTS, "api", "v1", "tenants"];
  const inputs: RouteInput[] = [];
  for (let n = 0; n < count; n++) {
    const route = pick(routes);
    let method = typeof route.method === "string" && route.method !== "*" ? route.method : "GET";
    let segments: string[];
    if (random() < 0.7 && typeof route.path === "string") {
      segments = route.path
        .replace(/^\/+/, "")
        .split("/")
        .flatMap((p) =>
          p === "*" ? [pick(words)] : p === "**" ? words.slice(0, Math.floor(random() * 3)) : [p],
        );
      if (random() < 0.2 && segments.length > 0)
        segments[Math.floor(random() * segments.length)] = pick(words);
      if (random() < 0.3) method = pick(METHODS);
    } else {
      segments = Array.from({ length: Math.floor(random() * 6) }, () => pick(words));
      method = pick(METHODS);
    }
    inputs.push(input(method, segments, CALLERS[n % CALLERS.length] as object));
  }
  return inputs;
}

/** The input document for METHOD /segments… (canonical paths: `parsed_path` is the segments). */
export function input(method: string, segments: string[], identity: object): RouteInput {
  const path = `/${segments.join("/")}`;
  return {
    attributes: {
      request: { http: { method, path } },
      contextExtensions: { region: "eu-west-1" },
    },
    parsed_path: path === "/" ? [""] : segments,
    identity,
  };
}
