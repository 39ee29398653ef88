import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { Parser, type ReadEntry } from "tar";
import { AuthzError } from "../errors.js";

/** What a policy bundle built by `opa build -t wasm` holds, as bytes. */
export interface PolicyBundle {
  /** `/policy.wasm`. */
  wasm: Uint8Array;
  /** `/data.json` (merged into the instance with `setData`), or `{}`. */
  data: string;
  /** `.manifest` revision, or "" when the bundle has none. */
  revision: string;
}

/** Bundles are small; anything past these limits is refused, not read. */
export const BUNDLE_LIMITS = { maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 };

/**
 * Reads a bundle from a `.tar.gz` file (what `opa build -t wasm` writes) or from a directory
 * holding `policy.wasm` and optionally `data.json` and `.manifest`.
 * Throws `AuthzError("bundle_invalid")` when it is missing, oversized or has no `policy.wasm`.
 */
export async function readBundle(location: string): Promise<PolicyBundle> {
  try {
    const info = await stat(location);
    const files = info.isDirectory() ? await readDirectory(location) : await readTarball(location);
    return toBundle(files);
  } catch (error) {
    if (error instanceof AuthzError) throw error;
    throw new AuthzError(
      "bundle_invalid",
      `cannot read bundle ${location}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function toBundle(files: Map<string, Buffer>): PolicyBundle {
  const wasm = files.get("policy.wasm");
  if (!wasm)
    throw new AuthzError(
      "bundle_invalid",
      "bundle has no /policy.wasm (build it with `opa build -t wasm`)",
    );
  const manifest = files.get(".manifest");
  const revision = manifest
    ? String((JSON.parse(manifest.toString("utf8")) as { revision?: unknown }).revision ?? "")
    : "";
  return { wasm, data: files.get("data.json")?.toString("utf8") ?? "{}", revision };
}

async function readDirectory(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of ["policy.wasm", "data.json", ".manifest"]) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    if (info.size > BUNDLE_LIMITS.maxFileBytes)
      throw new AuthzError("bundle_invalid", `${name} is too large`);
    files.set(name, await readFile(path));
  }
  return files;
}

/** Only the root-level files a wasm bundle uses are kept; names are never used as paths. */
async function readTarball(path: string): Promise<Map<string, Buffer>> {
  const tarball = await readFile(path);
  const files = new Map<string, Buffer>();
  let total = 0;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path.replace(/^\.?\//, "");
      if (entry.type !== "File" || !["policy.wasm", "data.json", ".manifest"].includes(name)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      entry.on("data", (chunk: Buffer) => {
        size += chunk.length;
        total += chunk.length;
        if (size > BUNDLE_LIMITS.maxFileBytes || total > BUNDLE_LIMITS.maxTotalBytes) {
          parser.abort(new Error(`${name} exceeds the bundle size limit`));
          return;
        }
        chunks.push(chunk);
      });
      entry.on("end", () => files.set(name, Buffer.concat(chunks)));
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("error", reject);
    parser.on("abort", reject);
    parser.on("end", resolve);
    parser.end(tarball);
  });
  return files;
}
