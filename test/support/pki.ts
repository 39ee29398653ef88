/**
 * Test PKI generated at test time with @peculiar/x509 (nothing committed): CAs, intermediates
 * and SVIDs, including the malformed ones the attack corpus needs.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

export interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
}

export interface CertOptions {
  uris?: string[];
  dns?: string[];
  ca?: boolean;
  /** Key usage flags; null leaves the extension out. */
  keyUsage?: number | null;
  notBefore?: Date;
  notAfter?: Date;
}

const LEAF_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
const CA_USAGE =
  x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;

let serial = 1;

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

function extensions(options: CertOptions, isCa: boolean): x509.Extension[] {
  const out: x509.Extension[] = [new x509.BasicConstraintsExtension(isCa, undefined, true)];
  const usage = options.keyUsage === undefined ? (isCa ? CA_USAGE : LEAF_USAGE) : options.keyUsage;
  if (usage !== null) out.push(new x509.KeyUsagesExtension(usage, true));
  const names = [
    ...(options.uris ?? []).map((value) => ({ type: "url" as const, value })),
    ...(options.dns ?? []).map((value) => ({ type: "dns" as const, value })),
  ];
  if (names.length > 0) out.push(new x509.SubjectAlternativeNameExtension(names));
  return out;
}

/** A self-signed CA. */
export async function createCa(name: string, options: CertOptions = {}): Promise<Issuer> {
  const pair = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    name: `CN=${name}`,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
    keys: pair,
    signingAlgorithm: ALGORITHM,
    extensions: [
      ...extensions(options, true),
      await x509.SubjectKeyIdentifierExtension.create(pair.publicKey),
    ],
  });
  return { cert, keys: pair, pem: cert.toString("pem") };
}

/** A certificate signed by `issuer`: a leaf SVID by default, an intermediate CA with `ca: true`. */
export async function issue(
  issuer: Issuer,
  name: string,
  options: CertOptions = {},
): Promise<Issuer> {
  const pair = await keys();
  const isCa = options.ca ?? false;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + DAY),
    publicKey: pair.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      ...extensions(options, isCa),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(pair.publicKey),
    ],
  });
  return { cert, keys: pair, pem: cert.toString("pem") };
}

/** The URL-encoded PEM Envoy puts in `attributes.source.certificate`. */
export const envoyEncoded = (pem: string) => encodeURIComponent(pem);

export const days = (n: number) => new Date(Date.now() + n * DAY);
