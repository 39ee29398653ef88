/**
 * Every identity error path, reached where a user meets it: a real sidecar over real gRPC, keys
 * and bundles in files or served by a real HTTP identity provider, certificates made at test
 * time. Each refusal is checked for its HTTP status, the body Envoy returns and the exact reason
 * the decision log records, and the policy never runs. One sidecar has every credential kind
 * configured and loaded; the other has only sources that never loaded.
 */
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "./support/client.js";
import { rawToken, type SigningKey, sign, signingKey, startIdp } from "./support/idp.js";
import { built } from "./support/paths.js";
import { createCa, type Issuer, issue } from "./support/pki.js";
import { type Sidecar, startSidecar } from "./support/processes.js";
import { until } from "./support/wait.js";

const TD = "prod.openclaw.internal";
const PLANNER = `spiffe://${TD}/ns/agents/sa/planner`;
const ARN =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/openclaw/50dc6c495c0c9188";
const RSA_ISSUER = "https://rsa.idp.test/";
const TYPED_ISSUER = "https://typed.idp.test/";
const DOWN_ISSUER = "https://down.idp.test/";
const PROXY_PEER = "10.1.2.3";
/** A cut UTF-8 sequence (E0 A4 needs a third byte): `decodeURIComponent` throws on it. */
const BAD_ESCAPE = "%E0%A4";

interface Event {
  decision_id: string;
  error?: { code: string; message: string };
  reason?: string;
  result?: unknown;
  identity?: { methods: string[] };
}

interface Running {
  sidecar: Sidecar;
  client: ReturnType<typeof checkClient>;
}

/** What Envoy is told and the decision log records for a refused credential. */
interface Refusal {
  status: 401 | 403;
  body: "invalid_token" | "invalid_client_certificate" | "identity_unavailable";
  reason: string;
}

const HTTP_STATUS = { 401: "Unauthorized", 403: "Forbidden" } as const;
const nowSec = () => Math.floor(Date.now() / 1000);
/** Every token and certificate sent, so the last test can look for them in the output. */
const presented = new Set<string>();

let dir: string;
let idp: Awaited<ReturnType<typeof startIdp>>;
let loaded: Running;
let unloaded: Running;
let rsa: SigningKey;
let rsaOther: SigningKey;
let typedKey: SigningKey;
let urlKey: SigningKey;
let svidKey: SigningKey;
let proxyKey: SigningKey;
let ca: Issuer;

function request(
  options: {
    headers?: Record<string, string>;
    /** Sent as given: the caller encodes it as Envoy would. */
    certificate?: string;
    peer?: string;
  } = {},
) {
  return {
    attributes: {
      source: {
        address: { socketAddress: { address: options.peer ?? "10.9.0.1", portValue: 40000 } },
        ...(options.certificate ? { certificate: options.certificate } : {}),
      },
      request: {
        http: {
          method: "GET",
          path: "/api/v1/tenants/acme/tickets/1",
          headers: options.headers ?? {},
        },
      },
    },
  };
}

function bearer(token: string) {
  presented.add(token);
  return request({ headers: { authorization: `Bearer ${token}` } });
}

function withCertificate(pem: string, headers: Record<string, string> = {}) {
  presented.add(pem);
  return request({ certificate: encodeURIComponent(pem), headers });
}

function fromProxy(token: string, peer = PROXY_PEER) {
  presented.add(token);
  return request({ peer, headers: { "x-amzn-oidc-data": token } });
}

/** Sends one Check and returns the response with its decision log event. */
async function check(
  running: Running,
  req: unknown,
): Promise<{ result: CallResult; event: Event }> {
  const result = await running.client.check(req);
  if (!result.ok) throw new Error(`gRPC error ${result.code}: ${result.details}`);
  const id = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
  const line = () => running.sidecar.stdout.find((l) => l.includes(id));
  if (!(await until(() => line() !== undefined)))
    throw new Error(`no decision log event for ${id}`);
  return { result, event: JSON.parse(line() as string) as Event };
}

/** The request is refused before the policy runs, with exactly `expected`. */
async function expectRefused(running: Running, req: unknown, expected: Refusal): Promise<Event> {
  const { result, event } = await check(running, req);
  expect(result).toMatchObject({
    ok: true,
    response: {
      status: { code: 7, message: expected.body },
      deniedResponse: { status: { code: HTTP_STATUS[expected.status] }, body: expected.body },
    },
  });
  const headers = result.ok
    ? ((result.response.deniedResponse as { headers?: unknown[] }).headers ?? [])
    : [];
  // RFC 6750 §3.1: a refused bearer token says so; a certificate or a backend fault does not.
  expect(headers).toEqual(
    expected.body === "invalid_token"
      ? [{ header: { key: "www-authenticate", value: 'Bearer error="invalid_token"' } }]
      : [],
  );
  const code = expected.status === 401 ? "identity_invalid" : "identity_unavailable";
  expect(event.error).toEqual({ code, message: expected.reason });
  expect(event.reason).toBe(expected.reason);
  expect(event.result).toBeUndefined();
  return event;
}

const invalidToken = (reason: string): Refusal => ({ status: 401, body: "invalid_token", reason });
const invalidCertificate = (reason: string): Refusal => ({
  status: 401,
  body: "invalid_client_certificate",
  reason,
});
const unavailable = (reason: string): Refusal => ({
  status: 403,
  body: "identity_unavailable",
  reason,
});

/** The request's credential verified as `method` (the control for each refusal below). */
async function expectVerified(running: Running, req: unknown, method: string): Promise<void> {
  const { event } = await check(running, req);
  expect(event.error).toBeUndefined();
  expect(event.identity?.methods).toEqual([method]);
}

/** The operational log (stderr, JSON lines) has a line with `msg` and every field of `fields`. */
function logged(sidecar: Sidecar, msg: string, fields: Record<string, unknown>): boolean {
  return sidecar.stderr.some((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.msg === msg && Object.entries(fields).every(([k, v]) => entry[k] === v);
    } catch {
      return false;
    }
  });
}

async function readiness(sidecar: Sidecar): Promise<{ ready: number; status: unknown }> {
  const ready = (await fetch(`http://${sidecar.admin}/readyz`)).status;
  const status = await (await fetch(`http://${sidecar.admin}/status`)).json();
  return { ready, status };
}

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** A SPIFFE bundle entry for an X.509 authority, with `count` copies of its certificate. */
function x509Authority(authority: Issuer, count = 1): JWK & { use: string } {
  const der = new X509Certificate(authority.pem).raw.toString("base64");
  return { kty: "EC", kid: "x509-ca", use: "x509-svid", x5c: Array(count).fill(der) };
}

/** An ALB identity token: header exp and signer as ALB sets them, segments padded like ALB's. */
async function albToken(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: { privateKey: CryptoKey | Uint8Array; alg: string; kid: string } = proxyKey,
): Promise<string> {
  const exp = nowSec() + 600;
  const token = await new SignJWT({ exp, sub: "carol", ...payload })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", signer: ARN, exp, ...header })
    .sign(key.privateKey);
  return token
    .split(".")
    .map((part) => part + "=".repeat((4 - (part.length % 4)) % 4))
    .join(".");
}

/** Signed without a `kid` header. */
const withoutKid = (key: SigningKey, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: "JWT" })
    .setExpirationTime("1h")
    .sign(key.privateKey);

async function startLoaded(): Promise<Running> {
  const sidecar = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: {
      spiffe: {
        trustDomains: {
          [TD]: await file("prod.json", {
            keys: [x509Authority(ca), { ...svidKey.publicJwk, use: "jwt-svid" }],
          }),
        },
        xfccIntermediates: true,
      },
      jwt: {
        issuers: [
          {
            issuer: RSA_ISSUER,
            audiences: ["openclaw"],
            algorithms: ["RS256"],
            jwks: { file: await file("rsa.json", { keys: [rsa.publicJwk, rsaOther.publicJwk] }) },
          },
          {
            issuer: TYPED_ISSUER,
            audiences: ["openclaw"],
            algorithms: ["ES256"],
            typ: "at+jwt",
            jwks: { file: await file("typed.json", { keys: [typedKey.publicJwk] }) },
          },
          {
            issuer: `${idp.url}/`,
            audiences: ["openclaw"],
            algorithms: ["ES256"],
            jwks: { url: `${idp.url}/jwks` },
            // Every unknown kid refetches, so the test need not wait out the 30 s default.
            unknownKidCooldown: "0ms",
          },
        ],
        svidAudiences: ["openclaw"],
      },
      trustedProxy: {
        cidrs: ["10.0.0.0/8"],
        signer: ARN,
        keyFile: await file("alb.json", { keys: [proxyKey.publicJwk] }),
      },
    },
  });
  return { sidecar, client: checkClient(sidecar.grpc) };
}

/** Every source here fails its first load: bundles that break a SPIFFE rule, a JWKS URL 404. */
async function startUnloaded(): Promise<Running> {
  const sidecar = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: {
      spiffe: {
        trustDomains: {
          "two-x5c.example": await file("two-x5c.json", { keys: [x509Authority(ca, 2)] }),
          "no-x5c.example": await file("no-x5c.json", { keys: [x509Authority(ca, 0)] }),
          "no-kid.example": await file("no-kid.json", {
            keys: [{ ...svidKey.publicJwk, kid: undefined, use: "jwt-svid" }],
          }),
        },
      },
      jwt: {
        issuers: [
          {
            issuer: DOWN_ISSUER,
            audiences: ["openclaw"],
            algorithms: ["ES256"],
            jwks: { url: `${idp.url}/missing` },
          },
        ],
        svidAudiences: ["openclaw"],
      },
    },
  });
  return { sidecar, client: checkClient(sidecar.grpc) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-identity-errors-"));
  [rsa, rsaOther, typedKey, urlKey, svidKey, proxyKey] = await Promise.all([
    signingKey("rsa-1", "RS256"),
    signingKey("rsa-2", "RS256"),
    signingKey("typed-1", "ES256"),
    signingKey("url-1", "ES256"),
    signingKey("svid-1", "ES256"),
    signingKey("alb-1", "ES256"),
  ]);
  ca = await createCa("openclaw root");
  idp = await startIdp(() => [urlKey.publicJwk]);
  // One after the other: if the second fails to start, afterAll still stops the first.
  loaded = await startLoaded();
  unloaded = await startUnloaded();
});

afterAll(async () => {
  for (const running of [loaded, unloaded]) {
    if (!running) continue;
    running.client.close();
    await running.sidecar.stop();
    // startSidecar writes its config into a temporary directory of its own.
    const args = running.sidecar.process.spawnargs;
    await rm(dirname(args[args.indexOf("--config") + 1] as string), {
      recursive: true,
      force: true,
    });
  }
  await idp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("with every source loaded", () => {
  const rsaClaims = { iss: RSA_ISSUER, aud: "openclaw", sub: "alice" };

  it("is ready and verifies a good credential of every kind (the control for what follows)", async () => {
    expect(await readiness(loaded.sidecar)).toEqual({
      ready: 200,
      status: expect.objectContaining({ identityReady: true }),
    });
    await expectVerified(loaded, bearer(await sign(rsa, rsaClaims)), "jwt");
    const typed = await sign(typedKey, { ...rsaClaims, iss: TYPED_ISSUER }, { typ: "at+jwt" });
    await expectVerified(loaded, bearer(typed), "jwt");
    await expectVerified(
      loaded,
      bearer(await sign(svidKey, { sub: PLANNER, aud: "openclaw" })),
      "jwt-svid",
    );
    await expectVerified(loaded, fromProxy(await albToken({})), "proxy");
    await expectVerified(
      loaded,
      withCertificate((await issue(ca, "p", { uris: [PLANNER] })).pem),
      "x509-svid",
    );
  });

  describe("JWT", () => {
    it.each<[string, () => Promise<string>, string]>([
      [
        "an ES256 token for an issuer that allows RS256 only",
        () => sign(typedKey, rsaClaims),
        "jwt: algorithm not allowed (ES256)",
      ],
      [
        "a PS256 token naming the issuer's own RSA key",
        async () =>
          rawToken({ alg: "PS256", kid: rsa.kid }, { ...rsaClaims, exp: nowSec() + 600 }, "AAAA"),
        "jwt: algorithm not allowed (PS256)",
      ],
      [
        "a token with typ JWT where the issuer requires at+jwt",
        () => sign(typedKey, { ...rsaClaims, iss: TYPED_ISSUER }),
        "jwt: wrong typ",
      ],
      [
        "a token without typ where the issuer requires at+jwt",
        () =>
          new SignJWT({ ...rsaClaims, iss: TYPED_ISSUER })
            .setProtectedHeader({ alg: "ES256", kid: typedKey.kid })
            .setExpirationTime("1h")
            .sign(typedKey.privateKey),
        "jwt: wrong typ",
      ],
      [
        "a token without kid for an issuer with two RS256 keys",
        () => withoutKid(rsa, rsaClaims),
        "jwt: ambiguous key (no kid)",
      ],
      [
        "a JWS of two segments",
        async () => (await sign(rsa, rsaClaims)).split(".").slice(0, 2).join("."),
        "jwt: malformed token",
      ],
      [
        "a JWS of four segments",
        async () => `${await sign(rsa, rsaClaims)}.AAAA`,
        "jwt: malformed token",
      ],
      [
        "a JWS whose header is not JSON",
        async () => {
          const [, payload, signature] = (await sign(rsa, rsaClaims)).split(".");
          return `${Buffer.from("not json").toString("base64url")}.${payload}.${signature}`;
        },
        "jwt: malformed token",
      ],
      [
        "a JWS whose signature is not base64url (refused by jose, after routing)",
        async () => `${(await sign(rsa, rsaClaims)).split(".").slice(0, 2).join(".")}.a+b/`,
        "jwt: malformed token",
      ],
    ])("%s is refused with 401", async (_, make, reason) => {
      await expectRefused(loaded, bearer(await make()), invalidToken(reason));
    });

    it("a Bearer value that is not one token is refused with 401", async () => {
      const req = request({ headers: { authorization: "Bearer two words" } });
      await expectRefused(loaded, req, invalidToken("jwt: malformed token"));
    });

    // Last in this file to use the identity provider: it stops it.
    it("an unknown kid refetches the keys; when the refetch fails it is 403, never an allow", async () => {
      const issuer = `${idp.url}/`;
      const claims = { iss: issuer, aud: "openclaw", sub: "alice" };
      await expectVerified(loaded, bearer(await sign(urlKey, claims)), "jwt");
      const rotated = await signingKey("url-2", "ES256");
      const before = idp.requests();
      await expectRefused(
        loaded,
        bearer(await sign(rotated, claims)),
        invalidToken("jwt: unknown kid"),
      );
      expect(idp.requests()).toBeGreaterThan(before); // the unknown kid made it refetch
      await idp.stop();
      const reason = `jwt: key refetch failed for issuer ${issuer}`;
      const event = await expectRefused(
        loaded,
        bearer(await sign(rotated, { ...claims, jti: "b" })),
        unavailable(reason),
      );
      expect(
        await until(() =>
          logged(loaded.sidecar, "check failed closed", {
            decision_id: event.decision_id,
            code: "identity_unavailable",
            err: reason,
          }),
        ),
      ).toBe(true);
      expect(
        logged(loaded.sidecar, "identity source failed; last good keys keep serving", {
          source: `${idp.url}/jwks`,
        }),
      ).toBe(true);
      // The last good keys keep serving a token they can prove.
      await expectVerified(loaded, bearer(await sign(urlKey, { ...claims, jti: "d" })), "jwt");
    });
  });

  describe("JWT-SVID", () => {
    const svid = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      sign(svidKey, claims, header);

    it.each<[string, () => Promise<string>, string]>([
      [
        "sub with a trailing slash",
        () => svid({ sub: `${PLANNER}/`, aud: "openclaw" }),
        "jwt-svid: sub is not a valid SPIFFE ID (SPIFFE ID must not end with a slash)",
      ],
      [
        "sub with an uppercase trust domain",
        () => svid({ sub: "spiffe://PROD.openclaw.internal/x", aud: "openclaw" }),
        "jwt-svid: sub is not a valid SPIFFE ID (SPIFFE ID trust domain must be lowercase [a-z0-9._-])",
      ],
      [
        "sub with a query",
        () => svid({ sub: `${PLANNER}?admin=1`, aud: "openclaw" }),
        "jwt-svid: sub is not a valid SPIFFE ID (SPIFFE ID must not have a query)",
      ],
      [
        "typ at+jwt (JWT-SVID §3 allows JWT or JOSE)",
        () => svid({ sub: PLANNER, aud: "openclaw" }, { typ: "at+jwt" }),
        "jwt-svid: wrong typ",
      ],
      ["no aud", () => svid({ sub: PLANNER }), "jwt-svid: missing aud"],
      [
        "another audience",
        () => svid({ sub: PLANNER, aud: ["someone-else"] }),
        "jwt-svid: wrong audience",
      ],
      [
        "an exp two minutes past (beyond the 30 s tolerance)",
        () => svid({ sub: PLANNER, aud: "openclaw", exp: nowSec() - 120 }),
        "jwt-svid: expired",
      ],
    ])("%s is refused with 401", async (_, make, reason) => {
      await expectRefused(loaded, bearer(await make()), invalidToken(reason));
    });
  });

  describe("trusted proxy", () => {
    it.each<[string, () => Promise<string>, string]>([
      [
        "ES384",
        async () => {
          const { privateKey } = await generateKeyPair("ES384");
          return albToken({}, {}, { privateKey, alg: "ES384", kid: proxyKey.kid });
        },
        "proxy: algorithm not allowed",
      ],
      [
        "RS256",
        () => albToken({}, {}, { privateKey: rsa.privateKey, alg: "RS256", kid: proxyKey.kid }),
        "proxy: algorithm not allowed",
      ],
      [
        "HS256 keyed with the proxy's public key",
        () =>
          albToken(
            {},
            {},
            {
              privateKey: new TextEncoder().encode(JSON.stringify(proxyKey.publicJwk)),
              alg: "HS256",
              kid: proxyKey.kid,
            },
          ),
        "proxy: algorithm not allowed",
      ],
      [
        "alg none",
        async () =>
          rawToken(
            { alg: "none", kid: proxyKey.kid, signer: ARN, exp: nowSec() + 600 },
            { sub: "carol", exp: nowSec() + 600 },
          ),
        "proxy: algorithm not allowed",
      ],
      [
        "a kid the key file does not hold",
        async () => {
          const other = await signingKey("alb-2", "ES256");
          return albToken({}, {}, other);
        },
        "proxy: unknown kid",
      ],
      [
        "a payload exp past while the header exp is still ahead",
        () => albToken({ exp: nowSec() - 600 }),
        "proxy: expired",
      ],
      [
        "a payload exp past and no header exp",
        () => albToken({ exp: nowSec() - 600 }, { exp: undefined }),
        "proxy: expired",
      ],
      [
        "a kid that is not a key name",
        () => albToken({}, { kid: "../../etc/passwd" }),
        "proxy: bad kid",
      ],
      ["not a JWS", async () => "not-a-token", "proxy: malformed token"],
    ])("%s is refused with 401", async (_, make, reason) => {
      await expectRefused(loaded, fromProxy(await make()), invalidToken(reason));
    });
  });

  describe("X.509-SVID", () => {
    let intermediate: Issuer;
    let leaf: Issuer;
    beforeAll(async () => {
      intermediate = await issue(ca, "intermediate", { ca: true });
      leaf = await issue(intermediate, "planner", { uris: [PLANNER] });
    });
    const xfcc = (chain: string) => ({
      "x-forwarded-client-cert": `By=spiffe://${TD}/envoy;Hash=abc;Chain=${chain};URI=${PLANNER}`,
    });

    it("takes intermediates from a well-formed XFCC Chain (the control)", async () => {
      const chain = `"${encodeURIComponent(leaf.pem + intermediate.pem)}"`;
      await expectVerified(loaded, withCertificate(leaf.pem, xfcc(chain)), "x509-svid");
    });

    it.each<[string, () => string, string]>([
      [
        "a Chain with an escape that is not UTF-8",
        () => `"${encodeURIComponent(leaf.pem + intermediate.pem)}${BAD_ESCAPE}"`,
        "x509-svid: malformed x-forwarded-client-cert Chain",
      ],
      [
        "a Chain whose intermediate is not a certificate",
        () =>
          `"${encodeURIComponent(`${leaf.pem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)}"`,
        "x509-svid: malformed x-forwarded-client-cert Chain",
      ],
      [
        "an unterminated quote",
        () => `"${encodeURIComponent(leaf.pem)}`,
        "x509-svid: unterminated quote in x-forwarded-client-cert",
      ],
    ])("%s is refused with 401", async (_, chain, reason) => {
      await expectRefused(
        loaded,
        withCertificate(leaf.pem, xfcc(chain())),
        invalidCertificate(reason),
      );
    });

    it("a source.certificate that is not URL-encoded is refused with 401", async () => {
      const encoded = `${encodeURIComponent(leaf.pem)}${BAD_ESCAPE}`;
      presented.add(leaf.pem);
      await expectRefused(
        loaded,
        request({ certificate: encoded }),
        invalidCertificate("x509-svid: certificate is not URL-encoded PEM"),
      );
    });
  });
});

describe("with sources that never loaded", () => {
  it("is not ready, and the operational log names each source and what is wrong with it", async () => {
    expect(await readiness(unloaded.sidecar)).toEqual({
      ready: 503,
      status: expect.objectContaining({ identityReady: false }),
    });
    // Nothing ever loaded from these: the log must not claim that last good keys serve.
    const failed =
      "identity source failed; nothing loaded from it yet, so its credentials are denied";
    const x5c = "x509-svid key must have exactly one x5c certificate";
    for (const [source, err] of [
      [join(dir, "two-x5c.json"), x5c],
      [join(dir, "no-x5c.json"), x5c],
      [join(dir, "no-kid.json"), "jwt-svid key must have a kid"],
      [`${idp.url}/missing`, `${idp.url}/missing: HTTP 404`],
    ]) {
      expect(logged(unloaded.sidecar, failed, { source, err }), source).toBe(true);
    }
  });

  it.each([
    ["two-x5c.example", "two x5c certificates"],
    ["no-x5c.example", "no x5c certificate"],
  ])("an X.509-SVID of %s (its bundle has an authority with %s) is 403", async (domain) => {
    const svid = await issue(ca, "w", { uris: [`spiffe://${domain}/w`] });
    await expectRefused(
      unloaded,
      withCertificate(svid.pem),
      unavailable(`x509-svid: trust bundle of ${domain} not loaded`),
    );
  });

  it("a JWT-SVID of no-kid.example (its bundle has a jwt-svid key without kid) is 403", async () => {
    const token = await sign(svidKey, { sub: "spiffe://no-kid.example/w", aud: "openclaw" });
    await expectRefused(
      unloaded,
      bearer(token),
      unavailable("jwt-svid: trust bundle of no-kid.example not loaded"),
    );
  });

  it("a JWT of an issuer whose keys never loaded is 403, logged as failed closed", async () => {
    const key = await signingKey("down-1", "ES256");
    const token = await sign(key, { iss: DOWN_ISSUER, aud: "openclaw", sub: "alice" });
    const reason = `jwt: no keys loaded for issuer ${DOWN_ISSUER}`;
    const event = await expectRefused(unloaded, bearer(token), unavailable(reason));
    const fault = { decision_id: event.decision_id, code: "identity_unavailable", err: reason };
    expect(await until(() => logged(unloaded.sidecar, "check failed closed", fault))).toBe(true);
  });
});

describe("what the sidecars wrote", () => {
  /** A part of a credential that only the credential itself contains. */
  const secretParts = (credential: string): string[] => {
    if (credential.includes("-----BEGIN")) {
      // The last full line of base64 holds signature bytes: no other certificate shares it.
      const lines = credential
        .trim()
        .split("\n")
        .map((line) => line.trim());
      const line = lines[lines.length - 3] ?? "";
      return [line, encodeURIComponent(line)];
    }
    const signature = (credential.split(".")[2] ?? "").split("=")[0] ?? "";
    return signature.length >= 16 ? [signature] : [];
  };

  it("holds no presented token signature or certificate, in the decision log or elsewhere", () => {
    const output = [loaded, unloaded]
      .flatMap(({ sidecar }) => [...sidecar.stdout, ...sidecar.stderr])
      .join("\n");
    const parts = [...presented].flatMap(secretParts);
    expect(parts.length).toBeGreaterThan(30);
    expect(parts.every((part) => part.length >= 16)).toBe(true);
    for (const part of parts) expect(output.includes(part), part).toBe(false);
  });
});
