import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { type IssuerPolicy, issuedAtProblem, verifyIssuerToken } from "./jwt.js";
import { verifyJwtSvid } from "./jwt-svid.js";
import { peerList, verifyProxyToken } from "./trusted-proxy.js";

const NOW = new Date("2026-06-01T12:00:00.750Z");
const NOW_SEC = Math.floor(NOW.getTime() / 1000);
const TOLERANCE = 30;
const settings = { clockToleranceSec: TOLERANCE, clock: { now: () => NOW, nowNs: () => 0n } };
const YEAR = 365 * 24 * 3600;
const ARN = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a/1";
const SVID = "spiffe://prod.openclaw.internal/ns/agents/sa/planner";

let privateKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
});

/**
 * Signs a payload whose `iat` is the JSON text `iat` (undefined leaves it out), written byte for
 * byte, so values no JWT library would produce (`"string"`, `null`, `1e400`) can be tested.
 */
function signWithIat(iat: string | undefined, claims: Record<string, unknown>, header = {}) {
  const json = JSON.stringify({ ...claims, exp: NOW_SEC + 3600 });
  const payload = iat === undefined ? json : `${json.slice(0, -1)},"iat":${iat}}`;
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: "ES256", kid: "k1", ...header })
    .sign(privateKey);
}

/** Each verifier that accepts a JWT, called as the sidecar calls it. */
const verifiers: Array<[string, (iat: string | undefined) => Promise<unknown>]> = [
  [
    "jwt",
    async (iat) => {
      const issuer: IssuerPolicy = {
        issuer: "https://idp/",
        audiences: ["openclaw"],
        algorithms: ["ES256"],
        keys: {
          current: () => ({ keys: [publicJwk] }),
          refresh: async () => "cooldown",
          close: () => {},
        },
      };
      const token = await signWithIat(iat, { iss: "https://idp/", aud: "openclaw", sub: "s" });
      return verifyIssuerToken(token, issuer, settings);
    },
  ],
  [
    "jwt-svid",
    async (iat) => {
      const token = await signWithIat(iat, { sub: SVID, aud: "openclaw" }, { typ: "JWT" });
      const bundle = { x509Authorities: [], jwtAuthorities: [publicJwk] };
      return verifyJwtSvid(token, ["openclaw"], () => bundle, settings);
    },
  ],
  [
    "proxy",
    async (iat) => {
      const token = await signWithIat(iat, { sub: "u" }, { signer: ARN });
      const policy = {
        header: "x-amzn-oidc-data",
        peers: peerList(["10.0.0.0/8"]),
        signer: ARN,
        keyFor: () => importJWK(publicJwk, "ES256") as Promise<CryptoKey>,
      };
      return verifyProxyToken(token, policy, settings);
    },
  ],
];

// README: identity.clockTolerance applies to iat. RFC 7519 §4.1.6: iat is optional, a NumericDate.
const FUTURE = "issued in the future (iat)";
const NOT_NUMERIC = "invalid iat (not a NumericDate)";
const cases: Array<[string, string | undefined, string | undefined]> = [
  ["iat now", `${NOW_SEC}`, undefined],
  ["iat a year ago", `${NOW_SEC - YEAR}`, undefined],
  ["iat now + tolerance - 1s", `${NOW_SEC + TOLERANCE - 1}`, undefined],
  ["iat now + tolerance", `${NOW_SEC + TOLERANCE}`, undefined],
  ["iat fractional, within tolerance", `${NOW_SEC + 0.5}`, undefined],
  ["no iat (it is optional)", undefined, undefined],
  ["iat now + tolerance + 1s", `${NOW_SEC + TOLERANCE + 1}`, FUTURE],
  ["iat now + tolerance + 5s", `${NOW_SEC + TOLERANCE + 5}`, FUTURE],
  ["iat a year ahead", `${NOW_SEC + YEAR}`, FUTURE],
  ["iat a string", '"2026-06-01T12:00:00Z"', NOT_NUMERIC],
  ["iat a numeric string", `"${NOW_SEC}"`, NOT_NUMERIC],
  ["iat null", "null", NOT_NUMERIC],
  ["iat an object", "{}", NOT_NUMERIC],
  ["iat beyond a double (parses to Infinity)", "1e400", NOT_NUMERIC],
];

describe.each(verifiers)("%s: iat", (method, verify) => {
  it.each(cases)("%s", async (_, iat, refusal) => {
    const outcome = verify(iat);
    if (refusal === undefined) await expect(outcome).resolves.toBeDefined();
    else await expect(outcome).rejects.toThrow(`${method}: ${refusal}`);
  });
});

describe("issuedAtProblem", () => {
  it("compares with the clock in whole seconds, as jose does for nbf and exp", () => {
    // NOW is 12:00:00.750: iat 12:00:30 is exactly now + tolerance after flooring.
    expect(issuedAtProblem({ iat: NOW_SEC + TOLERANCE }, settings)).toBeUndefined();
    expect(issuedAtProblem({ iat: NOW_SEC + TOLERANCE + 0.001 }, settings)).toBe(FUTURE);
    expect(issuedAtProblem({ iat: NOW_SEC + 60 }, { ...settings, clockToleranceSec: 0 })).toBe(
      FUTURE,
    );
    expect(issuedAtProblem({}, settings)).toBeUndefined();
  });
});
