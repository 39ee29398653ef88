import type { Identity } from "../authz/index.js";
import type { IdentityConfig } from "../config/index.js";
import { InvalidCredential } from "../errors.js";
import type { InputDocument } from "../input/index.js";
import { type WatchedFile, watchFile } from "../watched-file.js";
import { createRemoteJwks, type Fetch, type JwksSource, toKeySet } from "./jwks-source.js";
import { type IssuerPolicy, peekClaims, type VerifiedJwt, verifyIssuerToken } from "./jwt.js";
import { verifyJwtSvid } from "./jwt-svid.js";
import type { SpiffeId } from "./spiffe-id.js";
import { parseTrustBundle, type TrustBundle } from "./trust-bundle.js";
import {
  createProxyKeyFetcher,
  createProxyKeyFile,
  isTrustedPeer,
  type ProxyPolicy,
  peerList,
  verifyProxyToken,
} from "./trusted-proxy.js";
import { createVerifiedCache, type VerifiedCache } from "./verified-cache.js";
import { verifyX509Svid } from "./x509-svid.js";
import { intermediatesFromXfcc } from "./xfcc.js";

/** The verified caller, and anything suspicious seen on the way (for the decision log). */
export interface IdentityResult {
  identity: Identity;
  suspicious: string[];
}

/** Verifies the credentials of one request. */
export interface IdentityVerifier {
  /**
   * Verifies every credential the request presents and returns `input.identity`. Removes the
   * bearer and proxy headers it consumed from `input`, so raw tokens never reach the policy.
   * Throws InvalidCredential (401) or CredentialBackendError (deny).
   */
  verify(input: InputDocument): Promise<IdentityResult>;
  /** Every configured key source and bundle has loaded at least once. */
  ready(): boolean;
  close(): void;
}

/** What the verifier needs from the process. */
export interface IdentityDeps {
  fetch: Fetch;
  now(): Date;
  /** A key source or bundle failed to load; the last good one keeps serving. */
  onSourceError(source: string, error: Error): void;
}

type Headers = Record<string, string>;

/** Loads trust bundles and key sets, then returns the verifier for `config`. */
export async function createIdentityVerifier(
  deps: IdentityDeps,
  config: IdentityConfig,
): Promise<IdentityVerifier> {
  const closers: Array<() => void> = [];
  const watch = async <T>(path: string, parse: (text: string) => T): Promise<WatchedFile<T>> => {
    const file = await watchFile(path, parse, {
      intervalMs: config.fileRefreshInterval,
      onError: (error) => deps.onSourceError(path, error),
    });
    closers.push(file.close);
    return file;
  };
  const bundles = new Map<string, WatchedFile<TrustBundle>>();
  for (const [trustDomain, path] of Object.entries(config.spiffe?.trustDomains ?? {})) {
    bundles.set(trustDomain, await watch(path, parseTrustBundle));
  }
  const bundleFor = (trustDomain: string) => bundles.get(trustDomain)?.current();
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
  const settings = { clockToleranceSec: config.clockTolerance / 1000, now: deps.now };
  const cacheOptions = {
    max: config.verifiedCacheSize,
    maxAgeMs: 300_000,
    now: () => deps.now().getTime(),
  };
  const bearer = {
    issuers,
    svidAudiences: config.jwt?.svidAudiences ?? [],
    bundleFor,
    settings,
    cache: createVerifiedCache<Pick<Found, "jwt" | "svid">>(cacheOptions),
  };
  const certificates = createVerifiedCache<{ spiffe: SpiffeId; expiresAtMs: number }>(cacheOptions);
  const verifyCertificate = (pem: string, headers: Headers) => {
    const xfcc = config.spiffe?.xfccIntermediates ? headers["x-forwarded-client-cert"] : undefined;
    const key = xfcc === undefined ? pem : `${pem}\n${xfcc}`;
    const cached = certificates.get(key, (entry) => bundleFor(entry.spiffe.trustDomain));
    if (cached) return cached;
    const verified = verifyX509Svid(pem, intermediatesFromXfcc(xfcc), bundleFor, deps.now());
    const entry = { spiffe: verified.spiffe, expiresAtMs: verified.expiresAtMs };
    certificates.set(key, verified.bundle, entry, verified.expiresAtMs);
    return entry;
  };

  return {
    async verify(input) {
      const headers = requestHeaders(input);
      const found: Found = {};
      const suspicious: string[] = [];
      const certificate = peerCertificate(input);
      if (certificate !== undefined && config.spiffe) {
        const verified = verifyCertificate(certificate, headers);
        found.x509 = verified.spiffe;
        found.x509ExpiresAtMs = verified.expiresAtMs;
      }
      if (config.jwt) {
        const token = bearerToken(headers, config.jwt.header);
        delete headers[config.jwt.header];
        if (token !== undefined) {
          if (Buffer.byteLength(token) > config.jwt.maxTokenBytes)
            throw new InvalidCredential("jwt", "token too large");
          Object.assign(found, await verifyBearer(token, bearer));
        }
      }
      if (proxy) {
        const value = headers[proxy.header];
        delete headers[proxy.header];
        if (value !== undefined) {
          if (isTrustedPeer(proxy, peerAddress(input)))
            found.proxy = await verifyProxyToken(value, proxy, settings);
          else
            suspicious.push(
              `${proxy.header} from untrusted peer ${peerAddress(input) ?? "unknown"} ignored`,
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

interface BearerVerification {
  issuers: IssuerPolicy[];
  svidAudiences: string[];
  bundleFor(trustDomain: string): TrustBundle | undefined;
  settings: { clockToleranceSec: number; now(): Date };
  cache: VerifiedCache<Pick<Found, "jwt" | "svid">>;
}

/** Routes a bearer token by its unverified `iss`/`sub` to the one verifier that may accept it. */
async function verifyBearer(
  token: string,
  context: BearerVerification,
): Promise<Pick<Found, "jwt" | "svid">> {
  // The key set a (cached or fresh) result was verified against, as it is serving now.
  const keysFor = (found: Pick<Found, "jwt" | "svid">) =>
    found.svid
      ? context.bundleFor(found.svid.spiffe.trustDomain)
      : context.issuers.find((candidate) => candidate.issuer === found.jwt?.issuer)?.keys.current();
  const cached = context.cache.get(token, keysFor);
  if (cached) return cached;
  const claims = peekClaims(token, "jwt");
  const issuer = context.issuers.find((candidate) => candidate.issuer === claims.iss);
  const isSvid =
    context.svidAudiences.length > 0 &&
    typeof claims.sub === "string" &&
    claims.sub.startsWith("spiffe://");
  if (!issuer && !isSvid) throw new InvalidCredential("jwt", "unknown issuer");
  const found = issuer
    ? { jwt: await verifyIssuerToken(token, issuer, context.settings) }
    : {
        svid: await verifyJwtSvid(
          token,
          context.svidAudiences,
          context.bundleFor,
          context.settings,
        ),
      };
  const keys = keysFor(found);
  const expiresAt = (found.jwt ?? found.svid?.jwt)?.expires_at ?? 0;
  if (keys) context.cache.set(token, keys, found, expiresAt * 1000);
  return found;
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

/** CONTRACT.md §4: a block only for each method that verified. */
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

function requestHeaders(input: InputDocument): Headers {
  const http = (input.attributes as { request?: { http?: { headers?: Headers } } } | undefined)
    ?.request?.http;
  return http?.headers ?? {};
}

/** Envoy's `include_peer_certificate`: the URL-encoded PEM leaf in `source.certificate`. */
function peerCertificate(input: InputDocument): string | undefined {
  const encoded = (input.attributes as { source?: { certificate?: string } } | undefined)?.source
    ?.certificate;
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidCredential("x509-svid", "certificate is not URL-encoded PEM");
  }
}

function peerAddress(input: InputDocument): string | undefined {
  const source = (
    input.attributes as
      | { source?: { address?: { socketAddress?: { address?: string } } } }
      | undefined
  )?.source;
  return source?.address?.socketAddress?.address;
}

/** `authorization: Bearer <token>` (RFC 6750 §2.1), or the bare value of another header. */
function bearerToken(headers: Headers, header: string): string | undefined {
  const value = headers[header];
  if (value === undefined) return undefined;
  if (header !== "authorization") return value.trim();
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(value);
  if (match) return match[1];
  if (/^Bearer\b/i.test(value)) throw new InvalidCredential("jwt", "malformed token");
  return undefined; // another scheme (Basic, …) is not a bearer credential
}

async function keySource(
  source: { file: string } | { url: string } | { discovery: string },
  issuer: { refreshInterval: number; fetchTimeout: number; unknownKidCooldown: number },
  deps: IdentityDeps,
  watch: <T>(path: string, parse: (text: string) => T) => Promise<WatchedFile<T>>,
): Promise<JwksSource> {
  if ("file" in source) {
    const file = await watch(source.file, (text) => toKeySet(JSON.parse(text), source.file));
    return { current: file.current, refresh: async () => "cooldown", close: file.close };
  }
  const url = "url" in source ? source.url : source.discovery;
  return createRemoteJwks(
    deps.fetch,
    {
      url,
      discovery: "discovery" in source,
      refreshMs: issuer.refreshInterval,
      timeoutMs: issuer.fetchTimeout,
      cooldownMs: issuer.unknownKidCooldown,
      maxBytes: 1024 * 1024,
    },
    (error) => deps.onSourceError(url, error),
  );
}

async function proxyPolicy(
  proxy: NonNullable<IdentityConfig["trustedProxy"]>,
  deps: IdentityDeps,
  watch: <T>(path: string, parse: (text: string) => T) => Promise<WatchedFile<T>>,
): Promise<ProxyPolicy> {
  const keyFor = proxy.keyFile
    ? createProxyKeyFile(
        (await watch(proxy.keyFile, (text) => toKeySet(JSON.parse(text), proxy.keyFile ?? "")))
          .current,
      )
    : createProxyKeyFetcher(deps.fetch, {
        urlTemplate: proxy.keyUrl ?? "",
        timeoutMs: proxy.fetchTimeout,
        cooldownMs: 10_000,
      });
  return { header: proxy.header, peers: peerList(proxy.cidrs), signer: proxy.signer, keyFor };
}
