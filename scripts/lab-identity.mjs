#!/usr/bin/env node
// Generates the lab identity material the demo config uses, into build/lab/ (git-ignored):
// the SPIFFE trust domain from scripts/pki (the one lab PKI: root, issuing CA, SVIDs under
// build/lab/pki) with the planner's client SVID, and a JWT issuer key (jwks.json,
// issuer-key.json). Run `node scripts/lab-identity.mjs token [roles] [tenant]` to mint a token.
import { execFileSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
const LAB = join(SCRIPTS, "../build/lab");
const ISSUER = "https://idp.lab.openclaw.internal/";
const TRUST_DOMAIN = "prod.openclaw.internal";

async function generate() {
  await mkdir(LAB, { recursive: true, mode: 0o700 });
  const pki = join(LAB, "pki");
  // Its output is shown only on failure (in the thrown error).
  execFileSync("bash", [join(SCRIPTS, "pki"), pki, TRUST_DOMAIN], { stdio: "pipe" });
  // The root and the issuing CA: the demo has no Envoy to send the chain (XFCC), so the bare
  // SVID Envoy puts in source.certificate must verify against the bundle alone.
  const authorities = await Promise.all(
    [join(pki, "root/root.pem"), join(pki, "ca/ca.pem")].map((f) => readFile(f, "utf8")),
  );
  await writeFile(join(LAB, "bundle.pem"), authorities.join(""));
  await copyFile(join(pki, "planner/leaf.pem"), join(LAB, "planner.pem"));
  await copyFile(join(pki, "planner/svid-key.pem"), join(LAB, "planner-key.pem"));
  const key = await issuerKey("ES256", `lab-${Date.now().toString(36)}`);
  await writeFile(join(LAB, "jwks.json"), JSON.stringify({ keys: [key.publicJwk] }));
  await writeFile(
    join(LAB, "issuer-key.json"),
    JSON.stringify({ ...(await exportJWK(key.privateKey)), kid: key.kid }),
    { mode: 0o600 },
  );
  console.error(`lab identity written to ${LAB} (issuer ${ISSUER}, trust domain ${TRUST_DOMAIN})`);
}

/** A new JWT issuer key: the private key and its public JWK (with kid, alg, use sig). */
export async function issuerKey(alg, kid) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
  };
}

/** A lab access token from `key`: `roles` and `tenant` claims, for audience openclaw, valid `ttl`. */
export function accessToken(key, { issuer, subject, roles, tenant, ttl }) {
  return new SignJWT({ roles, tenant })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(issuer)
    .setAudience("openclaw")
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key.privateKey);
}

async function token(roles = "viewer", tenant = "acme") {
  const jwk = JSON.parse(await readFile(join(LAB, "issuer-key.json"), "utf8"));
  const key = { alg: "ES256", kid: jwk.kid, privateKey: await importJWK(jwk, "ES256") };
  const jwt = await accessToken(key, {
    issuer: ISSUER,
    subject: "lab-user",
    roles: roles.split(","),
    tenant,
    ttl: "1h",
  });
  process.stdout.write(`${jwt}\n`);
}

// Run as a script (not when bench/fixtures.mjs imports the issuer helpers).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === "token") await token(...args);
  else if (command === "generate" || !existsSync(join(LAB, "jwks.json"))) await generate();
}
