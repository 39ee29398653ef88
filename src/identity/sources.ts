import type { IdentityConfig } from "../config/index.js";
import type { WatchedFile } from "../watched-file.js";
import type { IdentityDeps } from "./deps.js";
import { createRemoteJwks, type JwksSource, toKeySet } from "./jwks-source.js";
import {
  createProxyKeyFetcher,
  createProxyKeyFile,
  type ProxyPolicy,
  peerList,
} from "./trusted-proxy.js";

/** Watches a file for the verifier (bundles, JWKS files), closing with it. */
export type Watch = <T>(path: string, parse: (text: string) => T) => Promise<WatchedFile<T>>;

export async function keySource(
  source: { file: string } | { url: string } | { discovery: string },
  issuer: { refreshInterval: number; fetchTimeout: number; unknownKidCooldown: number },
  deps: IdentityDeps,
  watch: Watch,
): Promise<JwksSource> {
  if ("file" in source) {
    const file = await watch(source.file, (text) => toKeySet(JSON.parse(text), source.file));
    return { current: file.current, refresh: async () => "cooldown", close: file.close };
  }
  const url = "url" in source ? source.url : source.discovery;
  // Unset while the first load runs: a failure then has no keys to fall back on.
  let jwks: JwksSource | undefined;
  const onError = (error: Error) => deps.onSourceError(url, error, jwks?.current() !== undefined);
  jwks = await createRemoteJwks(
    { fetch: deps.fetch, clock: deps.clock, onError },
    {
      url,
      discovery: "discovery" in source,
      refreshMs: issuer.refreshInterval,
      timeoutMs: issuer.fetchTimeout,
      cooldownMs: issuer.unknownKidCooldown,
      maxBytes: 1024 * 1024,
    },
  );
  return jwks;
}

export async function proxyPolicy(
  proxy: NonNullable<IdentityConfig["trustedProxy"]>,
  deps: IdentityDeps,
  watch: Watch,
): Promise<ProxyPolicy> {
  const keyFor = proxy.keyFile
    ? createProxyKeyFile({
        keys: await watch(proxy.keyFile, (text) => toKeySet(JSON.parse(text), proxy.keyFile ?? "")),
      })
    : createProxyKeyFetcher(
        { fetch: deps.fetch, clock: deps.clock },
        { urlTemplate: proxy.keyUrl ?? "", timeoutMs: proxy.fetchTimeout, cooldownMs: 10_000 },
      );
  return { header: proxy.header, peers: peerList(proxy.cidrs), signer: proxy.signer, keyFor };
}
