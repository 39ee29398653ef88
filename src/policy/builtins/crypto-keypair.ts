import { keyMatches, type ParsedKey, parsePrivateKeyDer } from "./crypto-keys.js";
import { base64OrThrow, pemDecode } from "./crypto-pem.js";
import { parseCertificate } from "./crypto-x509.js";

const BEGIN = "-----BEGIN ";

/** topdown's getTLSx509KeyPairFromString + tls.X509KeyPair, as Go's tls.Certificate marshals. */
export function keyPair(certText: string, keyText: string): Record<string, unknown> {
  const certPem = certText.startsWith(BEGIN)
    ? certText
    : base64OrThrow(certText).toString("latin1");
  const keyPem = keyText.startsWith(BEGIN) ? keyText : base64OrThrow(keyText).toString("latin1");
  const certDers: Buffer[] = [];
  if (certPem.startsWith(BEGIN)) {
    let rest = certPem;
    for (;;) {
      const { block, rest: next } = pemDecode(rest);
      if (!block) break;
      if (block.type === "CERTIFICATE") certDers.push(block.bytes);
      rest = next;
    }
  } else certDers.push(Buffer.from(certPem, "latin1"));
  if (certDers.length === 0)
    throw new Error("tls: failed to find any PEM data in certificate input");
  let keyDer: Buffer | undefined;
  if (keyPem.startsWith("-----BEGIN")) {
    let rest = keyPem;
    for (;;) {
      const { block, rest: next } = pemDecode(rest);
      if (!block) break;
      if (block.type === "PRIVATE KEY" || block.type.endsWith(" PRIVATE KEY")) {
        keyDer = block.bytes;
        break;
      }
      rest = next;
    }
  } else keyDer = Buffer.from(keyPem, "latin1");
  if (!keyDer) throw new Error("tls: failed to find any PEM data in key input");
  const leaf = parseCertificate(certDers[0] as Buffer);
  const key = anyPrivateKey(keyDer);
  if (!keyMatches(key.key, leaf.go.RawSubjectPublicKeyInfo as Buffer)) {
    throw new Error("tls: private key does not match public key");
  }
  return {
    Certificate: certDers,
    PrivateKey: key.go,
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: leaf.go,
  };
}

/** tls's parsePrivateKey: PKCS #1, then PKCS #8, then SEC 1. */
function anyPrivateKey(der: Buffer): ParsedKey {
  for (const type of ["pkcs1", "pkcs8", "sec1"] as const) {
    try {
      return parsePrivateKeyDer(der, type);
    } catch {
      // next encoding
    }
  }
  throw new Error("tls: failed to parse private key");
}
