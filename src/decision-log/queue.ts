import type { Spill } from "./spill.js";

/** A destination for decision log events; `write` may be slow, fail or hang. */
export interface SinkWriter {
  readonly name: string;
  /** Writes a batch of serialized events. Rejects on failure; must honour `signal`. */
  write(batch: string[], signal: AbortSignal): Promise<void>;
}

/**
 * What a queued sink reports, for metrics and the rate-limited log, by the writer's name. A failed
 * write is `failed`, not an `onError`: it is counted per sink like the other two (and retried).
 */
export interface SinkEvents {
  /** `lines`: the batch written (a `gap` event is known to have arrived by it). */
  written(sink: string, count: number, lines: readonly string[]): void;
  /** Events that did not fit the queue went to the spill (audit durability). */
  spilled?(sink: string, count: number): void;
  /** `lines`: the events dropped for want of room, oldest first (none when dropped by `flush`). */
  dropped(sink: string, count: number, lines?: readonly string[]): void;
  failed(sink: string, error: Error): void;
}

/** What {@link createQueuedSink} works with. */
export interface QueuedSinkDeps {
  writer: SinkWriter;
  events: SinkEvents;
  /**
   * Where what does not fit the queue goes instead of being dropped (`durability: audit`), and
   * what is left at `flush`; it is written before the queue. What the spill refuses (full) is
   * dropped, as without one.
   */
  spill?: Spill;
}

/** Options for {@link createQueuedSink}. */
export interface QueueOptions {
  /** Most events held; past it the oldest are dropped. */
  maxEvents: number;
  /** Most events per write. */
  maxBatch: number;
  /** Longest one write may take, ms. */
  timeoutMs: number;
  /** Pause after a failed write, ms (doubling up to 30 s while failures continue). */
  retryMs: number;
  /** Wait this long after the first queued event before writing, to batch (0: at once). */
  batchDelayMs: number;
}

/** A sink behind a bounded queue: `push` never blocks, allocates O(1) and never throws. */
export interface QueuedSink {
  push(line: string): void;
  /** Writes what is queued, giving up at `deadline` (ms since epoch). */
  flush(deadline: number): Promise<void>;
  /** Events waiting. */
  size(): number;
}

/**
 * Decouples the Check path from a sink: events are queued (bounded; the oldest are dropped and
 * counted when full) and written in batches by one drain loop. A failed batch goes back to the
 * front of the queue (still bounded) and the loop backs off, so a collector outage loses only
 * what does not fit while it lasts. `flush` is its end (no `close()`): the writer's connection
 * is closed by whoever opened it.
 */
export function createQueuedSink(deps: QueuedSinkDeps, options: QueueOptions): QueuedSink {
  const { writer, events } = deps;
  /** Undefined once `flush` has closed it. */
  let spill = deps.spill;
  const queue = createDeque();
  let draining: Promise<void> | undefined;
  let backoffMs = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  /** The batch being written, out of the queue until its write settles. */
  let inFlight: string[] = [];
  /** Whether the batch in flight is (also) in the spill: read from it, or moved there since. */
  let inFlightSpilled = false;

  /**
   * Moves `lines` to the spill, behind what it holds; with a batch from the queue in flight, that
   * batch first (it is older), so the spill stays in order. False when the spill refuses them.
   */
  const toSpill = (lines: string[]) => {
    if (!spill) return false;
    const withBatch = inFlightSpilled ? lines : [...inFlight, ...lines];
    try {
      if (!spill.append(withBatch)) return false;
    } catch (error) {
      // A disk that refuses the write (full, read-only): these are dropped, and the error counted.
      events.failed(writer.name, error as Error);
      return false;
    }
    inFlightSpilled = true;
    if (lines.length > 0) events.spilled?.(writer.name, lines.length);
    return true;
  };
  const trim = () => {
    const excess = queue.size() - options.maxEvents;
    if (excess <= 0) return;
    const oldest = queue.take(excess);
    if (!toSpill(oldest)) events.dropped(writer.name, excess, oldest);
  };
  const waiting = () => queue.size() > 0 || (spill !== undefined && !spill.empty());
  /** The next batch: the spill's oldest lines while it holds any, else the queue's. */
  const nextBatch = () => {
    inFlightSpilled = spill !== undefined && !spill.empty();
    return inFlightSpilled ? (spill as Spill).peek(options.maxBatch) : queue.take(options.maxBatch);
  };

  const drain = async (deadline = Number.POSITIVE_INFINITY) => {
    while (waiting() && Date.now() < deadline) {
      let batch: string[] = [];
      try {
        batch = nextBatch();
        if (batch.length === 0) return;
        inFlight = batch;
        const timeout = Math.max(1, Math.min(options.timeoutMs, deadline - Date.now()));
        await writer.write(batch, AbortSignal.timeout(timeout));
        // A write that outlived a flush was counted as dropped there; it is not counted twice.
        if (inFlight !== batch) return;
        if (inFlightSpilled) spill?.commit(batch);
        inFlight = [];
        events.written(writer.name, batch.length, batch);
        backoffMs = 0;
      } catch (error) {
        if (inFlight !== batch) return;
        inFlight = [];
        events.failed(writer.name, error as Error);
        if (!inFlightSpilled) {
          queue.putBack(batch);
          trim();
        }
        backoffMs = Math.min(backoffMs === 0 ? options.retryMs : backoffMs * 2, 30_000);
        return;
      }
    }
  };

  const schedule = () => {
    if (draining || retryTimer) return;
    const start = () => {
      retryTimer = undefined;
      draining = drain().finally(() => {
        draining = undefined;
        if (waiting()) schedule();
      });
    };
    const delay = Math.max(backoffMs, options.batchDelayMs);
    if (delay > 0) {
      retryTimer = setTimeout(start, delay);
      retryTimer.unref();
    } else {
      setImmediate(start);
    }
  };
  // What a previous run spilled is written first.
  if (waiting()) schedule();

  return {
    push(line) {
      queue.push(line);
      trim();
      schedule();
    },
    async flush(deadline) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      const late = new Promise<void>((resolve) =>
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref(),
      );
      await Promise.race([draining, late]);
      backoffMs = 0;
      await Promise.race([drain(deadline), late]);
      // Everything not written by the deadline is spilled (audit durability), else dropped, a
      // batch still being written included (the deadline's abort and `late` fire together;
      // either may come first).
      const rest = queue.take(queue.size());
      const spilled = toSpill(rest);
      const left = spilled ? 0 : rest.length + (inFlightSpilled ? 0 : inFlight.length);
      inFlight = [];
      if (left > 0) events.dropped(writer.name, left);
      const closing = spill;
      spill = undefined;
      await closing?.close();
    },
    size: () => queue.size(),
  };
}

/** A FIFO with O(1) push and drop-oldest (an array and a moving head, compacted now and then). */
function createDeque() {
  let items: string[] = [];
  let head = 0;
  const compact = () => {
    if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
  };
  return {
    size: () => items.length - head,
    push: (item: string) => void items.push(item),
    dropOldest(count: number) {
      head = Math.min(items.length, head + count);
      compact();
    },
    take(count: number): string[] {
      const batch = items.slice(head, head + count);
      head += batch.length;
      compact();
      return batch;
    },
    putBack(batch: string[]) {
      items = [...batch, ...items.slice(head)];
      head = 0;
    },
  };
}
