import { hash as digest } from "node:crypto";
import { stringifyJson } from "../input/index.js";
import { type CanonicalParts, canonicalJson, canonicalParts } from "./canonical.js";
import { type CheckpointSigner, signCheckpoint } from "./checkpoint.js";

/**
 * Where a chain stands: the seq the next event gets and the hash of the one before it (null at a
 * chain's first event). What the state file holds (`chain-state.ts`).
 */
export interface ChainHead {
  chainId: string;
  nextSeq: number;
  prevHash: string | null;
}

/** How a new segment (one process's run) found the previous segment's head. */
export type ChainLink = "state_file" | "redis_stream" | "none";

/** What {@link createChain} works with. */
export interface ChainDeps {
  /** Signs checkpoints; none: no checkpoints are made. */
  signer?: () => CheckpointSigner | undefined;
  /** Called after every event with the new head, synchronously (the state file). */
  onHead?(head: ChainHead): void;
  now(): Date;
}

/** Options for {@link createChain}. */
export interface ChainOptions {
  /** Where this segment starts. */
  head: ChainHead;
  /** How `head` was found; `none` starts a new chain. */
  link: ChainLink;
  /** The sidecar's labels (`id`: this process, `version`), on every control event. */
  labels: Record<string, string>;
  /** Events between two checkpoints (1–1000000). */
  every: number;
}

/**
 * A hash chain over one sidecar's events (docs/decision-log-chain.md): each event gets `seq`,
 * `chain_id`, `prev_hash` and its own `hash`. Events are serialized here, once.
 */
export interface Chain {
  /** Chains a decision event (already masked); returns its line. Throws as {@link eventHash}. */
  append(event: Record<string, unknown>): string;
  /** A control event (`kind` set: `gap`, ...) chained like a decision; returns its line. */
  note(kind: string, fields: Record<string, unknown>): string;
  /** Whether `every` events have passed since the last checkpoint. */
  checkpointDue(): boolean;
  /** A signed checkpoint over the events since the last one; undefined when none or no key. */
  checkpoint(): string | undefined;
  head(): ChainHead;
}

/** A line's own hash is appended last, so a dropped line's seq can be read from its start. */
const SEQ_AT_START = /^\{"seq":(\d+),/;

/** The seq of a chained line, read without parsing it; undefined for an unchained line. */
export function seqOfLine(line: string): number | undefined {
  const match = SEQ_AT_START.exec(line);
  return match ? Number(match[1]) : undefined;
}

/**
 * The lowercase hex SHA-256 of an event's RFC 8785 (JCS) canonical form, its `hash` member left
 * out. Throws on what JCS refuses (a lone surrogate, RFC 8785 §3.2.2.2). Exact-number objects
 * (lossless-json) count as the IEEE 754 double a JSON parser reads back (JCS §3.2.2.3).
 */
export function eventHash(event: Record<string, unknown>): string {
  const { hash: _, ...rest } = event;
  return sha256(canonicalJson(rest));
}

// crypto.hash (Node ≥ 20.12): one call, no Hash object per event.
const sha256 = (text: string) => digest("sha256", text, "hex");

/** `JSON.stringify` of a lossless-json number, which the canonical form must not contain. */
const LOSSLESS_MARK = '"isLosslessNumber":true';

/**
 * Creates the chain of one segment. It starts with a `segment_start` event saying how it was
 * linked to the previous segment ({@link ChainOptions.link}), which the caller writes first.
 */
export function createChain(
  deps: ChainDeps,
  options: ChainOptions,
): Chain & { segmentStart: string } {
  let { chainId, nextSeq, prevHash } = options.head;
  let sinceCheckpoint = 0;
  let firstUnsigned = nextSeq;

  const seal = (body: Record<string, unknown>): string => {
    const head = [
      `"seq":${nextSeq}`,
      `"chain_id":${JSON.stringify(chainId)}`,
      `"prev_hash":${JSON.stringify(prevHash)}`,
    ] as const;
    const parts = canonicalParts(body);
    const { line, canonical } = parts
      ? fromParts(head, parts)
      : exactForms({ seq: nextSeq, chain_id: chainId, prev_hash: prevHash, ...body });
    const hash = sha256(canonical);
    prevHash = hash;
    nextSeq++;
    sinceCheckpoint++;
    deps.onHead?.({ chainId, nextSeq, prevHash });
    return `${line},"hash":"${hash}"}`;
  };
  const control = (kind: string, fields: Record<string, unknown>) =>
    seal({ kind, timestamp: deps.now().toISOString(), labels: options.labels, ...fields });

  const chain = {
    append: seal,
    note: control,
    checkpointDue: () => sinceCheckpoint >= options.every,
    checkpoint() {
      const signer = deps.signer?.();
      if (!signer || nextSeq === firstUnsigned || prevHash === null) return undefined;
      const body = {
        seq: nextSeq,
        chain_id: chainId,
        prev_hash: prevHash,
        kind: "checkpoint",
        timestamp: deps.now().toISOString(),
        labels: options.labels,
        first_seq: firstUnsigned,
        last_seq: nextSeq - 1,
        head_hash: prevHash,
        key_id: signer.keyId,
      };
      const { seq: _, chain_id: __, prev_hash: ___, ...fields } = signCheckpoint(body, signer);
      firstUnsigned = nextSeq + 1;
      const line = seal(fields);
      sinceCheckpoint = 0;
      return line;
    },
    head: () => ({ chainId, nextSeq, prevHash }),
  };
  return { ...chain, segmentStart: control("segment_start", { link: options.link }) };
}

/**
 * The line (without its closing brace: the hash goes there) and the canonical form, from one
 * serialization of the body: the line starts with the chain's fields, then the body's members in
 * canonical order; the canonical form has the chain's fields where they sort.
 */
function fromParts(
  [seq, chainId, prevHash]: readonly [string, string, string],
  { runs: [beforeChain, beforePrev, beforeSeq, afterSeq] }: CanonicalParts,
): { line: string; canonical: string } {
  const members = (list: string[]) => list.filter((run) => run !== "").join(",");
  return {
    line: `{${members([seq, chainId, prevHash, beforeChain, beforePrev, beforeSeq, afterSeq])}`,
    canonical: `{${members([beforeChain, chainId, beforePrev, prevHash, beforeSeq, seq, afterSeq])}}`,
  };
}

/** The line and canonical form of an event holding exact numbers (or anything canonicalJson defers). */
function exactForms(event: Record<string, unknown>): { line: string; canonical: string } {
  const line = stringifyJson(event);
  let canonical = canonicalJson(event);
  // Exact numbers (a big integer in a body) are hashed as the double a verifier parses.
  if (canonical.includes(LOSSLESS_MARK)) canonical = canonicalJson(JSON.parse(line));
  return { line: line.slice(0, -1), canonical };
}
