import type { BuiltInput, Identity, IdentityOutcome } from "../authz/index.js";
import type { IdentityConfig } from "../config/index.js";
import { CredentialBackendError, InvalidCredential } from "../errors.js";
import type { InputDocument } from "../input/index.js";
import { type WatchedFile, watchFile } from "../watched-file.js";
import { type BearerFound, bearerToken, verifyBearer } from "./bearer.js";
import type { IdentityDeps } from "./deps.js";
import type { IssuerPolicy, VerifiedJwt } from "./jwt.js";
import { keySource, proxyPolicy } from "./sources.js";
import type { SpiffeId } from "./spiffe-id.js";
import { parseTrustBundle, type TrustBundle } from "./trust-bundle.js";
import { isTrustedPeer, verifyProxyToken } from "./trusted-proxy.js";
import { createVerifiedCache } from "./verified-cache.js";
import { intermediatesFromXfcc } from "./xfcc.js";

/** Verifies the credentials of one request. */
export interface IdentityVerifier {
  /**
   * The headers that carry credentials (the bearer token, the proxy identity header): the input
   * builder leaves them out of the document and hands them to {@link verify} apart.
   */
  readonly credentialHeaders: readonly string[];
  /**
   * Verifies every credential the request presents and returns `input.identity`. Reads the
   * peer certificate and XFCC from the document, the tokens from `input.credentials`.
   * Throws InvalidCredential (401) or CredentialBackendError (deny).
   */
  verify(input: BuiltInput): Promise<IdentityOutcome>;
  /** Every configured key source and bundle has loaded at least once. */
  ready(): boolean;
  /** Each issuer whose keys are fetched (not read from a file), with its last good fetch. */
  keySets(): KeySetStatus[];
  close(): void;
}

type Headers = Record<string, string>;

/** An issuer's remote key set and when it was last fetched (wall-clock ms; 0: never). */
export interface KeySetStatus {
  issuer: string;
  refreshedAtMs: number;
}

/** Loads trust bundles and key sets, then returns the verifier for `config`. */
export async function createIdentityVerifier(
  deps: IdentityDeps,
  config: IdentityConfig,
): Promise<IdentityVerifier> {
  const closers: Array<() => void> = [];
  const watch = async <T>(path: string, parse: (text: string) => T): Promise<WatchedFile<T>> => {
    // Unset while the first read runs: a failure then has nothing to fall back on.
    let file: WatchedFile<T> | undefined;
    const onError = (error: Error) =>
      deps.onSourceError(path, error, file?.current() !== undefined);
    file = await watchFile({ parse, onError }, { path, intervalMs: config.fileRefreshInterval });
    closers.push(file.close);
    return file;
  };
  const bundles = new Map<string, WatchedFile<TrustBundle>>();
  for (const [trustDomain, path] of Object.entries(config.spiffe?.trustDomains ?? {})) {
    bundles.set(trustDomain, await watch(path, parseTrustBundle));
  }
  const bundleFor = (trustDomain: string) => bundles.get(trustDomain)?.current();
  // A configured trust domain whose bundle never loaded cannot check its SVIDs: that is an
  // unavailable source (403), as for an issuer without keys, not an untrusted domain (401).
  const loadedBundleFor = (method: "x509-svid" | "jwt-svid") => (trustDomain: string) => {
    const bundle = bundleFor(trustDomain);
    if (bundles.has(trustDomain) && !bundle)
      throw new CredentialBackendError(method, `trust bundle of ${trustDomain} not loaded`);
    return bundle;
  };
  const issuers = await Promise.all(
    (config.jwt?.issuers ?? []).map(async (issuer): Promise<IssuerPolicy> => {
      const keys = await keySource(issuer.jwks, issuer, deps, watch);
      closers.push(keys.close);
      return {
        issuer: issuer.issuer,
        audiences: issuer.audiences,
        algorithms: issuer.algorithms,
        typ: issuer.typ,
        keys,
      };
    }),
  );
  const proxy = config.trustedProxy && (await proxyPolicy(config.trustedProxy, deps, watch));
  const settings = { clockToleranceSec: config.clockTolerance / 1000, clock: deps.clock };
  const cacheOptions = { max: config.verifiedCacheSize, maxAgeMs: 300_000 };
  const bearer = {
    issuers,
    svidAudiences: config.jwt?.svidAudiences ?? [],
    bundleFor: loadedBundleFor("jwt-svid"),
    settings,
    cache: createVerifiedCache<BearerFound>(deps, cacheOptions),
  };
  const certificates = createVerifiedCache<{ spiffe: SpiffeId; expiresAtMs: number }>(
    deps,
    cacheOptions,
  );
  // @peculiar/x509 and its ASN.1 schemas (~10 MB resident, ~0.1 s of the event loop) load only
  // where SPIFFE is configured, and not on the way to ready: a certificate that arrives sooner
  // waits for them. A failed load fails every certificate check (a deny), not the start.
  const x509 = config.spiffe ? import("./x509-svid.js") : undefined;
  x509?.catch(() => {});
  const verifyCertificate = (
    { verifyX509Svid }: Awaited<NonNullable<typeof x509>>,
    pem: string,
    headers: Headers,
  ) => {
    const xfcc = config.spiffe?.xfccIntermediates ? headers["x-forwarded-client-cert"] : undefined;
    const key = xfcc === undefined ? pem : `${pem}\n${xfcc}`;
    const cached = certificates.get(key, (entry) => bundleFor(entry.spiffe.trustDomain));
    if (cached) return cached;
    const verified = verifyX509Svid(
      pem,
      intermediatesFromXfcc(xfcc),
      loadedBundleFor("x509-svid"),
      deps.clock.now(),
    );
    const entry = { spiffe: verified.spiffe, expiresAtMs: verified.expiresAtMs };
    certificates.set(key, verified.bundle, entry, verified.expiresAtMs);
    return entry;
  };

  return {
    credentialHeaders: [config.jwt?.header, proxy?.header].filter(
      (header): header is string => header !== undefined,
    ),
    async verify({ document, credentials }) {
      const found: Found = {};
      const suspicious: string[] = [];
      const certificate = peerCertificate(document);
      if (certificate !== undefined && x509) {
        const verified = verifyCertificate(await x509, certificate, requestHeaders(document));
        found.x509 = verified.spiffe;
        found.x509ExpiresAtMs = verified.expiresAtMs;
      }
      if (config.jwt) {
        const token = bearerToken(credentials, config.jwt.header);
        if (token !== undefined) {
          if (Buffer.byteLength(token) > config.jwt.maxTokenBytes)
            throw new InvalidCredential("jwt", "token too large");
          Object.assign(found, await verifyBearer(token, bearer));
        }
      }
      if (proxy) {
        const value = credentials[proxy.header];
        if (value !== undefined) {
          if (isTrustedPeer(proxy, peerAddress(document)))
            found.proxy = await verifyProxyToken(value, proxy, settings);
          else
            suspicious.push(
              `${proxy.header} from untrusted peer ${peerAddress(document) ?? "unknown"} ignored`,
            );
        }
      }
      return {
        identity: toIdentity(found, proxy?.header),
        suspicious,
        expiresAtMs: expiresAt(found),
      };
    },
    ready: () =>
      [...bundles.values()].every((b) => b.current() !== undefined) &&
      issuers.every((i) => i.keys.current() !== undefined),
    keySets: () =>
      issuers.flatMap(({ issuer, keys }) =>
        keys.refreshedAtMs ? [{ issuer, refreshedAtMs: keys.refreshedAtMs() }] : [],
      ),
    close: () => {
      for (const close of closers) close();
    },
  };
}

interface Found {
  x509?: SpiffeId;
  x509ExpiresAtMs?: number;
  jwt?: VerifiedJwt;
  svid?: { spiffe: SpiffeId; jwt: VerifiedJwt };
  proxy?: Record<string, unknown>;
}

/** The earliest expiry of the verified credentials, ms since epoch. */
function expiresAt(found: Found): number | undefined {
  const times = [
    found.x509ExpiresAtMs,
    (found.jwt ?? found.svid?.jwt)?.expires_at,
    typeof found.proxy?.exp === "number" ? found.proxy.exp : undefined,
  ].map((t, i) => (t === undefined || i === 0 ? t : t * 1000));
  const defined = times.filter((t): t is number => t !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

/** docs/contract.md §4: a block only for each method that verified. */
function toIdentity(found: Found, proxyHeader: string | undefined): Identity {
  const methods: string[] = [];
  const identity: Identity = { authenticated: false, methods };
  const spiffe = found.x509 ?? found.svid?.spiffe;
  if (found.x509) methods.push("x509-svid");
  if (found.jwt) methods.push("jwt");
  if (found.svid) methods.push("jwt-svid");
  if (found.proxy) methods.push("proxy");
  if (spiffe)
    identity.spiffe = { id: spiffe.id, trust_domain: spiffe.trustDomain, path: spiffe.path };
  const jwt = found.jwt ?? found.svid?.jwt;
  if (jwt) identity.jwt = jwt;
  if (found.proxy) identity.proxy = { header: proxyHeader, claims: found.proxy };
  const subject = spiffe?.id ?? jwt?.subject ?? (found.proxy?.sub as string | undefined);
  if (subject !== undefined) identity.subject = subject;
  identity.authenticated = methods.length > 0;
  return identity;
}

function requestHeaders(input: Readonly<InputDocument>): Headers {
  const http = (input.attributes as { request?: { http?: { headers?: Headers } } } | undefined)
    ?.request?.http;
  return http?.headers ?? {};
}

/** Envoy's `include_peer_certificate`: the URL-encoded PEM leaf in `source.certificate`. */
function peerCertificate(input: Readonly<InputDocument>): string | undefined {
  const encoded = (input.attributes as { source?: { certificate?: string } } | undefined)?.source
    ?.certificate;
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidCredential("x509-svid", "certificate is not URL-encoded PEM");
  }
}

function peerAddress(input: Readonly<InputDocument>): string | undefined {
  const source = (
    input.attributes as
      | { source?: { address?: { socketAddress?: { address?: string } } } }
      | undefined
  )?.source;
  return source?.address?.socketAddress?.address;
}
