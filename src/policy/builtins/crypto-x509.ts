import { createPublicKey } from "node:crypto";
import {
  bitString,
  children,
  type Der,
  integer,
  oidText,
  readDer,
  readOnly,
  time,
  unsignedBigInt,
} from "./crypto-der.js";
import { certificateExtensions } from "./crypto-x509-extensions.js";
import { pkixName } from "./crypto-x509-names.js";

/** A parsed certificate: Go's x509.Certificate as JSON-ready fields, plus what verification needs. */
export interface ParsedCertificate {
  readonly go: Record<string, unknown>;
  readonly der: Buffer;
  readonly rawSubject: Buffer;
  readonly rawIssuer: Buffer;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly extKeyUsage: number[];
  readonly unknownExtKeyUsage: number;
  readonly unhandledCritical: number;
  readonly uriStrings: string[] | null;
}

const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1,
  "1.2.840.113549.1.1.4": 2,
  "1.2.840.113549.1.1.5": 3,
  "1.3.14.3.2.29": 3,
  "1.2.840.113549.1.1.11": 4,
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7,
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9,
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.3.101.112": 16,
};
const PSS_HASHES: Record<string, number> = {
  "2.16.840.1.101.3.4.2.1": 13,
  "2.16.840.1.101.3.4.2.2": 14,
  "2.16.840.1.101.3.4.2.3": 15,
};
const PUBLIC_KEY_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.1": 1,
  "1.2.840.10040.4.1": 2,
  "1.2.840.10045.2.1": 3,
  "1.3.101.112": 4,
};

/** Go's x509.SignatureAlgorithm for an AlgorithmIdentifier (0 when unknown). */
export function signatureAlgorithm(algorithm: Der): number {
  const [id, params] = children(algorithm);
  if (!id) throw new Error("x509: malformed OID");
  const text = oidText(id);
  if (text === "1.2.840.113549.1.1.10") {
    // RSASSA-PSS: the hash is in the parameters ([0] hashAlgorithm).
    const hash = params ? children(params).find((c) => c.tag === 0xa0) : undefined;
    const hashId = hash ? children(children(hash)[0] as Der)[0] : undefined;
    return hashId ? (PSS_HASHES[oidText(hashId)] ?? 0) : 0;
  }
  return SIGNATURE_ALGORITHMS[text] ?? 0;
}

/** Go's PublicKeyAlgorithm and PublicKey (as json.Marshal writes each key type). */
export function publicKey(spki: Der): { algorithm: number; key: unknown } {
  const [algorithm, bits] = children(spki);
  if (!algorithm || !bits) throw new Error("x509: malformed spki");
  const [id, params] = children(algorithm);
  if (!id) throw new Error("x509: malformed OID");
  const kind = PUBLIC_KEY_ALGORITHMS[oidText(id)] ?? 0;
  try {
    if (kind === 2 && params) {
      // dsa.PublicKey embeds dsa.Parameters: json.Marshal writes P, Q, G beside Y.
      const [p, q, g] = children(params).map(integer);
      return { algorithm: kind, key: { P: p, Q: q, G: g, Y: integer(readOnly(bitString(bits))) } };
    }
    if (kind === 0) return { algorithm: 0, key: null };
    const jwk = createPublicKey({ key: spki.raw, format: "der", type: "spki" }).export({
      format: "jwk",
    });
    const big = (v: string | undefined) => unsignedBigInt(Buffer.from(v ?? "", "base64url"));
    if (kind === 1) return { algorithm: kind, key: { N: big(jwk.n), E: Number(big(jwk.e)) } };
    if (kind === 3) return { algorithm: kind, key: { Curve: {}, X: big(jwk.x), Y: big(jwk.y) } };
    return { algorithm: kind, key: Buffer.from(jwk.x ?? "", "base64url") };
  } catch {
    throw new Error("x509: failed to parse public key");
  }
}

/** One DER certificate as Go's x509.ParseCertificate reads it (the common fields; see docs). */
export function parseCertificate(der: Buffer): ParsedCertificate {
  let certificate: Der;
  try {
    certificate = readOnly(der);
  } catch {
    throw new Error("x509: malformed certificate");
  }
  const [tbs, signatureAlgorithmDer, signature] = children(certificate);
  if (certificate.tag !== 0x30 || !tbs || !signatureAlgorithmDer || !signature) {
    throw new Error("x509: malformed certificate");
  }
  const fields = children(tbs);
  let index = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    version = Number(integer(children(fields[0])[0] as Der)) + 1;
    index++;
  }
  const [serial, innerAlgorithm, issuer, validity, subject, spki] = fields.slice(index, index + 6);
  if (!serial || !innerAlgorithm || !issuer || !validity || !subject || !spki)
    throw new Error("x509: malformed tbs certificate");
  const serialNumber = integer(serial);
  // Go refuses negative serial numbers (GODEBUG x509negativeserial=1 aside).
  if (serialNumber < 0n) throw new Error("x509: negative serial number");
  if (!innerAlgorithm.raw.equals(signatureAlgorithmDer.raw)) {
    throw new Error("x509: inner and outer signature algorithm identifiers don't match");
  }
  const [notBefore, notAfter] = children(validity).map(time);
  if (!notBefore || !notAfter) throw new Error("x509: malformed validity");
  const extensionsDer = fields.slice(index + 6).find((f) => f.tag === 0xa3);
  const extensionList = extensionsDer ? children(children(extensionsDer)[0] as Der) : [];
  const ext = certificateExtensions(extensionList);
  const { algorithm, key } = publicKey(spki);
  const go: Record<string, unknown> = {
    Raw: certificate.raw,
    RawTBSCertificate: tbs.raw,
    RawSubjectPublicKeyInfo: spki.raw,
    RawSubject: subject.raw,
    RawIssuer: issuer.raw,
    Signature: bitString(signature),
    SignatureAlgorithm: signatureAlgorithm(signatureAlgorithmDer),
    PublicKeyAlgorithm: algorithm,
    PublicKey: key,
    Version: version,
    SerialNumber: serialNumber,
    Issuer: pkixName(issuer),
    Subject: pkixName(subject),
    NotBefore: notBefore,
    NotAfter: notAfter,
    ...ext.fields,
  };
  return {
    go,
    der: certificate.raw,
    rawSubject: subject.raw,
    rawIssuer: issuer.raw,
    notBeforeMs: Date.parse(notBefore),
    notAfterMs: Date.parse(notAfter),
    extKeyUsage: (go.ExtKeyUsage as number[] | null) ?? [],
    unknownExtKeyUsage: ((go.UnknownExtKeyUsage as unknown[] | null) ?? []).length,
    unhandledCritical: ((go.UnhandledCriticalExtensions as unknown[] | null) ?? []).length,
    uriStrings: ext.uriStrings,
  };
}

/** x509.ParseCertificates: concatenated DER certificates. */
export function parseCertificates(der: Buffer): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  let offset = 0;
  while (offset < der.length) {
    let next: number;
    try {
      next = readDer(der, offset).next;
    } catch {
      throw new Error("x509: malformed certificate");
    }
    out.push(parseCertificate(der.subarray(offset, next)));
    offset = next;
  }
  return out;
}

/** Go's JSON of the certificates, with OPA's URIStrings added when `withUriStrings`. */
export function certificatesJson(certs: ParsedCertificate[], withUriStrings: boolean): unknown[] {
  return certs.map((cert) => {
    if (!withUriStrings) return cert.go;
    return { ...cert.go, URIStrings: cert.uriStrings };
  });
}
