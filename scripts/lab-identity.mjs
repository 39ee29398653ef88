#!/usr/bin/env node
// Generates the lab identity material the demo config uses, into build/lab/ (git-ignored):
// a SPIFFE trust domain CA (bundle.pem) with a client SVID, and a JWT issuer key (jwks.json,
// issuer-key.json). Run `node scripts/lab-identity.mjs token [roles] [tenant]` to mint a token.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as x509 from "@peculiar/x509";
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, SignJWT } from "jose";

const LAB = join(dirname(fileURLToPath(import.meta.url)), "../build/lab");
const ISSUER = "https://idp.lab.openclaw.internal/";
const TRUST_DOMAIN = "prod.openclaw.internal";
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
x509.cryptoProvider.set(webcrypto);

async function generate() {
  await mkdir(LAB, { recursive: true, mode: 0o700 });
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=openclaw lab root,O=${TRUST_DOMAIN}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      new x509.SubjectAlternativeNameExtension([
        { type: "url", value: `spiffe://${TRUST_DOMAIN}` },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=planner",
    issuer: ca.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "url", value: `spiffe://${TRUST_DOMAIN}/ns/agents/sa/planner` },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `lab-${Date.now().toString(36)}`;
  await writeFile(join(LAB, "bundle.pem"), ca.toString("pem"));
  await writeFile(join(LAB, "planner.pem"), leaf.toString("pem"));
  await writeFile(
    join(LAB, "jwks.json"),
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] }),
  );
  await writeFile(
    join(LAB, "issuer-key.json"),
    JSON.stringify({ ...(await exportJWK(privateKey)), kid }),
    { mode: 0o600 },
  );
  await writeFile(join(LAB, "planner-key.pem"), await exportPKCS8(leafKeys.privateKey), {
    mode: 0o600,
  });
  console.error(`lab identity written to ${LAB} (issuer ${ISSUER}, trust domain ${TRUST_DOMAIN})`);
}

async function token(roles = "viewer", tenant = "acme") {
  const jwk = JSON.parse(await readFile(join(LAB, "issuer-key.json"), "utf8"));
  const key = await importJWK(jwk, "ES256");
  const jwt = await new SignJWT({ roles: roles.split(","), tenant })
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience("openclaw")
    .setSubject("lab-user")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
  process.stdout.write(`${jwt}\n`);
}

const [command, ...args] = process.argv.slice(2);
if (command === "token") await token(...args);
else if (command === "generate" || !existsSync(join(LAB, "jwks.json"))) await generate();
