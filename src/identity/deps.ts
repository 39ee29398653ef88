import type { Clock } from "../clock.js";
import type { Fetch } from "../fetch.js";

/** What identity verification needs from the process: the network, a clock, where errors go. */
export interface IdentityDeps {
  fetch: Fetch;
  clock: Clock;
  /**
   * A key source or bundle failed to load; `serving` says whether its last good one keeps
   * serving (false until its first good load). Not `onError`: it carries which source failed
   * (the URL or file), which the error of a parse does not name.
   */
  onSourceError(source: string, error: Error, serving: boolean): void;
}
