import type { Fetch } from "../fetch.js";

/** What identity verification needs from the process: the network, a clock, where errors go. */
export interface IdentityDeps {
  fetch: Fetch;
  now(): Date;
  /** A key source or bundle failed to load; the last good one keeps serving. */
  onSourceError(source: string, error: Error): void;
}
