import { describe, expect, it } from "vitest";
import { systemClock } from "../clock.js";
import type { Fetch } from "../fetch.js";
import { createRemoteJwks } from "./jwks-source.js";

const KEYS = { keys: [{ kty: "EC", kid: "k1", crv: "P-256", x: "x", y: "y" }] };

/** A fake identity provider: counts requests, can be taken down. */
function provider() {
  const state = { up: true, requests: 0, body: JSON.stringify(KEYS) as string };
  const fetch: Fetch = async (url, init) => {
    state.requests++;
    if (init.signal.aborted) throw new Error("aborted");
    if (!state.up) throw new TypeError(`fetch failed: ${url}`);
    if (url.endsWith("/.well-known/openid-configuration")) {
      return new Response(JSON.stringify({ jwks_uri: "https://idp.test/jwks" }));
    }
    return new Response(state.body);
  };
  return { state, fetch };
}

/** What a source reports to, collecting the errors. */
const deps = (fetch: Fetch, errors: Error[] = []) => ({
  fetch,
  clock: systemClock,
  onError: (error: Error) => errors.push(error),
});

const options = {
  url: "https://idp.test/jwks",
  discovery: false,
  refreshMs: 60_000,
  timeoutMs: 1000,
  cooldownMs: 60_000,
  maxBytes: 10_000,
};

describe("createRemoteJwks", () => {
  it("loads at start, and through OIDC discovery", async () => {
    const { fetch } = provider();
    expect((await createRemoteJwks(deps(fetch), options)).current()).toEqual(KEYS);
    const discovered = await createRemoteJwks(deps(fetch), {
      ...options,
      url: "https://idp.test/.well-known/openid-configuration",
      discovery: true,
    });
    expect(discovered.current()).toEqual(KEYS);
  });

  it("keeps serving the last good keys while the provider is down", async () => {
    const { state, fetch } = provider();
    const errors: Error[] = [];
    const source = await createRemoteJwks(deps(fetch, errors), { ...options, cooldownMs: 0 });
    state.up = false;
    expect(await source.refresh()).toBe("failed");
    expect(source.current()).toEqual(KEYS);
    expect(errors).toHaveLength(1);
  });

  it("rate-limits refetches for unknown kids", async () => {
    const { state, fetch } = provider();
    const source = await createRemoteJwks(deps(fetch), options);
    expect(await source.refresh()).toBe("cooldown");
    expect(state.requests).toBe(1);
  });

  it("refuses oversized and malformed key sets", async () => {
    const { state, fetch } = provider();
    const errors: Error[] = [];
    state.body = JSON.stringify({ keys: [{ kty: "x".repeat(20_000) }] });
    const big = await createRemoteJwks(deps(fetch, errors), options);
    expect(big.current()).toBeUndefined();
    state.body = '{"nokeys":true}';
    const bad = await createRemoteJwks(deps(fetch, errors), options);
    expect(bad.current()).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining("larger than"),
      expect.stringContaining("not a JWKS"),
    ]);
  });
});
