import {
  closeSync,
  fsync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/**
 * A sink's backlog on local disk (`decisionLog.durability: audit`): NDJSON lines appended to
 * segment files in one directory, read back oldest first, and removed once the sink has taken
 * them (the read position is kept in a `cursor` file, rewritten in place). An append is one
 * `write` (in the page cache at once: it survives the process) and the files are fsync'd every
 * `syncIntervalMs` while appends come, and by `sync()` (it then survives the kernel too). A line
 * cut short by a crash is cut off when the directory is opened again. One process per directory.
 */
export interface Spill {
  /** Bytes held (appended and not yet committed), the segments' consumed parts included. */
  bytes(): number;
  empty(): boolean;
  /** Appends the lines in one write; false, and nothing written, when they would pass `maxBytes`. */
  append(lines: readonly string[]): boolean;
  /** Up to `count` of the oldest lines, reading at most about 1 MiB. */
  peek(count: number): string[];
  /** The sink has taken these oldest lines (as `peek` gave them): they are removed. */
  commit(lines: readonly string[]): void;
  /** Fsyncs what was appended. */
  sync(): Promise<void>;
  /** Fsyncs and closes. */
  close(): Promise<void>;
}

/** Options for {@link openSpill}. */
export interface SpillOptions {
  /** The directory (made if missing), this sink's alone. */
  dir: string;
  /** Most bytes on disk, all segments together. */
  maxBytes: number;
  /** Longest an appended line waits for its fsync, ms. */
  syncIntervalMs: number;
}

const CURSOR_BYTES = 128;
const READ_BYTES = 1 << 20;
const SEGMENT = /^(\d{12})\.ndjson$/;

interface Segment {
  id: number;
  path: string;
  size: number;
}

/**
 * Opens (creating) a spill directory, finding what a previous run left there. Throws when the
 * directory cannot be made or read (the config names it: the caller reports the key).
 */
export function openSpill(options: SpillOptions): Spill {
  mkdirSync(options.dir, { recursive: true });
  const segmentBytes = Math.max(64 * 1024, Math.floor(options.maxBytes / 16));
  const segments: Segment[] = readdirSync(options.dir)
    .map((name) => SEGMENT.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => segmentAt(options.dir, Number(match[1])))
    .sort((a, b) => a.id - b.id);
  const cursorPath = join(options.dir, "cursor");
  closeSync(openSync(cursorPath, "a"));
  // Not "a": positioned writes to a file opened for appending append.
  const cursorFd = openSync(cursorPath, "r+");
  /** Where the oldest line not yet taken starts; always in segments[0]. */
  let cursor = readCursor(cursorFd, segments);
  while (segments.length > 0 && (segments[0] as Segment).id < cursor.segment)
    unlinkSync((segments.shift() as Segment).path);
  let fd: number | undefined;
  const last = segments.at(-1);
  if (last) {
    last.size = wholeLines(last);
    fd = openSync(last.path, "r+");
  }
  let dirty = false;
  let syncTimer: NodeJS.Timeout | undefined;
  /** fsyncs in flight (the current segment's, and those of segments being closed). */
  const syncing = new Set<Promise<void>>();
  const fsyncThen = (target: number, after?: () => void) => {
    const done = new Promise<void>((resolve) =>
      // A failed fsync leaves the lines in the page cache; the next interval tries again.
      fsync(target, () => {
        syncing.delete(done);
        after?.();
        resolve();
      }),
    );
    syncing.add(done);
    return done;
  };

  const total = () => segments.reduce((sum, segment) => sum + segment.size, 0);
  const saveCursor = () => {
    const record = Buffer.alloc(CURSOR_BYTES, " ");
    record.write(JSON.stringify(cursor));
    writeSync(cursorFd, record, 0, CURSOR_BYTES, 0);
  };
  const sync = async () => {
    clearTimeout(syncTimer);
    syncTimer = undefined;
    if (fd !== undefined && dirty) {
      dirty = false;
      fsyncThen(fd);
    }
    await Promise.all(syncing);
  };
  /** The segment to append to: the last one, or a new one once it is full. */
  const target = (): Segment => {
    const current = segments.at(-1);
    if (current && fd !== undefined && current.size < segmentBytes) return current;
    if (fd !== undefined) {
      const full = fd;
      fsyncThen(full, () => closeSync(full));
    }
    const segment = segmentAt(options.dir, (current?.id ?? 0) + 1, 0);
    fd = openSync(segment.path, "w");
    segments.push(segment);
    if (segments.length === 1) cursor = { segment: segment.id, offset: 0 };
    return segment;
  };

  return {
    bytes: total,
    empty: () => total() - cursor.offset <= 0,
    append(lines) {
      if (lines.length === 0) return true;
      const data = Buffer.from(`${lines.join("\n")}\n`);
      if (total() + data.length > options.maxBytes) return false;
      const segment = target();
      writeSync(fd as number, data, 0, data.length, segment.size);
      segment.size += data.length;
      dirty = true;
      syncTimer ??= setTimeout(() => void sync(), options.syncIntervalMs).unref();
      return true;
    },
    peek(count) {
      const lines: string[] = [];
      let offset = cursor.offset;
      for (const segment of segments) {
        while (lines.length < count && offset < segment.size) {
          const read = readLines(segment, offset, count - lines.length);
          lines.push(...read.lines);
          offset = read.end;
        }
        if (lines.length >= count) break;
        offset = 0;
      }
      return lines;
    },
    commit(lines) {
      let bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
      for (let first = segments[0]; bytes > 0 && first; first = segments[0]) {
        const step = Math.min(bytes, first.size - cursor.offset);
        cursor = { segment: first.id, offset: cursor.offset + step };
        bytes -= step;
        if (cursor.offset < first.size) break;
        if (segments.length > 1) {
          // Read to its end and not appended to any more (its fd was closed when the next began).
          unlinkSync(first.path);
          segments.shift();
          cursor = { segment: (segments[0] as Segment).id, offset: 0 };
        } else if (fd !== undefined) {
          // Everything was taken: the file starts again rather than grow.
          ftruncateSync(fd, 0);
          first.size = 0;
          cursor = { segment: first.id, offset: 0 };
          break;
        }
      }
      saveCursor();
    },
    sync,
    async close() {
      await sync();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      closeSync(cursorFd);
    },
  };
}

function segmentAt(dir: string, id: number, size?: number): Segment {
  const path = join(dir, `${String(id).padStart(12, "0")}.ndjson`);
  return { id, path, size: size ?? statSync(path).size };
}

/** The cursor a previous run saved; the start of the oldest segment when none is usable. */
function readCursor(fd: number, segments: Segment[]): { segment: number; offset: number } {
  const start = { segment: segments[0]?.id ?? 1, offset: 0 };
  try {
    const saved = JSON.parse(readFileSync(fd, "utf8")) as { segment?: unknown; offset?: unknown };
    const segment = segments.find((s) => s.id === saved.segment);
    if (segment && Number.isSafeInteger(saved.offset) && (saved.offset as number) >= 0)
      return { segment: segment.id, offset: Math.min(saved.offset as number, segment.size) };
  } catch {
    // No cursor yet, or a torn one: replay from the start (a sink may see a line twice).
  }
  return start;
}

/** The segment's size up to its last newline, cutting off a line a crash left unfinished. */
function wholeLines(segment: Segment): number {
  if (segment.size === 0) return 0;
  const fd = openSync(segment.path, "r+");
  try {
    const tail = Buffer.alloc(Math.min(segment.size, READ_BYTES));
    let end = segment.size;
    while (end > 0) {
      const start = Math.max(0, end - tail.length);
      readSync(fd, tail, 0, end - start, start);
      const newline = tail.subarray(0, end - start).lastIndexOf(10);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end !== segment.size) ftruncateSync(fd, end);
    return end;
  } finally {
    closeSync(fd);
  }
}

/** Whole lines from `offset` (at most `count`, about 1 MiB unless one line is longer). */
function readLines(segment: Segment, offset: number, count: number) {
  const fd = openSync(segment.path, "r");
  try {
    let size = Math.min(READ_BYTES, segment.size - offset);
    for (;;) {
      const buffer = Buffer.alloc(size);
      const read = readSync(fd, buffer, 0, size, offset);
      const chunk = buffer.subarray(0, read);
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline < 0 && offset + read < segment.size) {
        size *= 2; // a line longer than the chunk
        continue;
      }
      const lines = chunk
        .subarray(0, lastNewline + 1)
        .toString("utf8")
        .split("\n")
        .slice(0, -1);
      const taken = lines.slice(0, count);
      const end = offset + taken.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
      return { lines: taken, end };
    }
  } finally {
    closeSync(fd);
  }
}
