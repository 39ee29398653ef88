/**
 * Non-canonical paths never match a route (docs/canonical-paths.md): the real sidecar with the
 * shipped policy, real gRPC, real ES256 tokens. Generated spellings of `.`, `..`, `/`, `\`, `;`,
 * NUL, fullwidth dots, overlong UTF-8, double encoding and trailing dots or spaces, sent against
 * a public, an admin and a tenant route by callers the canonical path would let in, are each
 * answered with HTTP 400 by the policy; canonical paths keep their decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { built } from "./support/paths.js";
import { type Sidecar, startSidecar } from "./support/processes.js";

const ISSUER = "https://idp.canonical.test/";

// How `.` and `/` can be spelled so that some decoder, proxy or file system upstream reads them.
const DOTS = [".", "%2e", "%2E", "%252e", "%25%32%65", "%c0%ae", "%e0%80%ae", "%ef%bc%8e", "．"];
const SLASHES = [
  "/",
  "%2f",
  "%2F",
  "%252f",
  "\\",
  "%5c",
  "%5C",
  "%255c",
  "%c0%af",
  "%e0%80%af",
  "%ef%bc%8f",
  "／",
  "//",
  ";/",
  "%00/",
];
// What Windows, Tomcat and friends strip or cut from a segment's end.
const DOT_SUFFIXES = [".", "%2e", "%20", " ", "%00", "%09", ";", ";x=1", "%3b", "%20."];
// Oddities at the very end of a path otherwise canonical.
const TAILS = [
  "/",
  "//",
  ".",
  "%2e",
  "%20",
  "%00",
  "%0a",
  ";",
  ";jsessionid=1",
  "%3b",
  "\\",
  "%5c",
  ". ",
  "%ef%bc%8e",
  "．",
  "#x",
  "%23",
  "%41",
  "%c0%ae",
];

/** Every way this file spells `..` followed by a separator, then a single `.` segment. */
function climbs(): string[] {
  const out = new Set<string>();
  for (const first of DOTS)
    for (const second of DOTS) for (const slash of SLASHES) out.add(first + second + slash);
  for (const suffix of DOT_SUFFIXES) for (const slash of SLASHES) out.add(`..${suffix}${slash}`);
  for (const dot of DOTS) for (const slash of SLASHES) out.add(dot + slash);
  return [...out];
}

/** `base/` + each climb (repeated `levels` times) + `target`, and `canonical` + each tail. */
function spellings(base: string, levels: number, target: string, canonical: string): string[] {
  return [
    ...climbs().map((climb) => `${base}/${climb.repeat(levels)}${target}`),
    ...TAILS.map((tail) => canonical + tail),
  ];
}

let sidecar: Sidecar;
let client: ReturnType<typeof checkClient>;
let key: SigningKey;
let viewerOfAcme: string;
let admin: string;

const check = (method: string, path: string, bearer?: string) =>
  client.check({
    attributes: {
      request: {
        http: { method, path, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} },
      },
    },
  });

/** The user-visible outcome: the HTTP status Envoy would send (200 for allowed) and the body. */
function outcome(result: CallResult): { status: string; body?: string } {
  if (!result.ok) return { status: `gRPC ${result.code}` };
  const denied = result.response.deniedResponse as
    | { status?: { code?: string }; body?: string }
    | undefined;
  if (!denied) return { status: "OK" };
  return { status: denied.status?.code ?? "?", body: denied.body };
}

/** Sends every path (a bounded number at a time) and returns those NOT refused with the 400. */
async function notRefused(paths: string[], bearer?: string): Promise<string[]> {
  const escaped: string[] = [];
  for (let i = 0; i < paths.length; i += 64) {
    const batch = paths.slice(i, i + 64);
    const results = await Promise.all(batch.map((path) => check("GET", path, bearer)));
    results.forEach((result, j) => {
      const { status, body } = outcome(result);
      if (status !== "BadRequest" || !body?.startsWith("path is not canonical: "))
        escaped.push(`${batch[j]} → ${status} ${body ?? ""}`);
    });
  }
  return escaped;
}

beforeAll(async () => {
  key = await signingKey("canonical-1", "ES256");
  sidecar = await startSidecar({
    // ~1 500 checks go out at once: they queue for the evaluation threads far past the default
    // 100 ms deadline on a loaded machine. This test is about paths, not deadlines.
    policy: { bundle: built("build/policy/bundle.tar.gz"), evaluationTimeout: "30s" },
    identity: { jwt: { issuers: [es256Issuer(ISSUER, await jwksFile(key))] } },
    decisionLog: { console: false },
  });
  client = checkClient(sidecar.grpc);
  const token = (sub: string, roles: string[]) =>
    sign(key, { iss: ISSUER, aud: "openclaw", sub, roles, tenant: "acme" });
  [viewerOfAcme, admin] = await Promise.all([token("vera", ["viewer"]), token("ada", ["admin"])]);
});

afterAll(async () => {
  client?.close();
  await sidecar?.stop();
});

describe("canonical paths keep their decisions", () => {
  it.each([
    ["anonymous", "GET", "/api/v1/public/docs", "OK", undefined],
    ["anonymous", "GET", "/api/v1/public/docs/intro?q=..%2f%2e%2e&r=%5c", "OK", undefined],
    ["anonymous", "GET", "/api/v1/public/v1.2/read-me_(draft)~1", "OK", undefined],
    ["anonymous", "GET", "/healthz", "OK", undefined],
    ["anonymous", "GET", "/api/v2/anything", "Forbidden", "no route for GET /api/v2/anything"],
    ["anonymous", "GET", "/api/v1/admin/users", "Unauthorized", "authentication required"],
    ["viewer", "GET", "/api/v1/admin/users", "Forbidden", "missing scope admin:read"],
    ["admin", "GET", "/api/v1/admin/users", "OK", undefined],
    ["admin", "POST", "/api/v1/admin/users", "OK", undefined],
    ["viewer", "GET", "/api/v1/tenants/acme/tickets/1", "OK", undefined],
    ["viewer", "GET", "/api/v1/tenants/acme/tickets/a..b", "OK", undefined],
    [
      "viewer",
      "GET",
      "/api/v1/tenants/globex/tickets/1",
      "Forbidden",
      "tenant globex is not the caller's tenant",
    ],
    ["admin", "GET", "/api/v1/tenants/globex/tickets/1", "OK", undefined],
  ])("%s %s %s → %s", async (who, method, path, status, body) => {
    const bearer = { anonymous: undefined, viewer: viewerOfAcme, admin }[who];
    expect(outcome(await check(method, path, bearer))).toEqual(
      body === undefined ? { status } : { status, body },
    );
  });
});

describe("non-canonical spellings are refused with 400 before routing", () => {
  it("generates the spellings it claims to", () => {
    const climbing = climbs();
    expect(climbing).toContain("%252e%252e%252f");
    expect(climbing).toContain("%c0%ae%c0%ae%c0%af");
    expect(climbing).toContain("．．／");
    expect(climbing).toContain("..%20\\");
    expect(climbing.length).toBeGreaterThan(DOTS.length ** 2 * SLASHES.length);
  });

  it("on a public route, for anyone (escaping to /api/v1/admin)", async () => {
    expect(outcome(await check("GET", "/api/v1/public/docs"))).toEqual({ status: "OK" });
    const paths = spellings("/api/v1/public", 1, "admin/users", "/api/v1/public/docs");
    expect(await notRefused(paths)).toEqual([]);
  });

  it("on an admin route, even for an admin", async () => {
    expect(outcome(await check("GET", "/api/v1/admin/users", admin))).toEqual({ status: "OK" });
    const paths = spellings("/api/v1/admin/users", 1, "x", "/api/v1/admin/users");
    expect(await notRefused(paths, admin)).toEqual([]);
  });

  it("on a tenant route: a viewer of acme reads globex's tickets with no spelling", async () => {
    const acme = "/api/v1/tenants/acme/tickets/1";
    expect(outcome(await check("GET", acme, viewerOfAcme))).toEqual({ status: "OK" });
    // Two levels up from /api/v1/tenants/acme/tickets is /api/v1/tenants: into tenant globex.
    const paths = spellings("/api/v1/tenants/acme/tickets", 2, "globex/tickets/1", acme);
    expect(await notRefused(paths, viewerOfAcme)).toEqual([]);
  });

  it("names the problem in the body", async () => {
    expect(outcome(await check("GET", "/api/v1/public/..;/admin/users"))).toEqual({
      status: "BadRequest",
      body: "path is not canonical: path parameters (;) are not allowed",
    });
  });
});
