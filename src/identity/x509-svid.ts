// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { X509Certificate } from "node:crypto";
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate as ParsedCertificate,
  SubjectAlternativeNameExtension,
} from "@peculiar/x509";
import { InvalidCredential } from "../errors.js";
import { parseSpiffeId, type SpiffeId, SpiffeIdError } from "./spiffe-id.js";
import type { TrustBundle } from "./trust-bundle.js";

/** Longest chain of intermediates followed from the leaf to a bundle authority. */
const MAX_INTERMEDIATES = 5;

const fail = (reason: string) => new InvalidCredential("x509-svid", reason);

/**
 * Verifies an X.509-SVID (SPIFFE X509-SVID specification §4–5): exactly one URI SAN holding a
 * valid SPIFFE ID; not a CA; key usage present with digitalSignature and without keyCertSign or
 * cRLSign; inside its validity window; chained (through at most five CA `intermediates`) to the
 * bundle of its own trust domain. Returns the SPIFFE ID, the bundle that vouched for it and when
 * the first certificate of the chain expires. Throws {@link InvalidCredential} naming the rule.
 */
export function verifyX509Svid(
  leafPem: string,
  intermediates: X509Certificate[],
  bundleFor: (trustDomain: string) => TrustBundle | undefined,
  now: Date,
): { spiffe: SpiffeId; bundle: TrustBundle; expiresAtMs: number } {
  const leaf = parseCertificate(leafPem);
  const spiffeId = checkLeafExtensions(new ParsedCertificate(leaf.raw));
  checkValidity(leaf, now, "certificate");
  const bundle = bundleFor(spiffeId.trustDomain);
  if (!bundle || bundle.x509Authorities.length === 0) {
    throw fail(`trust domain ${spiffeId.trustDomain} is not trusted`);
  }
  let current = leaf;
  let expiresAtMs = Date.parse(leaf.validTo);
  for (let depth = 0; depth <= MAX_INTERMEDIATES; depth++) {
    const root = bundle.x509Authorities.find((authority) => signs(authority, current));
    if (root) {
      checkValidity(root, now, "trust bundle authority");
      return {
        spiffe: spiffeId,
        bundle,
        expiresAtMs: Math.min(expiresAtMs, Date.parse(root.validTo)),
      };
    }
    const parent = intermediates.find((candidate) => candidate.ca && signs(candidate, current));
    if (!parent) break;
    checkValidity(parent, now, "intermediate");
    expiresAtMs = Math.min(expiresAtMs, Date.parse(parent.validTo));
    current = parent;
  }
  throw fail(`not signed by the bundle of trust domain ${spiffeId.trustDomain}`);
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw fail("not a certificate");
  }
}

function checkLeafExtensions(certificate: ParsedCertificate): SpiffeId {
  const san = certificate.getExtension(SubjectAlternativeNameExtension);
  const uris = san?.names.items.filter((name) => name.type === "url") ?? [];
  if (uris.length === 0) throw fail("no URI SAN");
  if (uris.length > 1) throw fail("more than one URI SAN");
  let spiffeId: SpiffeId;
  try {
    spiffeId = parseSpiffeId(uris[0]?.value ?? "");
  } catch (error) {
    throw fail(error instanceof SpiffeIdError ? error.message : "invalid SPIFFE ID");
  }
  if (certificate.getExtension(BasicConstraintsExtension)?.ca)
    throw fail("leaf is a CA certificate");
  const keyUsage = certificate.getExtension(KeyUsagesExtension);
  if (!keyUsage) throw fail("key usage extension missing");
  if (!(keyUsage.usages & KeyUsageFlags.digitalSignature))
    throw fail("key usage lacks digitalSignature");
  if (keyUsage.usages & KeyUsageFlags.keyCertSign) throw fail("key usage has keyCertSign");
  if (keyUsage.usages & KeyUsageFlags.cRLSign) throw fail("key usage has cRLSign");
  return spiffeId;
}

function checkValidity(certificate: X509Certificate, now: Date, what: string): void {
  if (now < new Date(certificate.validFrom)) throw fail(`${what} not yet valid`);
  if (now > new Date(certificate.validTo)) throw fail(`${what} expired`);
}

function signs(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
