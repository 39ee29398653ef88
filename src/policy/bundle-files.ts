import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { Parser, type ReadEntry } from "tar";
import { AuthzError } from "../errors.js";

/** A bundle's files by path (no leading slash), as bytes. */
export type BundleFiles = Map<string, Buffer>;

/** Limits on what a bundle may hold; past them it is refused, not read further. */
export interface BundleLimits {
  /** Largest single file, decompressed. */
  maxFileBytes: number;
  /** All files together, decompressed (stops zip bombs). */
  maxTotalBytes: number;
  maxFiles: number;
}

export const DEFAULT_LIMITS: BundleLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxFiles: 10_000,
};

const invalid = (message: string) => new AuthzError("bundle_invalid", message);

/** A bundle path, normalized (`/a/b`, `./a/b` → `a/b`); anything that could escape is refused. */
export function bundlePath(name: string): string {
  const path = name.replace(/^(\.\/|\/)+/, "");
  const segments = path.split("/");
  if (
    path === "" ||
    name.includes("\\") ||
    name.includes("\0") ||
    segments.some((s) => s === ".." || s === "." || s === "")
  ) {
    throw invalid(`bundle entry ${JSON.stringify(name)} is not a plain relative path`);
  }
  return path;
}

/**
 * Unpacks a `.tar.gz` bundle in memory with the `tar` package: regular files and directories
 * only (links and devices are refused), paths normalized and checked, sizes counted as they
 * decompress. Throws `AuthzError("bundle_invalid")`.
 */
export async function unpackBundle(
  tarball: Buffer,
  limits: BundleLimits = DEFAULT_LIMITS,
): Promise<BundleFiles> {
  const files: BundleFiles = new Map();
  let total = 0;
  let failure: AuthzError | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const fail = (error: AuthzError) => {
        failure ??= error;
        entry.resume();
        parser.abort(error);
      };
      if (entry.type === "Directory") return void entry.resume();
      if (entry.type !== "File" && entry.type !== "OldFile")
        return fail(invalid(`bundle entry ${entry.path} is a ${entry.type}, not a file`));
      let name: string;
      try {
        name = bundlePath(entry.path);
      } catch (error) {
        return fail(error as AuthzError);
      }
      if (files.has(name)) return fail(invalid(`bundle has ${name} twice`));
      if (files.size >= limits.maxFiles)
        return fail(invalid(`bundle has more than ${limits.maxFiles} files`));
      const chunks: Buffer[] = [];
      let size = 0;
      entry.on("data", (chunk: Buffer) => {
        size += chunk.length;
        total += chunk.length;
        if (size > limits.maxFileBytes)
          return fail(invalid(`${name} is larger than ${limits.maxFileBytes} bytes`));
        if (total > limits.maxTotalBytes)
          return fail(invalid(`bundle is larger than ${limits.maxTotalBytes} bytes unpacked`));
        chunks.push(chunk);
      });
      entry.on("end", () => files.set(name, Buffer.concat(chunks)));
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("error", (error: Error) =>
      reject(failure ?? invalid(`not a bundle archive: ${error.message}`)),
    );
    parser.on("abort", (error: Error) => reject(failure ?? invalid(error.message)));
    parser.on("end", resolve);
    parser.end(tarball);
  });
  if (failure) throw failure;
  return files;
}

/**
 * Reads a bundle directory (what `opa build` would pack): regular files only, recursively. The
 * listing is held to `limits` (file count, then sizes) before any file is read.
 */
export async function readBundleDirectory(
  dir: string,
  limits: BundleLimits = DEFAULT_LIMITS,
): Promise<BundleFiles> {
  const paths = await listBundleDirectory(dir, limits);
  let total = 0;
  for (const [name, path] of paths) {
    const size = (await lstat(path)).size;
    total += size;
    if (size > limits.maxFileBytes)
      throw invalid(`${name} is larger than ${limits.maxFileBytes} bytes`);
    if (total > limits.maxTotalBytes)
      throw invalid(`bundle is larger than ${limits.maxTotalBytes} bytes`);
  }
  const files: BundleFiles = new Map();
  for (const [name, path] of paths) files.set(name, await readFile(path));
  return files;
}

/** The files below `dir`, bundle path → path; a link, FIFO or device, or too many, is refused. */
async function listBundleDirectory(
  dir: string,
  limits: BundleLimits,
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const visit = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      const name = bundlePath(relative(dir, path).split(sep).join("/"));
      if (!entry.isFile()) throw invalid(`bundle entry ${name} is not a regular file`);
      if (paths.size >= limits.maxFiles)
        throw invalid(`bundle has more than ${limits.maxFiles} files`);
      paths.set(name, path);
    }
  };
  await visit(dir);
  return paths;
}
