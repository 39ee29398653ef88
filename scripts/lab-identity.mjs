#!/usr/bin/env node
// Generates the lab identity material the demo config (config/demo.yaml) uses, none of it
// committed. The one lab PKI is scripts/pki's, in its default folder build/pki (the README's
// local mTLS lab gives Envoy and curl their SVIDs from there); into build/lab go the demo's trust
// bundle (that PKI's root and issuing CA), the planner's SVID, and a JWT issuer key (jwks.json,
// issuer-key.json). Run with no argument it makes what is missing or stale (the PKI replaced,
// the planner's 24 h SVID about to expire), `generate` remakes all of it, and
// `node scripts/lab-identity.mjs token [roles] [tenant]` mints a token.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
const PKI = join(SCRIPTS, "../build/pki");
const LAB = join(SCRIPTS, "../build/lab");
const ISSUER = "https://idp.lab.openclaw.internal/";
const TRUST_DOMAIN = "prod.openclaw.internal";
const AUTHORITIES = [join(PKI, "root/root.pem"), join(PKI, "ca/ca.pem")];

/** The PKI's root and issuing CA, as the demo trusts them; undefined before scripts/pki ran. */
function authorities() {
  if (!AUTHORITIES.every((file) => existsSync(file))) return undefined;
  return AUTHORITIES.map((file) => readFileSync(file, "utf8")).join("");
}

/** Whether build/lab's trust bundle and planner SVID must be made again from build/pki. */
function pkiStale() {
  const bundle = join(LAB, "bundle.pem");
  const planner = join(LAB, "planner.pem");
  if (!existsSync(bundle) || !existsSync(planner)) return true;
  if (readFileSync(bundle, "utf8") !== authorities()) return true;
  const expires = Date.parse(new X509Certificate(readFileSync(planner)).validTo);
  return expires - Date.now() < 3_600_000;
}

/**
 * scripts/pki into build/pki (the root and issuing CA are kept if there, the SVIDs issued anew),
 * then the demo's bundle and the planner's SVID into build/lab.
 */
async function generatePki() {
  await mkdir(LAB, { recursive: true, mode: 0o700 });
  // Its output is shown only on failure (in the thrown error).
  execFileSync("bash", [join(SCRIPTS, "pki"), PKI, TRUST_DOMAIN], { stdio: "pipe" });
  // The root and the issuing CA: without Envoy (grpcurl, `check`) there is no XFCC chain, so
  // the bare SVID in source.certificate must verify against the bundle alone.
  await writeFile(join(LAB, "bundle.pem"), authorities() ?? "");
  await copyFile(join(PKI, "planner/leaf.pem"), join(LAB, "planner.pem"));
  await copyFile(join(PKI, "planner/svid-key.pem"), join(LAB, "planner-key.pem"));
  console.error(`lab PKI in ${PKI} (trust domain ${TRUST_DOMAIN}), demo bundle in ${LAB}`);
}

async function generateIssuer() {
  await mkdir(LAB, { recursive: true, mode: 0o700 });
  const key = await issuerKey("ES256", `lab-${Date.now().toString(36)}`);
  await writeFile(join(LAB, "jwks.json"), JSON.stringify({ keys: [key.publicJwk] }));
  await writeFile(
    join(LAB, "issuer-key.json"),
    JSON.stringify({ ...(await exportJWK(key.privateKey)), kid: key.kid }),
    { mode: 0o600 },
  );
  console.error(`lab JWT issuer key in ${LAB} (issuer ${ISSUER})`);
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
  else {
    if (command === "generate" || pkiStale()) await generatePki();
    if (command === "generate" || !existsSync(join(LAB, "jwks.json"))) await generateIssuer();
  }
}
