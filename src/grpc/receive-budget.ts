/**
 * One byte budget shared by every call still receiving its request. A call takes a ticket when
 * its stream opens, charges each DATA chunk it is sent, and gives the ticket back once its request
 * has fully arrived (or the call ended). When a charge takes the total over the budget, the
 * calls that have been receiving longest (and hold anything) are evicted until it fits again: a stalled upload can
 * never pin the budget, and a Check that arrives in one read (every Envoy call) is the youngest
 * ticket when it is charged, so it is the last to go. Envoy's overload manager sheds the same way
 * (`envoy.overload_actions.reset_high_memory_stream` resets the heaviest streams).
 */

/** A call's share of the budget. Every method is idempotent after `leave` or eviction. */
export interface ReceiveTicket {
  /** Adds `bytes` just received; may evict this or older tickets. */
  charge(bytes: number): void;
  /** Forgets what was charged so far (a streaming call between two messages). */
  reset(): void;
  /** Gives the ticket back: the request has arrived or the call ended. */
  leave(): void;
}

/** The shared budget. */
export interface ReceiveBudget {
  /** Opens a ticket; `evict` is called (once) if the budget sheds it. */
  enter(evict: () => void): ReceiveTicket;
  /** Bytes charged by open tickets. */
  readonly used: number;
  /** Open tickets. */
  readonly open: number;
}

interface Entry {
  bytes: number;
  evict: () => void;
}

/** A budget of `maxBytes` (> 0) across all open tickets. */
export function createReceiveBudget(maxBytes: number): ReceiveBudget {
  // A Map iterates in insertion order: the first entry is the call receiving longest.
  const entries = new Map<object, Entry>();
  let used = 0;
  const remove = (key: object) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    used -= entry.bytes;
    return entry;
  };
  const shed = () => {
    // Oldest first; a ticket that holds nothing frees nothing, so it stays.
    for (const [key, entry] of entries) {
      if (used <= maxBytes) return;
      if (entry.bytes === 0) continue;
      remove(key);
      entry.evict();
    }
  };
  return {
    enter(evict) {
      const key = {};
      entries.set(key, { bytes: 0, evict });
      return {
        charge(bytes) {
          const entry = entries.get(key);
          if (!entry) return;
          entry.bytes += bytes;
          used += bytes;
          shed();
        },
        reset() {
          const entry = entries.get(key);
          if (!entry) return;
          used -= entry.bytes;
          entry.bytes = 0;
        },
        leave() {
          remove(key);
        },
      };
    },
    get used() {
      return used;
    },
    get open() {
      return entries.size;
    },
  };
}
