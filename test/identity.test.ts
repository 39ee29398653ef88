/**
 * Verified identity end to end: real sidecar, real gRPC, keys from a real HTTP identity provider,
 * files and SPIFFE bundles, certificates generated at test time. Every forged or stale credential
 * is refused with 401 before the policy runs, each with its own reason in the decision log.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportSPKI, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "./support/client.js";
import { rawToken, type SigningKey, sign, signingKey, startIdp } from "./support/idp.js";
import { built } from "./support/paths.js";
import { createCa, days, type Issuer, issue } from "./support/pki.js";
import { type Sidecar, startSidecar } from "./support/processes.js";
import { jsonLineWith } from "./support/wait.js";

const TD = "prod.openclaw.internal";
const PLANNER = `spiffe://${TD}/ns/agents/sa/planner`;
const ARN =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/openclaw/50dc6c495c0c9188";

type Event = {
  decision_id: string;
  error?: { code: string; message: string };
  identity: { subject?: string; methods: string[] };
  suspicious?: string[];
  input: { identity: Record<string, unknown> };
};

let sidecar: Sidecar;
let client: ReturnType<typeof checkClient>;
let idp: Awaited<ReturnType<typeof startIdp>>;
let rsa: SigningKey;
let ec: SigningKey;
let fileKey: SigningKey;
let svidKey: SigningKey;
let proxyKey: SigningKey;
let attacker: SigningKey;
/** The trusted proxy's key id and algorithm, another key. */
let proxyAttacker: SigningKey;
let ca: Issuer;
let otherCa: Issuer;
let issuerA: string;
let issuerB: string;

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: issuerA,
  aud: "openclaw",
  sub: "alice",
  roles: ["viewer"],
  tenant: "acme",
  ...extra,
});

function request(
  options: {
    headers?: Record<string, string>;
    certificate?: string;
    peer?: string;
    path?: string;
  } = {},
) {
  return {
    attributes: {
      source: {
        address: { socketAddress: { address: options.peer ?? "10.9.0.1", portValue: 40000 } },
        ...(options.certificate ? { certificate: encodeURIComponent(options.certificate) } : {}),
      },
      request: {
        http: {
          method: "GET",
          path: options.path ?? "/api/v1/tenants/acme/tickets/1",
          headers: options.headers ?? {},
        },
      },
    },
  };
}

const bearer = (token: string) => request({ headers: { authorization: `Bearer ${token}` } });

async function check(req: unknown): Promise<{ result: CallResult; event: Event }> {
  const result = await client.check(req);
  if (!result.ok) throw new Error(`gRPC error ${result.code}`);
  const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
  return { result, event: await jsonLineWith<Event>(sidecar.stdout, `"decision_id":"${id}"`) };
}

function expectInvalid(result: CallResult, body = "invalid_token") {
  expect(result).toMatchObject({
    ok: true,
    response: { status: { code: 7 }, deniedResponse: { status: { code: "Unauthorized" }, body } },
  });
  if (body === "invalid_token") {
    if (!result.ok) throw new Error("unreachable: checked above");
    const headers = (result.response.deniedResponse as { headers: unknown[] }).headers;
    expect(headers).toContainEqual({
      header: { key: "www-authenticate", value: 'Bearer error="invalid_token"' },
    });
  }
}

const expectAllowed = (result: CallResult) =>
  expect(result).toMatchObject({ ok: true, response: { okResponse: {} } });

beforeAll(async () => {
  [rsa, ec, fileKey, svidKey, proxyKey, attacker, proxyAttacker] = await Promise.all([
    signingKey("rsa-1", "RS256"),
    signingKey("ec-1", "ES256"),
    signingKey("file-1", "ES256"),
    signingKey("svid-1", "ES256"),
    signingKey("alb-1", "ES256"),
    signingKey("attacker", "RS256"),
    signingKey("alb-1", "ES256"),
  ]);
  let served = [rsa.publicJwk, ec.publicJwk];
  idp = await startIdp(() => served);
  issuerA = `${idp.url}/a/`;
  issuerB = `${idp.url}/`;
  ca = await createCa("openclaw root");
  otherCa = await createCa("partner root");
  const dir = await mkdtemp(join(tmpdir(), "oc-identity-"));
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  const der = (await import("node:crypto")).X509Certificate;
  const spiffeBundle = {
    keys: [
      {
        ...ec.publicJwk,
        kid: "x509-ca",
        use: "x509-svid",
        x5c: [new der(ca.pem).raw.toString("base64")],
      },
      { ...svidKey.publicJwk, use: "jwt-svid" },
    ],
  };
  sidecar = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: {
      spiffe: {
        trustDomains: {
          [TD]: await file("prod.json", JSON.stringify(spiffeBundle)),
          "partner.example": await file("partner.pem", otherCa.pem),
        },
      },
      jwt: {
        issuers: [
          {
            issuer: issuerA,
            audiences: ["openclaw"],
            algorithms: ["RS256"],
            jwks: { url: `${idp.url}/jwks` },
          },
          {
            issuer: issuerB,
            audiences: ["openclaw"],
            algorithms: ["ES256"],
            jwks: { discovery: `${idp.url}/.well-known/openid-configuration` },
          },
          {
            issuer: "https://file.idp/",
            audiences: ["openclaw"],
            algorithms: ["ES256"],
            jwks: {
              file: await file("file-jwks.json", JSON.stringify({ keys: [fileKey.publicJwk] })),
            },
          },
        ],
        svidAudiences: ["openclaw"],
      },
      trustedProxy: {
        cidrs: ["10.0.0.0/8"],
        signer: ARN,
        keyFile: await file("alb-jwks.json", JSON.stringify({ keys: [proxyKey.publicJwk] })),
      },
    },
  });
  client = checkClient(sidecar.grpc);
  served = [rsa.publicJwk, ec.publicJwk];
});

afterAll(async () => {
  client?.close();
  await sidecar?.stop();
  await idp?.stop();
});

describe("valid credentials reach the policy as input.identity", () => {
  it("a JWT from a JWKS URL issuer", async () => {
    const { result, event } = await check(bearer(await sign(rsa, claims())));
    expectAllowed(result);
    expect(event.identity).toEqual({ subject: "alice", methods: ["jwt"] });
    expect(event.input.identity).toMatchObject({
      authenticated: true,
      jwt: {
        issuer: issuerA,
        subject: "alice",
        audience: ["openclaw"],
        claims: { roles: ["viewer"] },
      },
    });
  });

  it("a JWT from an OIDC discovery issuer and from a JWKS file issuer", async () => {
    expectAllowed((await check(bearer(await sign(ec, claims({ iss: issuerB }))))).result);
    expectAllowed(
      (await check(bearer(await sign(fileKey, claims({ iss: "https://file.idp/" }))))).result,
    );
  });

  it("groups map to roles; a missing scope is 403 from the policy, not 401", async () => {
    const token = await sign(rsa, claims({ roles: [], groups: ["openclaw-support"] }));
    expectAllowed(
      (
        await check({
          ...bearer(token),
          attributes: {
            ...bearer(token).attributes,
            request: {
              http: {
                method: "PATCH",
                path: "/api/v1/tenants/acme/tickets/1",
                headers: { authorization: `Bearer ${token}` },
              },
            },
          },
        })
      ).result,
    );
    const { result } = await check(
      request({
        path: "/api/v1/tenants/acme/tickets/1",
        headers: {
          authorization: `Bearer ${await sign(rsa, claims({ roles: ["viewer"], tenant: "globex" }))}`,
        },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      response: { deniedResponse: { status: { code: "Forbidden" } } },
    });
  });

  it("an X.509-SVID, alone and with a JWT", async () => {
    const leaf = await issue(ca, "planner", { uris: [PLANNER] });
    const alone = await check(request({ certificate: leaf.pem }));
    expectAllowed(alone.result);
    expect(alone.event.identity).toEqual({ subject: PLANNER, methods: ["x509-svid"] });
    const both = await check(
      request({
        certificate: leaf.pem,
        headers: { authorization: `Bearer ${await sign(rsa, claims())}` },
      }),
    );
    expect(both.event.identity).toEqual({ subject: PLANNER, methods: ["x509-svid", "jwt"] });
    expect(both.event.input.identity).toMatchObject({
      spiffe: { id: PLANNER, trust_domain: TD, path: "/ns/agents/sa/planner" },
    });
  });

  it("a JWT-SVID with keys from the SPIFFE bundle (use: jwt-svid)", async () => {
    const token = await sign(svidKey, { sub: PLANNER, aud: "openclaw" });
    const { result, event } = await check(bearer(token));
    expectAllowed(result);
    expect(event.identity).toEqual({ subject: PLANNER, methods: ["jwt-svid"] });
  });

  it("a trusted proxy's signed header, from a peer inside the proxy CIDRs", async () => {
    const token = await aLbToken({
      sub: "carol",
      "cognito:groups": ["openclaw-viewers"],
      "custom:tenant": "acme",
    });
    const { result, event } = await check(
      request({ peer: "10.1.2.3", headers: { "x-amzn-oidc-data": token } }),
    );
    expectAllowed(result);
    expect(event.identity).toEqual({ subject: "carol", methods: ["proxy"] });
  });

  it("ignores proxy headers from any other peer and records it as suspicious", async () => {
    const token = await aLbToken({
      sub: "carol",
      "cognito:groups": ["openclaw-viewers"],
      "custom:tenant": "acme",
    });
    const { result, event } = await check(
      request({ peer: "203.0.113.9", headers: { "x-amzn-oidc-data": token } }),
    );
    expect(result).toMatchObject({
      ok: true,
      response: {
        deniedResponse: { status: { code: "Unauthorized" }, body: "authentication required" },
      },
    });
    expect(event.identity.methods).toEqual([]);
    expect(event.suspicious).toEqual(["x-amzn-oidc-data from untrusted peer 203.0.113.9 ignored"]);
  });

  it("no credentials: anonymous, and the policy decides", async () => {
    const { result, event } = await check(request({ path: "/api/v1/public/docs" }));
    expectAllowed(result);
    expect(event.input.identity).toEqual({ authenticated: false, methods: [] });
  });

  it("raw tokens never reach the policy or the log", async () => {
    const token = await sign(rsa, claims());
    const { event } = await check(bearer(token));
    expect(JSON.stringify(event)).not.toContain(token.split(".")[2]);
  });
});

async function aLbToken(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: SigningKey = proxyKey,
): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const token = await new SignJWT({ exp, iss: "https://cognito", ...payload })
    .setProtectedHeader({
      alg: "ES256",
      kid: key.kid,
      typ: "JWT",
      signer: ARN,
      client: "c",
      iss: "https://cognito",
      exp,
      ...header,
    })
    .sign(key.privateKey);
  // ALB pads its base64url segments; the verifier must cope.
  return token
    .split(".")
    .map((part) => part + "=".repeat((4 - (part.length % 4)) % 4))
    .join(".");
}

describe("attack corpus: JWT", () => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    [
      "alg none",
      async () =>
        rawToken({ alg: "none", typ: "JWT" }, claims({ exp: Math.floor(Date.now() / 1000) + 600 })),
      "alg none refused",
    ],
    [
      "HS256 signed with the issuer's RSA public key",
      async () => {
        const publicKey = await importJWK(rsa.publicJwk, "RS256", { extractable: true });
        const pem = await exportSPKI(publicKey as CryptoKey);
        return new SignJWT(claims())
          .setProtectedHeader({ alg: "HS256", kid: "rsa-1" })
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode(pem));
      },
      "HMAC algorithm refused (HS256)",
    ],
    ["expired", () => sign(rsa, claims({ exp: Math.floor(Date.now() / 1000) - 120 })), "expired"],
    [
      "nbf in the future",
      () => sign(rsa, claims({ nbf: Math.floor(Date.now() / 1000) + 600 })),
      "not yet valid (nbf)",
    ],
    ["wrong iss", () => sign(rsa, claims({ iss: "https://evil.example/" })), "unknown issuer"],
    ["wrong aud", () => sign(rsa, claims({ aud: "someone-else" })), "wrong audience"],
    [
      "missing exp",
      () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: "RS256", kid: "rsa-1" })
          .sign(rsa.privateKey),
      "missing exp",
    ],
    ["unknown kid", () => sign(attacker, claims()), "unknown kid"],
    [
      "jku pointing at attacker keys",
      () => sign(attacker, claims(), { jku: "https://evil.example/jwks" }),
      "unknown kid (ignored jku header)",
    ],
    [
      "x5u pointing at attacker keys",
      () => sign(attacker, claims(), { x5u: "https://evil.example/cert.pem" }),
      "unknown kid (ignored x5u header)",
    ],
    [
      "embedded attacker jwk with the real kid",
      () => sign({ ...attacker, kid: "rsa-1" }, claims(), { jwk: attacker.publicJwk }),
      "bad signature (ignored jwk header)",
    ],
    [
      "unknown crit",
      () =>
        new SignJWT(claims())
          .setProtectedHeader({
            alg: "RS256",
            kid: "rsa-1",
            crit: ["x-evil"],
            "x-evil": 1,
          } as never)
          .setExpirationTime("1h")
          .sign(rsa.privateKey, { crit: { "x-evil": true } }),
      "unsupported crit header",
    ],
    [
      "tampered payload",
      async () => {
        const [h, , s] = (await sign(rsa, claims())).split(".");
        return `${h}.${Buffer.from(JSON.stringify(claims({ roles: ["admin"] }))).toString("base64url")}.${s}`;
      },
      "bad signature",
    ],
    ["a 64 KB token", () => sign(rsa, claims({ pad: "x".repeat(64 * 1024) })), "token too large"],
    [
      "non-JSON payload",
      async () => rawToken({ alg: "RS256", kid: "rsa-1" }, "not json at all", "c2ln"),
      "malformed token",
    ],
  ];

  it.each(cases)("%s is refused with 401 before the policy runs", async (_, make, reason) => {
    const { result, event } = await check(bearer(await make()));
    expectInvalid(result);
    expect(event.error).toEqual({ code: "identity_invalid", message: `jwt: ${reason}` });
    expect((event as { result?: unknown }).result).toBeUndefined();
  });
});

describe("iat: the clock tolerance (30 s by default) applies to it", () => {
  const nowSec = () => Math.floor(Date.now() / 1000);
  /** Signed with `iat` exactly as given (sign() would set it to now); undefined leaves it out. */
  const withIat = (key: SigningKey, payload: Record<string, unknown>, iat: unknown) =>
    new SignJWT(iat === undefined ? payload : { ...payload, iat })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
      .setExpirationTime("1h")
      .sign(key.privateKey);

  it.each([
    ["a year in the future", () => nowSec() + 365 * 86_400, "jwt: issued in the future (iat)"],
    ["35 s in the future", () => nowSec() + 35, "jwt: issued in the future (iat)"],
    ["a string", () => "tomorrow", "jwt: invalid iat (not a NumericDate)"],
    ["null", () => null, "jwt: invalid iat (not a NumericDate)"],
  ])("a JWT whose iat is %s is refused with 401", async (_, iat, reason) => {
    const { result, event } = await check(bearer(await withIat(rsa, claims(), iat())));
    expectInvalid(result);
    expect(event.error).toEqual({ code: "identity_invalid", message: reason });
    expect((event as { result?: unknown }).result).toBeUndefined();
  });

  it.each([
    ["10 s in the future (within the tolerance)", () => nowSec() + 10],
    ["a year in the past", () => nowSec() - 365 * 86_400],
    ["absent (iat is optional)", () => undefined],
  ])("a JWT whose iat is %s is accepted", async (_, iat) => {
    const { result, event } = await check(bearer(await withIat(rsa, claims(), iat())));
    expectAllowed(result);
    expect(event.identity).toEqual({ subject: "alice", methods: ["jwt"] });
  });

  it("a JWT-SVID whose iat is a year in the future is refused with 401", async () => {
    const token = await withIat(svidKey, { sub: PLANNER, aud: "openclaw" }, nowSec() + 31_536_000);
    const { result, event } = await check(bearer(token));
    expectInvalid(result);
    expect(event.error?.message).toBe("jwt-svid: issued in the future (iat)");
  });
});

describe("attack corpus: X.509-SVID", () => {
  const cases: Array<[string, () => Promise<Issuer>, string]> = [
    [
      "CA certificate as leaf",
      () => issue(ca, "x", { uris: [PLANNER], ca: true }),
      "leaf is a CA certificate",
    ],
    [
      "two URI SANs",
      () => issue(ca, "x", { uris: [PLANNER, `spiffe://${TD}/other`] }),
      "more than one URI SAN",
    ],
    ["no URI SAN", () => issue(ca, "x", { dns: ["planner"] }), "no URI SAN"],
    [
      "foreign trust domain",
      () => issue(ca, "x", { uris: ["spiffe://partner.example/ns/x"] }),
      "not signed by the bundle of trust domain partner.example",
    ],
    [
      "expired",
      () => issue(ca, "x", { uris: [PLANNER], notBefore: days(-3), notAfter: days(-1) }),
      "certificate expired",
    ],
    [
      "not yet valid",
      () => issue(ca, "x", { uris: [PLANNER], notBefore: days(1), notAfter: days(2) }),
      "certificate not yet valid",
    ],
    [
      "signed by another CA",
      () => issue(otherCa, "x", { uris: [PLANNER] }),
      `not signed by the bundle of trust domain ${TD}`,
    ],
    [
      "SPIFFE ID with a query",
      () => issue(ca, "x", { uris: [`${PLANNER}?a=b`] }),
      "SPIFFE ID must not have a query",
    ],
    [
      "SPIFFE ID with a fragment",
      () => issue(ca, "x", { uris: [`${PLANNER}#f`] }),
      "SPIFFE ID must not have a fragment",
    ],
    [
      "SPIFFE ID with a port",
      () => issue(ca, "x", { uris: [`spiffe://${TD}:8443/x`] }),
      "SPIFFE ID must not have a port",
    ],
    [
      "SPIFFE ID with userinfo",
      () => issue(ca, "x", { uris: [`spiffe://u@${TD}/x`] }),
      "SPIFFE ID must not have userinfo",
    ],
    [
      "SPIFFE ID with dot segments",
      () => issue(ca, "x", { uris: [`spiffe://${TD}/ns/../admin`] }),
      "SPIFFE ID has a dot segment",
    ],
    [
      "SPIFFE ID with an uppercase trust domain",
      () => issue(ca, "x", { uris: [`spiffe://PROD.openclaw.internal/x`] }),
      "SPIFFE ID trust domain must be lowercase [a-z0-9._-]",
    ],
    [
      "SPIFFE ID with percent-encoding",
      () => issue(ca, "x", { uris: [`spiffe://${TD}/a%2Fb`] }),
      "SPIFFE ID must not be percent-encoded",
    ],
    [
      "keyCertSign set",
      () => issue(ca, "x", { uris: [PLANNER], keyUsage: 1 | 32 }),
      "key usage has keyCertSign",
    ],
  ];

  it.each(cases)("%s is refused with 401", async (_, make, reason) => {
    const { result, event } = await check(request({ certificate: (await make()).pem }));
    expectInvalid(result, "invalid_client_certificate");
    expect(event.error).toEqual({ code: "identity_invalid", message: `x509-svid: ${reason}` });
  });
});

describe("attack corpus: trusted proxy", () => {
  it.each([
    [
      "another signer",
      () =>
        aLbToken(
          { sub: "x" },
          { signer: "arn:aws:elasticloadbalancing:eu-west-1:999:loadbalancer/app/evil/1" },
        ),
      "wrong signer",
    ],
    [
      "an expired header exp",
      () => aLbToken({ sub: "x" }, { exp: Math.floor(Date.now() / 1000) - 600 }),
      "expired",
    ],
    [
      "an attacker key (the proxy's kid, signer and alg)",
      () => aLbToken({ sub: "x" }, {}, proxyAttacker),
      "bad signature",
    ],
    [
      "an iat a year in the future",
      () => aLbToken({ sub: "x", iat: Math.floor(Date.now() / 1000) + 31_536_000 }),
      "issued in the future (iat)",
    ],
  ])("%s is refused with 401", async (_, make, reason) => {
    const { result, event } = await check(
      request({ peer: "10.1.2.3", headers: { "x-amzn-oidc-data": await make() } }),
    );
    expectInvalid(result);
    expect(event.error).toEqual({ code: "identity_invalid", message: `proxy: ${reason}` });
  });
});

describe("when the identity provider is down", () => {
  it("cached keys keep serving; an unknown kid cannot be proven and is denied", async () => {
    await idp.stop();
    // A token never seen before, so the signature is checked against the cached keys.
    const token = await sign(rsa, claims({ jti: randomUUID() }));
    expectAllowed((await check(bearer(token))).result);
    const rotated = await signingKey("rsa-2", "RS256");
    // The refetch for rsa-2 fails (or is rate-limited): a key it cannot find, never an allow.
    const { result, event } = await check(bearer(await sign(rotated, claims())));
    expectInvalid(result);
    expect(event.error).toEqual({ code: "identity_invalid", message: "jwt: unknown kid" });
    expectAllowed((await check(bearer(token))).result);
  });
});
