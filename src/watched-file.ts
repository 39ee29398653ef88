import { readFile, stat } from "node:fs/promises";

/** A parsed file kept current: reloaded when its modification time or size changes. */
export interface WatchedFile<T> {
  /** The last content that parsed; undefined until the first good read. */
  current(): T | undefined;
  close(): void;
}

/** What {@link watchFile} calls. */
export interface WatchDeps<T> {
  /** The value served for the file's text; throws when the file is bad. */
  parse(text: string): T;
  /** A read or parse failed; the previous content keeps serving. */
  onError(error: Error): void;
}

/** Options for {@link watchFile}. */
export interface WatchOptions {
  path: string;
  /** How often to look at the file, in ms. */
  intervalMs: number;
}

/**
 * Reads `path` with `parse` now and whenever it changes (polling `stat`, which also sees the
 * symlink swaps Kubernetes uses for mounted Secrets and ConfigMaps). Resolves after the first
 * attempt; a bad file keeps the last good content and is reported once per version. `close()`
 * stops the polling.
 */
export async function watchFile<T>(
  deps: WatchDeps<T>,
  options: WatchOptions,
): Promise<WatchedFile<T>> {
  const { path } = options;
  let value: T | undefined;
  let seen = "";
  // A version (or a failure to stat) is handled once: a bad file is reported once, not on every
  // poll until it changes, and a good one is read once.
  const load = async () => {
    let version: string;
    try {
      const info = await stat(path);
      version = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      version = `unreadable:${(error as NodeJS.ErrnoException).code ?? "?"}`;
      if (version !== seen) deps.onError(error as Error);
      seen = version;
      return;
    }
    if (version === seen) return;
    seen = version;
    try {
      value = deps.parse(await readFile(path, "utf8"));
    } catch (error) {
      deps.onError(error as Error);
    }
  };
  await load();
  const timer = setInterval(load, options.intervalMs);
  timer.unref();
  return { current: () => value, close: () => clearInterval(timer) };
}
