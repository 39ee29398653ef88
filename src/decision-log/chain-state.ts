import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import type { ChainHead } from "./chain.js";

/**
 * The chain's head kept in a small file (`decisionLog.chain.stateFile`), so the next run links its
 * first event to this run's last one. The record is rewritten in place after every event, padded
 * to a fixed size (one `pwrite`, no truncate, no fsync): it survives the process, and a kernel
 * crash loses at most what the page cache had not written. `close()` fsyncs.
 */
export interface ChainStateFile {
  save(head: ChainHead): void;
  close(): void;
}

const RECORD_BYTES = 512;

/** Reads the head a previous run left; undefined when the file is missing, empty or unreadable. */
export function readChainState(path: string): ChainHead | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as Record<string, unknown>;
    const { chain_id: chainId, next_seq: nextSeq, prev_hash: prevHash } = state;
    if (typeof chainId !== "string" || !Number.isSafeInteger(nextSeq)) return undefined;
    if (typeof prevHash !== "string" && prevHash !== null) return undefined;
    return { chainId, nextSeq: nextSeq as number, prevHash };
  } catch {
    return undefined;
  }
}

/** Opens (creating) the state file for writing. Throws when it cannot be opened. */
export function openChainState(path: string): ChainStateFile {
  const fd = openSync(path, "w");
  const record = Buffer.alloc(RECORD_BYTES, " ");
  return {
    save({ chainId, nextSeq, prevHash }) {
      const text = JSON.stringify({ chain_id: chainId, next_seq: nextSeq, prev_hash: prevHash });
      record.fill(" ");
      const length = record.write(text, 0, "utf8");
      // A chain id too long for the record is refused at config load (name ≤ 200 bytes).
      writeSync(fd, record, 0, Math.max(length, RECORD_BYTES), 0);
    },
    close() {
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}
