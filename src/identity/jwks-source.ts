import type { JSONWebKeySet } from "jose";

import type { Clock } from "../clock.js";
import type { Fetch } from "../fetch.js";

/** A key set kept warm in the background. */
export interface JwksSource {
  /** The last good key set; undefined until the first successful load. */
  current(): JSONWebKeySet | undefined;
  /**
   * Refetches now (for an unknown `kid`) unless a fetch happened within the cooldown.
   * Resolves to what happened; never rejects.
   */
  refresh(): Promise<"refreshed" | "cooldown" | "failed">;
  /**
   * A remote source's last successful fetch, wall-clock ms (0 before the first), for key-set
   * age metrics. Absent for a watched file, which is read again whenever it changes.
   */
  refreshedAtMs?(): number;
  close(): void;
}

/** What {@link createRemoteJwks} needs from the process. */
export interface RemoteJwksDeps {
  fetch: Fetch;
  /** For the unknown-kid cooldown. */
  clock: Clock;
  /** A fetch failed; the last good keys keep serving. */
  onError(error: Error): void;
}

/** Options for {@link createRemoteJwks}. */
export interface RemoteJwksOptions {
  /** A JWKS URL, or an OpenID discovery document whose `jwks_uri` is the JWKS URL. */
  url: string;
  discovery: boolean;
  /** Background refresh period, ms. */
  refreshMs: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Least time between two unknown-kid refetches, ms. */
  cooldownMs: number;
  /** Largest accepted response body, bytes. */
  maxBytes: number;
}

/**
 * Loads a JWKS over HTTP(S) now and every `refreshMs`, with a timeout and a size limit on each
 * request. A failed fetch keeps the last good keys serving (the identity provider being down
 * must not log everyone out) and is reported to `onError`. `close()` stops the refresh.
 *
 * Not jose's `createRemoteJWKSet`, which fetches inside verification (the first one, and every
 * one after `cacheMaxAge`, awaits the network within the Check's deadline), rejects every token
 * once its cache is stale and the provider is down, reads bodies unbounded, knows no OIDC
 * discovery, and keeps its own `Date.now` clock. jose still verifies: `createLocalJWKSet` over
 * {@link JwksSource.current} (`jwt.ts`).
 */
export async function createRemoteJwks(
  deps: RemoteJwksDeps,
  options: RemoteJwksOptions,
): Promise<JwksSource> {
  const { fetch, clock, onError } = deps;
  let keys: JSONWebKeySet | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let refreshedAt = 0;
  let inFlight: Promise<"refreshed" | "failed"> | undefined;

  const load = (): Promise<"refreshed" | "failed"> => {
    lastAttempt = clock.now().getTime();
    inFlight ??= fetchKeys(fetch, options)
      .then((fresh) => {
        keys = fresh;
        refreshedAt = clock.now().getTime();
        return "refreshed" as const;
      })
      .catch((error: Error) => {
        onError(error);
        return "failed" as const;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  await load();
  const timer = setInterval(load, options.refreshMs);
  timer.unref();
  return {
    current: () => keys,
    refreshedAtMs: () => refreshedAt,
    refresh: async () =>
      clock.now().getTime() - lastAttempt < options.cooldownMs && !inFlight ? "cooldown" : load(),
    close: () => clearInterval(timer),
  };
}

async function fetchKeys(fetch: Fetch, options: RemoteJwksOptions): Promise<JSONWebKeySet> {
  let url = options.url;
  if (options.discovery) {
    const document = (await getJson(fetch, url, options)) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== "string")
      throw new Error(`${url}: discovery document has no jwks_uri`);
    url = document.jwks_uri;
  }
  return toKeySet(await getJson(fetch, url, options), url);
}

/** Validates the shape of a JWKS document. Throws Error naming `where`. */
export function toKeySet(document: unknown, where: string): JSONWebKeySet {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== "object" || k === null)) {
    throw new Error(`${where}: not a JWKS (no keys array)`);
  }
  return { keys } as JSONWebKeySet;
}

async function getJson(fetch: Fetch, url: string, options: RemoteJwksOptions): Promise<unknown> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(options.timeoutMs),
    headers: { accept: "application/json" },
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > options.maxBytes)
    throw new Error(`${url}: response larger than ${options.maxBytes} bytes`);
  const body = await readLimited(response, options.maxBytes, url);
  return JSON.parse(body);
}

/** Reads a response body, refusing more than `maxBytes`. */
export async function readLimited(
  response: Response,
  maxBytes: number,
  url: string,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += (chunk as Uint8Array).length;
    if (total > maxBytes) throw new Error(`${url}: response larger than ${maxBytes} bytes`);
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString("utf8");
}
