import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { es256Issuer, jwksFile, sign, signingKey } from "../../test/support/idp.js";
import { createCa, issue } from "../../test/support/pki.js";
import { until } from "../../test/support/wait.js";
import type { BuiltInput } from "../authz/index.js";
import { systemClock } from "../clock.js";
import { resolveConfig } from "../config/index.js";
import { createIdentityVerifier, type IdentityVerifier } from "./verifier.js";

const TD = "prod.openclaw.internal";
const ID = `spiffe://${TD}/ns/agents/sa/planner`;
const noFetch = async () => {
  throw new Error("no network in unit tests");
};

let verifier: IdentityVerifier | undefined;
afterEach(() => verifier?.close());

async function setup(identity: Record<string, unknown>) {
  verifier = await createIdentityVerifier(
    { fetch: noFetch, clock: systemClock, onSourceError: () => {} },
    resolveConfig({ identity: { fileRefreshInterval: "20ms", ...identity } }).identity,
  );
  return verifier;
}

/**
 * A request as the input builder hands it over: the verifier's credential headers apart, the
 * other headers (XFCC among them) in the document.
 */
const input = (headers: Record<string, string>, certificate?: string): BuiltInput => {
  const taken = new Set(verifier?.credentialHeaders ?? []);
  const entries = Object.entries(headers);
  return {
    document: {
      attributes: {
        source: certificate ? { certificate: encodeURIComponent(certificate) } : {},
        request: { http: { headers: Object.fromEntries(entries.filter(([n]) => !taken.has(n))) } },
      },
    },
    credentials: Object.fromEntries(entries.filter(([n]) => taken.has(n))),
  };
};

/** How a verification settles; polled until a file reload has changed it. */
const outcome = (verification: Promise<unknown>) =>
  verification.then(
    () => "verified",
    () => "refused",
  );

describe("createIdentityVerifier", () => {
  it("reloads a JWKS file, and a cached token is re-verified once its key is gone", async () => {
    const key = await signingKey("k1", "ES256");
    const jwks = await jwksFile(key);
    const v = await setup({
      jwt: { issuers: [es256Issuer("https://i/", jwks, "a")] },
    });
    const token = await sign(key, { iss: "https://i/", aud: "a", sub: "s" });
    const request = () => input({ authorization: `Bearer ${token}` });
    expect((await v.verify(request())).identity).toMatchObject({
      authenticated: true,
      subject: "s",
      methods: ["jwt"],
    });
    expect((await v.verify(request())).identity.subject).toBe("s"); // from the verified cache
    await writeFile(jwks, JSON.stringify({ keys: [] }));
    expect(await until(async () => (await outcome(v.verify(request()))) === "refused")).toBe(true);
    await expect(v.verify(request())).rejects.toThrow("jwt: unknown kid");
  });

  it("reloads a trust bundle file when it changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oc-verifier-"));
    const [oldCa, newCa] = await Promise.all([createCa("old"), createCa("new")]);
    const bundle = join(dir, "bundle.pem");
    await writeFile(bundle, oldCa.pem);
    const v = await setup({ spiffe: { trustDomains: { [TD]: bundle } } });
    const fromNew = await issue(newCa, "planner", { uris: [ID] });
    await expect(v.verify(input({}, fromNew.pem))).rejects.toThrow("not signed by the bundle");
    await writeFile(bundle, newCa.pem);
    expect(
      await until(async () => (await outcome(v.verify(input({}, fromNew.pem)))) === "verified"),
    ).toBe(true);
    expect((await v.verify(input({}, fromNew.pem))).identity.subject).toBe(ID);
    expect(v.ready()).toBe(true);
  });

  it("takes intermediates from x-forwarded-client-cert only when configured", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oc-verifier-"));
    const root = await createCa("root");
    const intermediate = await issue(root, "intermediate", { ca: true });
    const leaf = await issue(intermediate, "planner", { uris: [ID] });
    const bundle = join(dir, "bundle.pem");
    await writeFile(bundle, root.pem);
    const xfcc = `By=spiffe://${TD}/envoy;Hash=abc;Chain="${encodeURIComponent(leaf.pem + intermediate.pem)}";URI=${ID}`;
    const without = await setup({ spiffe: { trustDomains: { [TD]: bundle } } });
    await expect(
      without.verify(input({ "x-forwarded-client-cert": xfcc }, leaf.pem)),
    ).rejects.toThrow("not signed");
    without.close();
    const withXfcc = await setup({
      spiffe: { trustDomains: { [TD]: bundle }, xfccIntermediates: true },
    });
    expect(
      (await withXfcc.verify(input({ "x-forwarded-client-cert": xfcc }, leaf.pem))).identity
        .subject,
    ).toBe(ID);
    await expect(
      withXfcc.verify(input({ "x-forwarded-client-cert": 'Chain="unterminated' }, leaf.pem)),
    ).rejects.toThrow("unterminated quote");
  });

  it("names the credential headers it reads, so the input builder keeps them from the policy", async () => {
    const key = await signingKey("k1", "ES256");
    const jwks = await jwksFile(key);
    const v = await setup({
      jwt: {
        header: "x-token",
        issuers: [es256Issuer("https://i/", jwks, "a")],
      },
    });
    expect(v.credentialHeaders).toEqual(["x-token"]);
    const request = input({
      "x-token": await sign(key, { iss: "https://i/", aud: "a", sub: "s" }),
      other: "kept",
    });
    expect(request.credentials).toHaveProperty("x-token");
    expect((await v.verify(request)).identity.subject).toBe("s");
  });

  it("treats other authorization schemes as no bearer credential, and a broken Bearer as invalid", async () => {
    const v = await setup({ jwt: { issuers: [] } });
    expect((await v.verify(input({ authorization: "Basic dXNlcjpwYXNz" }))).identity).toEqual({
      authenticated: false,
      methods: [],
    });
    await expect(v.verify(input({ authorization: "Bearer a b" }))).rejects.toThrow(
      "malformed token",
    );
  });
});

describe("token rules", () => {
  it("enforces a configured typ, and JWT-SVID audience and subject rules", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oc-verifier-"));
    const key = await signingKey("k1", "ES256");
    const svidKey = await signingKey("svid", "ES256");
    const jwks = await jwksFile(key);
    const bundle = join(dir, "bundle.json");
    await writeFile(bundle, JSON.stringify({ keys: [{ ...svidKey.publicJwk, use: "jwt-svid" }] }));
    const v = await setup({
      spiffe: { trustDomains: { [TD]: bundle } },
      jwt: {
        issuers: [
          {
            issuer: "https://i/",
            audiences: ["a"],
            algorithms: ["ES256"],
            typ: "at+jwt",
            jwks: { file: jwks },
          },
        ],
        svidAudiences: ["openclaw"],
      },
    });
    const bearer = (token: string) => input({ authorization: `Bearer ${token}` });
    await expect(
      v.verify(bearer(await sign(key, { iss: "https://i/", aud: "a" }))),
    ).rejects.toThrow("jwt: wrong typ");
    const ok = await sign(key, { iss: "https://i/", aud: "a", sub: "s" }, { typ: "at+jwt" });
    expect((await v.verify(bearer(ok))).identity.methods).toEqual(["jwt"]);
    await expect(v.verify(bearer(await sign(svidKey, { sub: ID, aud: "other" })))).rejects.toThrow(
      "jwt-svid: wrong audience",
    );
    await expect(v.verify(bearer(await sign(svidKey, { sub: ID })))).rejects.toThrow(
      "jwt-svid: missing aud",
    );
    await expect(
      v.verify(bearer(await sign(svidKey, { sub: `${ID}/`, aud: "openclaw" }))),
    ).rejects.toThrow("sub is not a valid SPIFFE ID");
    await expect(v.verify(bearer(await sign(key, { sub: ID, aud: "openclaw" })))).rejects.toThrow(
      "jwt-svid: unknown kid",
    );
    await expect(
      v.verify(bearer(await sign(svidKey, { sub: "spiffe://other.example/x", aud: "openclaw" }))),
    ).rejects.toThrow("has no JWT-SVID keys");
    expect(
      (await v.verify(bearer(await sign(svidKey, { sub: ID, aud: "openclaw" })))).identity,
    ).toMatchObject({ subject: ID, methods: ["jwt-svid"], spiffe: { id: ID } });
  });
});
