import { X509Certificate } from "node:crypto";
import type { ParsedCertificate } from "./crypto-x509.js";

/** x509.VerifyOptions as OPA reads them from the policy's options object. */
export interface VerifyOptions {
  dnsName?: string;
  currentTimeMs: number;
  keyUsages: number[];
}

const INSECURE_SIGNATURES = new Set([1, 2, 3, 7, 9]); // MD2, MD5, SHA-1 (Go refuses them)
const signatureChecks = new WeakMap<ParsedCertificate, Map<ParsedCertificate, boolean>>();

/**
 * topdown's verifyX509CertificateChain: certs[0] is the root, the last the leaf, the rest
 * intermediates; the first chain Go's Verify would find (leaf first), or undefined.
 */
export function verifyChain(
  certs: ParsedCertificate[],
  options: VerifyOptions,
): ParsedCertificate[] | undefined {
  if (certs.length < 2) return undefined;
  const root = certs[0] as ParsedCertificate;
  const intermediates = certs.slice(1, -1);
  const leaf = certs[certs.length - 1] as ParsedCertificate;
  if (!isValid(leaf, "leaf", [], options)) return undefined;
  if (options.dnsName && !matchesHost(leaf, options.dnsName)) return undefined;
  const chains: ParsedCertificate[][] = leaf.der.equals(root.der)
    ? [[leaf]]
    : buildChains([leaf], [root], intermediates, options, { budget: 100 });
  const anyUsage = options.keyUsages.includes(0);
  const usages = options.keyUsages.length > 0 ? options.keyUsages : [1];
  return chains.find((chain) => anyUsage || chainAllowsUsages(chain, usages));
}

function buildChains(
  chain: ParsedCertificate[],
  roots: ParsedCertificate[],
  intermediates: ParsedCertificate[],
  options: VerifyOptions,
  limit: { budget: number },
): ParsedCertificate[][] {
  const child = chain[chain.length - 1] as ParsedCertificate;
  const out: ParsedCertificate[][] = [];
  const consider = (candidate: ParsedCertificate, type: "root" | "intermediate") => {
    if (limit.budget-- <= 0) return;
    if (chain.some((c) => c.der.equals(candidate.der))) return;
    if (!child.rawIssuer.equals(candidate.rawSubject)) return;
    if (!signedBy(child, candidate)) return;
    if (!isValid(candidate, type, chain, options)) return;
    const next = [...chain, candidate];
    if (type === "root") out.push(next);
    else out.push(...buildChains(next, roots, intermediates, options, limit));
  };
  for (const root of roots) consider(root, "root");
  for (const intermediate of intermediates) consider(intermediate, "intermediate");
  return out;
}

function signedBy(child: ParsedCertificate, parent: ParsedCertificate): boolean {
  const go = parent.go;
  if ((go.Version === 3 && !go.BasicConstraintsValid) || (go.BasicConstraintsValid && !go.IsCA))
    return false;
  const keyUsage = go.KeyUsage as number;
  if (keyUsage !== 0 && !(keyUsage & 32)) return false;
  if (INSECURE_SIGNATURES.has(child.go.SignatureAlgorithm as number)) return false;
  let byParent = signatureChecks.get(child);
  if (!byParent) {
    byParent = new Map();
    signatureChecks.set(child, byParent);
  }
  let ok = byParent.get(parent);
  if (ok === undefined) {
    try {
      ok = new X509Certificate(child.der).verify(new X509Certificate(parent.der).publicKey);
    } catch {
      ok = false;
    }
    byParent.set(parent, ok);
  }
  return ok;
}

function isValid(
  cert: ParsedCertificate,
  type: "leaf" | "intermediate" | "root",
  chain: ParsedCertificate[],
  options: VerifyOptions,
): boolean {
  if (cert.unhandledCritical > 0) return false;
  if (options.currentTimeMs < cert.notBeforeMs || options.currentTimeMs > cert.notAfterMs)
    return false;
  const go = cert.go;
  if (type === "intermediate" && (!go.BasicConstraintsValid || !go.IsCA)) return false;
  const maxPathLen = go.MaxPathLen as number;
  if (go.BasicConstraintsValid && maxPathLen >= 0 && chain.length - 1 > maxPathLen) return false;
  return true;
}

function chainAllowsUsages(chain: ParsedCertificate[], requested: number[]): boolean {
  const usages = [...requested];
  let remaining = usages.length;
  for (let i = chain.length - 1; i >= 0; i--) {
    const cert = chain[i] as ParsedCertificate;
    if (cert.extKeyUsage.length === 0 && cert.unknownExtKeyUsage === 0) continue;
    if (cert.extKeyUsage.includes(0)) continue;
    for (let j = 0; j < usages.length; j++) {
      if (usages[j] === -1 || cert.extKeyUsage.includes(usages[j] as number)) continue;
      usages[j] = -1;
      if (--remaining === 0) return false;
    }
  }
  return true;
}

/** x509.Certificate.VerifyHostname, for DNS names and IP literals (wildcards one label deep). */
function matchesHost(cert: ParsedCertificate, host: string): boolean {
  const candidate = host.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(candidate) || candidate.includes(":")) {
    return ((cert.go.IPAddresses as string[] | null) ?? []).includes(candidate);
  }
  const wanted = candidate.toLowerCase().replace(/\.$/, "");
  return ((cert.go.DNSNames as string[] | null) ?? []).some((name) => {
    const pattern = name.toLowerCase().replace(/\.$/, "");
    if (pattern === wanted) return true;
    if (!pattern.startsWith("*.")) return false;
    const dot = wanted.indexOf(".");
    return dot > 0 && wanted.slice(dot) === pattern.slice(1);
  });
}
