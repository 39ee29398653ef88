import { base64OrThrow, pemDecode } from "./crypto-pem.js";
import { type ParsedCertificate, parseCertificates } from "./crypto-x509.js";

/** topdown's getX509CertsFromString: PEM, base64 of PEM, or base64 of concatenated DER. */
export function certificatesFromString(input: string): ParsedCertificate[] {
  if (input.startsWith("-----BEGIN")) return certificatesFromPem(input);
  const bytes = base64OrThrow(input);
  const latin1 = bytes.toString("latin1");
  if (latin1.startsWith("-----BEGIN")) return certificatesFromPem(latin1);
  return parseCertificates(bytes);
}

/** Every PEM block must be a CERTIFICATE; their DER is parsed as one concatenation. */
export function certificatesFromPem(input: string): ParsedCertificate[] {
  const ders: Buffer[] = [];
  let rest = input;
  while (rest.length > 0) {
    const { block, rest: next } = pemDecode(rest);
    if (!block) break;
    if (block.type !== "CERTIFICATE") {
      throw new Error(`PEM block type is '${block.type}', expected CERTIFICATE`);
    }
    ders.push(block.bytes);
    rest = next;
  }
  return parseCertificates(Buffer.concat(ders));
}
