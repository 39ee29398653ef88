/**
 * Fetch as every network reader here takes it (JWKS, trust proxies' keys, bundles, the decision
 * log's collector): injected, so tests need no network; `globalThis.fetch` in the sidecar. Each
 * caller passes its own `signal` (a timeout) and reads the body with a size limit.
 */
export type Fetch = (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response>;
