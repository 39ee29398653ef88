import { eventHash } from "./chain.js";
import { checkpointProblem, type VerificationKeys } from "./checkpoint.js";

/** One logged event and where it was read (`line 12`, a stream entry id, `file:line`). */
export interface LoggedEvent {
  at: string;
  event: unknown;
}

/** The kinds of problem `logs verify` reports (docs/decision-log-chain.md). */
export type ProblemKind =
  | "gap"
  | "edit"
  | "reorder"
  | "insert"
  | "bad_signature"
  | "unsigned_tail"
  | "unreadable";

/** A problem at a position: `seq` (through `last_seq` for a range) of `chain_id`, read `at`. */
export interface Problem {
  kind: ProblemKind;
  chain_id?: string;
  seq?: number;
  last_seq?: number;
  at: string;
  detail: string;
}

/** What was proved of one chain. */
export interface ChainReport {
  chain_id: string;
  events: number;
  first_seq: number;
  last_seq: number;
  /** Seq ranges whose hashes and links hold (and, with keys, that a good checkpoint signs). */
  verified: Array<[first: number, last: number]>;
  checkpoints: number;
}

/** The result of {@link verifyLog}; `problems` empty means the log is intact. */
export interface VerifyReport {
  chains: ChainReport[];
  problems: Problem[];
  /** Events with no chain fields (from an unchained sidecar). */
  unchained: number;
  signatures: "checked" | "unchecked";
}

interface Entry {
  at: string;
  seq: number;
  event: Record<string, unknown>;
  hashOk: boolean;
}

/**
 * Verifies chained decision-log events, in the order they were read. Per `chain_id`: each event's
 * hash is recomputed (edit), each `prev_hash` must name the stored hash of the seq before it
 * (edit of that event), seqs must be read in order (reorder) and once (insert), missing seqs are
 * gaps (declared when a `gap` event names them); with `keys`, every checkpoint's signature is
 * checked (bad_signature) and events after the last good checkpoint are an unsigned tail.
 * Without keys signatures are not checked (`signatures: "unchecked"`).
 */
export function verifyLog(events: Iterable<LoggedEvent>, keys?: VerificationKeys): VerifyReport {
  const chains = new Map<string, Entry[]>();
  const problems: Problem[] = [];
  let unchained = 0;
  for (const { at, event } of events) {
    const chained = asChained(event);
    if (chained === "unreadable") {
      problems.push({ kind: "unreadable", at, detail: "not a JSON object" });
      continue;
    }
    if (!chained) {
      unchained++;
      continue;
    }
    let hashOk: boolean;
    try {
      hashOk = eventHash(chained) === chained.hash;
    } catch {
      hashOk = false;
    }
    const entries = chains.get(chained.chain_id) ?? [];
    entries.push({ at, seq: chained.seq, event: chained, hashOk });
    chains.set(chained.chain_id, entries);
  }
  const reports = [...chains].map(([id, entries]) => verifyChain(id, entries, keys, problems));
  return { chains: reports, problems, unchained, signatures: keys ? "checked" : "unchecked" };
}

type Chained = Record<string, unknown> & { chain_id: string; seq: number; hash: unknown };

function asChained(event: unknown): Chained | "unreadable" | undefined {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return "unreadable";
  const { chain_id: id, seq } = event as Record<string, unknown>;
  if (typeof id !== "string" || !Number.isSafeInteger(seq)) return undefined;
  return event as Chained;
}

function verifyChain(
  chainId: string,
  entries: Entry[],
  keys: VerificationKeys | undefined,
  problems: Problem[],
): ChainReport {
  const report = (kind: ProblemKind, entry: Entry, detail: string, lastSeq?: number) =>
    problems.push({
      kind,
      chain_id: chainId,
      seq: entry.seq,
      ...(lastSeq === undefined ? {} : { last_seq: lastSeq }),
      at: entry.at,
      detail,
    });
  const bySeq = inSeqOrder(entries, report);
  const bad = new Set<number>();
  for (const entry of bySeq)
    if (!entry.hashOk) {
      bad.add(entry.seq);
      report("edit", entry, "its hash does not match its content");
    }
  const declared = declaredGaps(bySeq);
  // A run: consecutive seqs, each hash good and linked to the one before.
  const runs: Entry[][] = [];
  let run: Entry[] = [];
  for (const entry of bySeq) {
    const last = run.at(-1);
    if (last && entry.seq > last.seq + 1) {
      const [first, end] = [last.seq + 1, entry.seq - 1];
      const by = covered(declared, first, end);
      problems.push({
        kind: "gap",
        chain_id: chainId,
        seq: first,
        last_seq: end,
        at: entry.at,
        detail: by ? "declared: a sink dropped these" : "missing",
      });
    } else if (last && entry.event.prev_hash !== last.event.hash && !bad.has(entry.seq)) {
      if (!bad.has(last.seq)) report("edit", last, "its hash is not the prev_hash of the next");
      bad.add(last.seq);
    }
    if (last && (entry.seq > last.seq + 1 || bad.has(last.seq) || bad.has(entry.seq))) {
      runs.push(run);
      run = [];
    }
    if (!bad.has(entry.seq)) run.push(entry);
  }
  runs.push(run);
  const verified = runs
    .map((r) => signedPart(r, keys, report))
    .filter((r) => r.length > 0)
    .map((r): [number, number] => [r[0]?.seq ?? 0, r.at(-1)?.seq ?? 0]);
  if (keys) unsignedTail(bySeq, verified, report);
  return {
    chain_id: chainId,
    events: entries.length,
    first_seq: bySeq[0]?.seq ?? 0,
    last_seq: bySeq.at(-1)?.seq ?? 0,
    verified,
    checkpoints: bySeq.filter((e) => e.event.kind === "checkpoint").length,
  };
}

type Report = (kind: ProblemKind, entry: Entry, detail: string, lastSeq?: number) => void;

/**
 * The entries by seq, one per seq. An entry read after a higher seq is reordered; a second entry
 * for a seq is inserted (of two, the one whose hash the next seq names is kept).
 */
function inSeqOrder(entries: Entry[], report: Report): Entry[] {
  const bySeq = new Map<number, Entry[]>();
  let highest = Number.NEGATIVE_INFINITY;
  for (const entry of entries) {
    const same = bySeq.get(entry.seq);
    if (same) same.push(entry);
    else bySeq.set(entry.seq, [entry]);
    if (!same && entry.seq < highest) report("reorder", entry, `read after seq ${highest}`);
    highest = Math.max(highest, entry.seq);
  }
  const kept: Entry[] = [];
  for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
    const same = bySeq.get(seq) ?? [];
    const next = bySeq.get(seq + 1)?.[0]?.event.prev_hash;
    const genuine = same.find((e) => e.hashOk && e.event.hash === next) ?? same[0];
    // An exact copy of the kept event (a sink writing it again after a timeout) says nothing new.
    const copy = (entry: Entry) => entry.hashOk && entry.event.hash === genuine?.event.hash;
    for (const entry of same)
      if (entry !== genuine && !copy(entry)) report("insert", entry, `a second seq ${seq}`);
    if (genuine) kept.push(genuine);
  }
  return kept;
}

/** The seq ranges the sidecar's `gap` events say a sink dropped, merged, in order. */
function declaredGaps(entries: Entry[]): Array<[number, number]> {
  const ranges = entries
    .filter((e) => e.event.kind === "gap" && e.hashOk && Array.isArray(e.event.ranges))
    .flatMap((e) => e.event.ranges as unknown[])
    .filter((r): r is [number, number] => Array.isArray(r) && r.every(Number.isSafeInteger));
  return mergeRanges(ranges);
}

/** Seq ranges (`[first, last]`) sorted and merged where they overlap or touch. */
export function mergeRanges(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [first, last] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** Whether the merged ranges hold all of `first`–`last`. */
const covered = (ranges: Array<[number, number]>, first: number, last: number) =>
  ranges.some(([a, b]) => a <= first && last <= b);

/** The part of a run up to its last checkpoint whose signature verifies (all of it, no keys). */
function signedPart(run: Entry[], keys: VerificationKeys | undefined, report: Report): Entry[] {
  if (!keys) return run;
  let end = -1;
  run.forEach((entry, index) => {
    if (entry.event.kind !== "checkpoint") return;
    const problem = checkpointProblem(entry.event, keys);
    if (problem) report("bad_signature", entry, problem);
    else end = index;
  });
  return run.slice(0, end + 1);
}

/** Reports the events after the last verified seq that no good checkpoint signs. */
function unsignedTail(bySeq: Entry[], verified: Array<[number, number]>, report: Report) {
  const signedThrough = verified.at(-1)?.[1] ?? Number.NEGATIVE_INFINITY;
  const tail = bySeq.filter((e) => e.seq > signedThrough && e.hashOk);
  const first = tail[0];
  if (first)
    report("unsigned_tail", first, "no good checkpoint signs these", tail.at(-1)?.seq ?? first.seq);
}
