import { readFile, stat } from "node:fs/promises";

/** A parsed file kept current: reloaded when its modification time or size changes. */
export interface WatchedFile<T> {
  /** The last content that parsed; undefined until the first good read. */
  current(): T | undefined;
  close(): void;
}

/** Options for {@link watchFile}. */
export interface WatchOptions {
  /** How often to look at the file, in ms. */
  intervalMs: number;
  /** A read or parse failed; the previous content keeps serving. */
  onError(error: Error): void;
}

/**
 * Reads `path` with `parse` now and whenever it changes (polling `stat`, which also sees the
 * symlink swaps Kubernetes uses for mounted Secrets and ConfigMaps). Resolves after the first
 * attempt; a bad file keeps the last good content.
 */
export async function watchFile<T>(
  path: string,
  parse: (text: string) => T,
  options: WatchOptions,
): Promise<WatchedFile<T>> {
  let value: T | undefined;
  let seen = "";
  const load = async () => {
    try {
      const info = await stat(path);
      const version = `${info.mtimeMs}:${info.size}:${info.ino}`;
      if (version === seen) return;
      value = parse(await readFile(path, "utf8"));
      seen = version;
    } catch (error) {
      options.onError(error as Error);
    }
  };
  await load();
  const timer = setInterval(load, options.intervalMs);
  timer.unref();
  return { current: () => value, close: () => clearInterval(timer) };
}
