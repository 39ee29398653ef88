import { X509Certificate } from "node:crypto";
import { InvalidCredential } from "../errors.js";
import { pemCertificates } from "./pem.js";

/**
 * The intermediates in the `Chain` of the last `x-forwarded-client-cert` element (the one Envoy
 * appended for this hop; with `forward_client_cert_details: SANITIZE_SET` it is the only one).
 * The chain's first certificate is the leaf and is skipped. Only CA certificates are returned.
 * Throws InvalidCredential when the header is malformed.
 */
export function intermediatesFromXfcc(header: string | undefined): X509Certificate[] {
  if (!header) return [];
  const elements = splitQuoted(header, ",");
  const last = elements[elements.length - 1] ?? "";
  const chain = splitQuoted(last, ";")
    .map((pair) =>
      pair.split("=", 1)[0]?.trim().toLowerCase() === "chain"
        ? pair.slice(pair.indexOf("=") + 1)
        : undefined,
    )
    .find((value) => value !== undefined);
  if (chain === undefined) return [];
  try {
    const pem = decodeURIComponent(unquote(chain.trim()));
    return pemCertificates(pem)
      .slice(1)
      .map((block) => new X509Certificate(block))
      .filter((c) => c.ca);
  } catch {
    throw new InvalidCredential("x509-svid", "malformed x-forwarded-client-cert Chain");
  }
}

/** Splits on `separator` outside double quotes (XFCC quotes values holding `,;=`). */
function splitQuoted(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && quoted) {
      current += c + (text[++i] ?? "");
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (quoted)
    throw new InvalidCredential("x509-svid", "unterminated quote in x-forwarded-client-cert");
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, "$1");
}
