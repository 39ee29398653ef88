import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createCa, days, type Issuer, issue } from "../../test/support/pki.js";
import { parseTrustBundle, type TrustBundle } from "./trust-bundle.js";
import { verifyX509Svid } from "./x509-svid.js";

const TD = "prod.openclaw.internal";
const ID = `spiffe://${TD}/ns/agents/sa/planner`;

let ca: Issuer;
let otherCa: Issuer;
let bundles: Map<string, TrustBundle>;
const bundleFor = (td: string) => bundles.get(td);
const verify = (pem: string, intermediates: X509Certificate[] = []) =>
  verifyX509Svid(pem, intermediates, bundleFor, new Date());

beforeAll(async () => {
  ca = await createCa("openclaw root");
  otherCa = await createCa("openclaw root"); // same name, different key
  const foreign = await createCa("foreign root");
  bundles = new Map([
    [TD, parseTrustBundle(ca.pem)],
    ["partner.example", parseTrustBundle(foreign.pem)],
  ]);
});

describe("verifyX509Svid", () => {
  it("accepts a valid SVID signed by its trust domain's bundle", async () => {
    const leaf = await issue(ca, "planner", { uris: [ID], dns: ["planner.agents"] });
    const result = verify(leaf.pem);
    expect(result.spiffe).toEqual({ id: ID, trustDomain: TD, path: "/ns/agents/sa/planner" });
    expect(result.bundle).toBe(bundles.get(TD));
    expect(result.expiresAtMs).toBe(Date.parse(new X509Certificate(leaf.pem).validTo));
  });

  it("follows CA intermediates to the bundle", async () => {
    const intermediate = await issue(ca, "intermediate", { ca: true });
    const leaf = await issue(intermediate, "planner", { uris: [ID] });
    expect(verify(leaf.pem, [new X509Certificate(intermediate.pem)]).spiffe.id).toBe(ID);
    expect(() => verify(leaf.pem)).toThrow("not signed by the bundle");
  });

  it("does not accept a non-CA certificate as an intermediate", async () => {
    const notCa = await issue(ca, "not a ca", { uris: [`spiffe://${TD}/x`] });
    const leaf = await issue(notCa, "planner", { uris: [ID] });
    expect(() => verify(leaf.pem, [new X509Certificate(notCa.pem)])).toThrow(
      "not signed by the bundle",
    );
  });

  it.each([
    ["a CA certificate as leaf", { uris: [ID], ca: true }, "leaf is a CA certificate"],
    ["two URI SANs", { uris: [ID, `spiffe://${TD}/other`] }, "more than one URI SAN"],
    ["no URI SAN", { dns: ["planner"] }, "no URI SAN"],
    ["no key usage", { uris: [ID], keyUsage: null }, "key usage extension missing"],
    ["keyCertSign", { uris: [ID], keyUsage: 1 | 32 }, "keyCertSign"],
    ["cRLSign", { uris: [ID], keyUsage: 1 | 64 }, "cRLSign"],
    ["no digitalSignature", { uris: [ID], keyUsage: 4 }, "digitalSignature"],
    ["expired", { uris: [ID], notBefore: days(-3), notAfter: days(-1) }, "certificate expired"],
    ["not yet valid", { uris: [ID], notBefore: days(1), notAfter: days(3) }, "not yet valid"],
    ["a query", { uris: [`${ID}?x=1`] }, "query"],
    ["a fragment", { uris: [`${ID}#x`] }, "fragment"],
    ["a port", { uris: [`spiffe://${TD}:443/x`] }, "port"],
    ["userinfo", { uris: [`spiffe://me@${TD}/x`] }, "userinfo"],
    ["dot segments", { uris: [`spiffe://${TD}/a/../b`] }, "dot segment"],
    ["an uppercase trust domain", { uris: ["spiffe://Prod.openclaw.internal/x"] }, "lowercase"],
    ["percent-encoding", { uris: [`spiffe://${TD}/a%20b`] }, "percent"],
    ["another scheme", { uris: ["https://prod.openclaw.internal/x"] }, "scheme"],
  ])("rejects %s", async (_, options, reason) => {
    const leaf = await issue(ca, "bad", options);
    expect(() => verify(leaf.pem)).toThrow(reason);
  });

  it("rejects a foreign trust domain and an unknown one", async () => {
    const foreignLeaf = await issue(ca, "x", { uris: ["spiffe://partner.example/x"] });
    expect(() => verify(foreignLeaf.pem)).toThrow(
      "not signed by the bundle of trust domain partner.example",
    );
    const unknown = await issue(ca, "x", { uris: ["spiffe://unknown.example/x"] });
    expect(() => verify(unknown.pem)).toThrow("trust domain unknown.example is not trusted");
  });

  it("rejects an SVID signed by another CA with the same name", async () => {
    const leaf = await issue(otherCa, "planner", { uris: [ID] });
    expect(() => verify(leaf.pem)).toThrow("not signed by the bundle");
  });

  it("rejects garbage", () => {
    expect(() => verify("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toThrow(
      "not a certificate",
    );
  });
});

describe("parseTrustBundle", () => {
  it("reads a SPIFFE bundle: x509-svid authorities and jwt-svid keys with use rewritten", () => {
    const der = new X509Certificate(ca.pem).raw.toString("base64");
    const bundle = parseTrustBundle(
      JSON.stringify({
        keys: [
          { kty: "EC", crv: "P-256", x: "x", y: "y", use: "x509-svid", x5c: [der] },
          { kty: "EC", crv: "P-256", x: "x", y: "y", use: "jwt-svid", kid: "k1" },
          { kty: "EC", use: "something-else" },
        ],
      }),
    );
    expect(bundle.x509Authorities).toHaveLength(1);
    expect(bundle.jwtAuthorities).toEqual([
      { kty: "EC", crv: "P-256", x: "x", y: "y", use: "sig", kid: "k1" },
    ]);
  });

  it("refuses files that are neither", () => {
    expect(() => parseTrustBundle("hello")).toThrow("no PEM certificate");
    expect(() => parseTrustBundle('{"nokeys":1}')).toThrow("no keys array");
  });
});
