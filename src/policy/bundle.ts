import { readFile, stat } from "node:fs/promises";
import { AuthzError } from "../errors.js";
import {
  type BundleFiles,
  DEFAULT_LIMITS,
  readBundleDirectory,
  unpackBundle,
} from "./bundle-files.js";
import { SIGNATURES_FILE, type SigningPolicy, verifyBundleSignature } from "./signature.js";

/** What a policy bundle built by `opa build -t wasm` holds. */
export interface PolicyBundle {
  /** The wasm module named by the manifest (`/policy.wasm` by default). */
  wasm: Uint8Array;
  /** Every `data.json` of the bundle merged at its path, as JSON text for `setData`. */
  data: string;
  /** The manifest's `revision`, or "" when it has none. */
  revision: string;
}

const invalid = (message: string) => new AuthzError("bundle_invalid", message);

/**
 * Reads a bundle from a `.tar.gz` file or a directory, verifies its signature when a signing
 * policy is configured, and extracts the wasm module, the data and the revision.
 * Throws `AuthzError("bundle_invalid")`.
 */
export async function readBundle(location: string, signing?: SigningPolicy): Promise<PolicyBundle> {
  let files: BundleFiles;
  try {
    files = (await stat(location)).isDirectory()
      ? await readBundleDirectory(location)
      : await unpackBundle(await readFile(location));
  } catch (error) {
    if (error instanceof AuthzError) throw error;
    throw invalid(`cannot read bundle ${location}: ${(error as Error).message}`);
  }
  return parseBundle(files, signing);
}

/** Turns unpacked files into a bundle (see {@link readBundle}). */
export async function parseBundle(
  files: BundleFiles,
  signing?: SigningPolicy,
): Promise<PolicyBundle> {
  if (signing) await verifyBundleSignature(files, signing);
  const manifest = parseJsonFile(files, ".manifest") as
    | { revision?: unknown; wasm?: Array<{ module?: unknown }> }
    | undefined;
  const modulePath = String(manifest?.wasm?.[0]?.module ?? "/policy.wasm").replace(/^\/+/, "");
  const wasm = files.get(modulePath);
  if (!wasm) throw invalid(`bundle has no /${modulePath} (build it with \`opa build -t wasm\`)`);
  return {
    wasm,
    data: JSON.stringify(mergeData(files)),
    revision: typeof manifest?.revision === "string" ? manifest.revision : "",
  };
}

/** Each `…/a/b/data.json` is placed at `data.a.b` (OPA's bundle layout); the root one at `data`. */
function mergeData(files: BundleFiles): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const paths = [...files.keys()]
    .filter((name) => name === "data.json" || name.endsWith("/data.json"))
    .sort();
  for (const name of paths) {
    const value = parseJsonFile(files, name);
    const segments = name.split("/").slice(0, -1);
    if (segments.length === 0) {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw invalid("data.json at the root must be an object");
      Object.assign(data, value);
      continue;
    }
    let node = data;
    for (const segment of segments.slice(0, -1)) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
    node[segments[segments.length - 1] as string] = value;
  }
  return data;
}

function parseJsonFile(files: BundleFiles, name: string): unknown {
  const content = files.get(name);
  if (content === undefined) return undefined;
  try {
    return JSON.parse(content.toString("utf8"));
  } catch (error) {
    throw invalid(`${name} is not JSON: ${(error as Error).message}`);
  }
}

export { DEFAULT_LIMITS, SIGNATURES_FILE };
