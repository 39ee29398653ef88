/** Bundles for tests: built by the real `opa`, and hand-made tarballs for the hostile cases. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll } from "vitest";
import { createEvaluationPool, type EvaluationPool } from "../../src/policy/index.js";
import { tool } from "./paths.js";
import { run } from "./processes.js";

export interface TarEntry {
  name: string;
  content?: Buffer | string;
  /** tar type flag: "0" file (default), "2" symlink, "5" directory. */
  type?: "0" | "2" | "5";
  linkname?: string;
}

/** A gzip'd ustar archive with exactly these entries (names are written as given). */
export function tarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? "");
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write(
      `${Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, "0")}\0`,
      136,
    );
    header.write("        ", 148);
    header.write(entry.type ?? "0", 156);
    if (entry.linkname) header.write(entry.linkname, 157, 100);
    header.write("ustar\u000000", 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Unpacks a bundle built by opa into name → bytes (to tamper with and repack). */
export async function entriesOf(bundle: string): Promise<TarEntry[]> {
  const { unpackBundle } = await import("../../src/policy/index.js");
  const { readFile } = await import("node:fs/promises");
  const files = await unpackBundle(await readFile(bundle));
  return [...files].map(([name, content]) => ({ name: `/${name}`, content }));
}

/**
 * Writes a policy directory (Rego + data.json) and builds it with `opa build -t wasm`;
 * `capabilities` (a file) declares builtins beyond OPA's own.
 */
export async function buildPolicy(
  rego: string,
  data: unknown,
  options: {
    entrypoint?: string;
    revision?: string;
    signingKey?: string;
    scope?: string;
    capabilities?: string;
    /** Keep print() calls (`--wasm-include-print`). */
    includePrint?: boolean;
  } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oc-policy-"));
  await writeFile(join(dir, "policy.rego"), rego);
  await writeFile(join(dir, "data.json"), JSON.stringify(data));
  const out = join(dir, "bundle.tar.gz");
  const args = ["build", "-t", "wasm", "-e", options.entrypoint ?? "envoy/authz/allow", "-o", out];
  if (options.revision) args.push("-r", options.revision);
  if (options.capabilities) args.push("--capabilities", options.capabilities);
  if (options.includePrint) args.push("--wasm-include-print");
  if (options.signingKey)
    args.push("-b", "--signing-key", options.signingKey, "--signing-alg", "RS256");
  if (options.scope) {
    await writeFile(join(dir, "claims.json.sig"), JSON.stringify({ scope: options.scope }));
    args.push("--claims-file", join(dir, "claims.json.sig"));
  }
  args.push(
    options.signingKey ? dir : join(dir, "policy.rego"),
    ...(options.signingKey ? [] : [join(dir, "data.json")]),
  );
  await run(tool("opa"), args, { cwd: dir });
  return out;
}

/** A policy whose decision and revision marker come from data: flips with the data alone. */
export const DATA_DRIVEN_POLICY = `package envoy.authz

import rego.v1

default allow := {"allowed": false, "dynamic_metadata": {"marker": "none"}}

allow := {"allowed": data.switch.open, "dynamic_metadata": {"marker": data.switch.marker}} if data.switch.marker
`;

/**
 * One evaluation thread (10 s deadline, 32 MiB of wasm memory) for the tests of the calling file,
 * or `describe` block: started before them, closed after. Returns how to reach it.
 */
export function useEvaluationPool(): () => EvaluationPool {
  let pool: EvaluationPool | undefined;
  beforeAll(() => {
    pool = createEvaluationPool(
      { threads: 1, timeoutMs: 10_000, maxMemoryPages: 512 },
      { onError: () => {}, onPrint: () => {} },
    );
  });
  afterAll(() => pool?.close());
  return () => {
    if (!pool) throw new Error("the evaluation pool is used outside its tests");
    return pool;
  };
}
