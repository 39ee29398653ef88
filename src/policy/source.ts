import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { AuthzError } from "../errors.js";
import type { Fetch } from "../fetch.js";
import {
  type BundleFiles,
  type BundleLimits,
  DEFAULT_LIMITS,
  readBundleDirectory,
  unpackBundle,
} from "./bundle-files.js";

/** Options for {@link watchBundle}. */
export interface BundleSourceOptions {
  /** A `.tar.gz` file, a bundle directory, or an http(s) URL (OPA's bundle service protocol). */
  location: string;
  /** Poll period, ms; URLs get ±10 % jitter so a fleet does not poll in step. */
  intervalMs: number;
  /** Bearer token for the bundle server. */
  token?: string;
  /** Per-download timeout, ms. */
  timeoutMs: number;
  limits?: BundleLimits;
}

/** What {@link watchBundle} works with. */
export interface BundleSourceDeps {
  fetch: Fetch;
  /** Hands a new bundle to the store, which verifies and swaps it in (or refuses it). */
  offer(files: BundleFiles, origin: string): Promise<boolean>;
  /** A bundle could not be fetched or unpacked; the serving policy stays. */
  onError(error: AuthzError): void;
  /** A poll read the source (a new bundle, or the same one): for bundle freshness metrics. */
  onReached?(): void;
}

/** A running watcher. */
export interface BundleSource {
  close(): void;
}

/**
 * Loads the bundle now, then whenever it changes: files and directories by polling their stats,
 * URLs by polling with `If-None-Match` (a 304 costs nothing). Each new bundle is handed to
 * `offer`; failures to fetch or unpack go to `onError` and the serving policy stays. A failure
 * that repeats poll after poll (a bundle server down) is retried at every poll but reported once,
 * until a poll succeeds or fails otherwise. Resolves after the first attempt; `close()` stops
 * the polling.
 */
export async function watchBundle(
  deps: BundleSourceDeps,
  options: BundleSourceOptions,
): Promise<BundleSource> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const remote = /^https?:\/\//.test(options.location);
  let version = "";
  let failing = "";
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const poll = async () => {
    try {
      const next = remote
        ? await download(options, version, deps.fetch, limits)
        : await readLocal(options.location, version, limits);
      if (next) {
        // Recorded before unpacking: a version that cannot be unpacked is refused once, not on
        // every poll until it changes.
        version = next.version;
        const files = await next.unpack();
        if (files) await deps.offer(files, options.location);
        else version = "";
      }
      failing = "";
      deps.onReached?.();
    } catch (error) {
      const failure =
        error instanceof AuthzError
          ? error
          : new AuthzError("bundle_invalid", `${options.location}: ${(error as Error).message}`);
      if (failure.message !== failing) deps.onError(failure);
      failing = failure.message;
    }
    if (closed) return;
    const jitter = remote ? 1 + (Math.random() * 0.2 - 0.1) : 1;
    timer = setTimeout(poll, options.intervalMs * jitter);
    timer.unref();
  };
  await poll();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** Downloads the bundle unless the server says it is unchanged (304 for our ETag). */
async function download(
  options: BundleSourceOptions,
  etag: string,
  fetch: Fetch,
  limits: BundleLimits,
) {
  const headers: Record<string, string> = { accept: "application/gzip" };
  if (etag) headers["if-none-match"] = etag;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(options.location, {
    signal: AbortSignal.timeout(options.timeoutMs),
    headers,
  });
  if (response.status === 304) return undefined;
  // A body left unread holds its connection open (and the server writing) until garbage
  // collection: one more socket per poll while the server keeps answering so.
  const refuse = async (message: string) => {
    await response.body?.cancel();
    throw new AuthzError("bundle_invalid", `${options.location}: ${message}`);
  };
  if (!response.ok) return refuse(`HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limits.maxTotalBytes)
    return refuse(`bundle larger than ${limits.maxTotalBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > limits.maxTotalBytes)
      throw new AuthzError(
        "bundle_invalid",
        `${options.location}: bundle larger than ${limits.maxTotalBytes} bytes`,
      );
    chunks.push(chunk as Uint8Array);
  }
  const bytes = Buffer.concat(chunks);
  return {
    version: response.headers.get("etag") ?? "",
    unpack: () => unpackBundle(bytes, limits),
  };
}

/**
 * Reads a local bundle when its stats changed since `seen`. One changed while it is read (a
 * directory being edited, a file replaced meanwhile) is read again at the next poll (unpacked as
 * undefined), so what is offered or refused is the version recorded, once.
 */
async function readLocal(location: string, seen: string, limits: BundleLimits) {
  const info = await stat(location);
  const directory = info.isDirectory();
  const versionNow = directory
    ? () => unlessChanging(directoryVersion(location))
    : async () => {
        const now = await unlessChanging(stat(location));
        return now && `${now.mtimeMs}:${now.size}:${now.ino}`;
      };
  const version = await versionNow();
  if (version === undefined || version === seen) return undefined;
  const read = async () =>
    directory
      ? unlessChanging(readBundleDirectory(location, limits))
      : unpackBundle(await readFile(location), limits);
  const unpack = async () => {
    const outcome = await read().then(
      (files) => ({ files }),
      (error: unknown) => ({ error }),
    );
    if ((await versionNow()) !== version) return undefined;
    if ("error" in outcome) throw outcome.error;
    return outcome.files;
  };
  return { version, unpack };
}

/**
 * Undefined when an entry listed a moment ago is gone (ENOENT below a directory that exists):
 * the bundle is being changed, which is no broken bundle.
 */
async function unlessChanging<T>(reading: Promise<T>): Promise<T | undefined> {
  try {
    return await reading;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * A directory changes when any entry below it does: fold every entry's stats together. Links,
 * FIFOs and devices count too (not followed): one added to a serving directory is refused at the
 * next poll, not left unseen until a file changes.
 */
async function directoryVersion(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await lstat(path);
    parts.push(`${path}:${info.mode}:${info.mtimeMs}:${info.size}`);
  }
  return parts.sort().join("|");
}
