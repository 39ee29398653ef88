/** A local identity provider for tests: signing keys, a JWKS/OIDC HTTP server that can go down. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg: "RS256" | "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
  };
}

/** Writes the public keys as a JWKS file in a new temporary directory; returns its path. */
export async function jwksFile(...keys: SigningKey[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "oc-jwks-")), "jwks.json");
  await writeFile(path, JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
  return path;
}

/** An `identity.jwt.issuers` entry: ES256 tokens from `issuer` for `audience`, keys from a file. */
export function es256Issuer(issuer: string, jwks: string, audience = "openclaw") {
  return { issuer, audiences: [audience], algorithms: ["ES256"], jwks: { file: jwks } };
}

/** Signs `claims` (exp one hour ahead unless given) with `key`; header extras merged in. */
export function sign(
  key: SigningKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .setIssuedAt();
  if (!("exp" in claims)) jwt.setExpirationTime("1h");
  return jwt.sign(key.privateKey);
}

/** Serves `/jwks` and `/.well-known/openid-configuration` on a free loopback port. */
export async function startIdp(
  keys: () => JWK[],
): Promise<{ url: string; requests: () => number; stop(): Promise<void> }> {
  let count = 0;
  let base = "";
  const server: Server = createServer((request, response) => {
    count++;
    if (request.url === "/.well-known/openid-configuration") {
      response.end(JSON.stringify({ issuer: `${base}/`, jwks_uri: `${base}/jwks` }));
    } else if (request.url === "/jwks") {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: keys() }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url: base,
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An unsigned or arbitrarily signed compact JWT, for the attack corpus. */
export function rawToken(header: object, payload: object | string, signature = ""): string {
  const encode = (part: object | string) =>
    Buffer.from(typeof part === "string" ? part : JSON.stringify(part)).toString("base64url");
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
