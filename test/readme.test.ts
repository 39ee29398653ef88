/**
 * The project's Markdown as a reader sees it, parsed by micromark's GFM table extension (the
 * CommonMark reference parser; it splits table rows as GitHub does, and keeps the cells a row
 * really has where a renderer would drop the extra ones): every table row has its header's
 * column count, the README's configuration table names every key of the one config schema
 * (src/config/schema.ts) exactly once, relative links lead to files that exist, the README's
 * `check` example runs with the request file it names, and its local mTLS lab holds together:
 * Envoy's and curl's SVIDs and the demo config's trust bundle come from the one lab PKI.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmTableFromMarkdown } from "mdast-util-gfm-table";
import { toString as text } from "mdast-util-to-string";
import { gfmTable } from "micromark-extension-gfm-table";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { configSchema } from "../src/config/schema.js";
import { built, ROOT } from "./support/paths.js";
import { startProcess } from "./support/processes.js";
import { freePort } from "./support/redis.js";

type Root = ReturnType<typeof fromMarkdown>;
type Block = Root["children"][number];
type Table = Extract<Block, { type: "table" }>;

const parse = (markdown: string): Root =>
  fromMarkdown(markdown, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] });

/** Every table of a document, top-level or nested (in lists, quotes). */
function tables(root: Root): Table[] {
  const found: Table[] = [];
  const visit = (node: { type: string; children?: unknown[] }) => {
    if (node.type === "table") found.push(node as Table);
    for (const child of node.children ?? []) visit(child as typeof node);
  };
  visit(root);
  return found;
}

/** `line N: M cells, header has H` for every row whose cell count differs from its header's. */
function ragged(root: Root): string[] {
  return tables(root).flatMap(({ children: [header, ...rows] }) =>
    rows
      .filter((row) => row.children.length !== header?.children.length)
      .map(
        (row) =>
          `line ${row.position?.start.line}: ${row.children.length} cells, header has ${header?.children.length}`,
      ),
  );
}

/** The Markdown files the project ships: the top-level ones and docs/. */
const MARKDOWN = [
  ...readdirSync(ROOT).filter((f) => f.endsWith(".md")),
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("Markdown tables", () => {
  it.each([
    [
      "a `||` in a cell",
      "| a | b |\n|---|---|\n| `x || y` | z |\n",
      ["line 3: 4 cells, header has 2"],
    ],
    ["a missing cell", "| a | b |\n|---|---|\n| x |\n", ["line 3: 1 cells, header has 2"]],
    ["an escaped pipe", "| a | b |\n|---|---|\n| `x \\|\\| y` | z |\n", []],
  ])("the check itself finds %s", (_, markdown, expected) => {
    expect(ragged(parse(markdown))).toEqual(expected);
  });

  it.each(MARKDOWN)("%s: every row has its header's column count", (file) => {
    expect(ragged(parse(readFileSync(join(ROOT, file), "utf8")))).toEqual([]);
  });
});

/**
 * Every key path of a zod object schema, as the README writes it: `listen.grpc`, an array of
 * objects as `identity.jwt.issuers[].issuer`, a union of objects as each alternative's keys
 * (`….jwks.file`, `….jwks.url`). Records, arrays of scalars and scalars are leaves.
 */
function keyPaths(schema: z.ZodType, path = ""): string[] {
  const def = (schema as unknown as z.core.$ZodTypes)._zod.def;
  const below = (key: string) => (path === "" ? key : `${path}.${key}`);
  switch (def.type) {
    case "object":
      return Object.entries(def.shape).flatMap(([key, inner]) =>
        keyPaths(inner as z.ZodType, below(key)),
      );
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return keyPaths(def.innerType as z.ZodType, path);
    case "pipe":
      return keyPaths(def.in as z.ZodType, path);
    case "array": {
      const inner = keyPaths(def.element as z.ZodType, `${path}[]`);
      return inner.length === 1 && inner[0] === `${path}[]` ? [path] : inner;
    }
    case "union": {
      const alternatives = def.options.map((option) => keyPaths(option as z.ZodType, path));
      return alternatives.every((keys) => keys.length === 1 && keys[0] === path)
        ? [path]
        : [...new Set(alternatives.flat())];
    }
    default:
      return [path];
  }
}

/** The first table after the heading `title`. */
function tableUnder(root: Root, title: string): Table {
  const at = root.children.findIndex((node) => node.type === "heading" && text(node) === title);
  const table = root.children.slice(at + 1).find((node): node is Table => node.type === "table");
  if (at < 0 || table === undefined) throw new Error(`no table under "${title}"`);
  return table;
}

describe("the README's configuration table", () => {
  const readme = parse(readFileSync(join(ROOT, "README.md"), "utf8"));
  const [, ...rows] = tableUnder(readme, "Configuration").children;
  // The key column: each key in code, several to a row where they share a meaning.
  const documented = rows.flatMap((row) =>
    (row.children[0]?.children ?? []).flatMap((node) =>
      node.type === "inlineCode" ? [node.value] : [],
    ),
  );
  const schemaKeys = keyPaths(configSchema);

  it("walks the schema it checks against", () => {
    expect(schemaKeys).toEqual(
      expect.arrayContaining(["listen.probe", "identity.jwt.issuers[].jwks.discovery"]),
    );
    expect(schemaKeys).not.toContain("identity.jwt.issuers");
  });

  it("names every key of src/config/schema.ts exactly once, and no other", () => {
    const twice = documented.filter((key, i) => documented.indexOf(key) !== i);
    expect({
      missing: schemaKeys.filter((key) => !documented.includes(key)),
      twice,
      unknown: documented.filter((key) => !schemaKeys.includes(key)),
    }).toEqual({ missing: [], twice: [], unknown: [] });
  });
});

describe("links and examples", () => {
  it.each(MARKDOWN)("%s: every relative link leads to a file of the repository", (file) => {
    const links: string[] = [];
    const visit = (node: { type: string; url?: string; children?: unknown[] }) => {
      if (node.type === "link" && node.url && !/^[a-z]+:|^#/.test(node.url)) links.push(node.url);
      for (const child of node.children ?? []) visit(child as typeof node);
    };
    visit(parse(readFileSync(join(ROOT, file), "utf8")));
    const base = dirname(join(ROOT, file));
    expect(links.filter((url) => !existsSync(join(base, url.split("#")[0] ?? "")))).toEqual([]);
  });

  it("every examples/ file the README names is in the repository", () => {
    const named = readFileSync(join(ROOT, "README.md"), "utf8").match(/examples\/[\w.-]+/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it.each([
    ["examples/public-docs.json", 0, true],
    ["examples/admin-anonymous.json", 1, false],
  ])("openclaw-authz check --config config/demo.yaml %s exits %d", async (file, code, allowed) => {
    const main = built("dist/main.js");
    built("build/policy/bundle.tar.gz");
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")]);
    const result = await run("node", [main, "check", "--config", "config/demo.yaml", file]);
    expect(result.code, result.stderr).toBe(code);
    expect(JSON.parse(result.stdout).decision.allowed).toBe(allowed);
  });
});

describe("the README's local mTLS lab: one CA chain end to end", () => {
  const pki = (path: string) => join(ROOT, "build/pki", path);
  const client = ["--cert", pki("test-client/svid.pem"), "--key", pki("test-client/svid-key.pem")];

  it("Envoy's bootstrap, its SVID paths pointed at build/pki/envoy/, names files the lab wrote", async () => {
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")]);
    const bootstrap = readFileSync(join(ROOT, "envoy/sidecar-loopback.yaml"), "utf8");
    const files = [...bootstrap.matchAll(/filename: ([^}\s]+)/g)].map(([, file]) =>
      (file ?? "").replace("/etc/envoy/svid/", "build/pki/envoy/"),
    );
    expect(files).toHaveLength(3);
    expect(files.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it("curl, with the test client's SVID, verifies Envoy's SVID at localhost, and Envoy the client's", async () => {
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")]);
    const port = await freePort();
    // What Envoy's listener holds: certificate_chain svid.pem, trusted_ca bundle.pem, client
    // certificate required, TLS 1.3.
    const envoy = await startProcess(
      "openssl",
      [
        ...["s_server", "-accept", `127.0.0.1:${port}`, "-tls1_3", "-www"],
        ...["-cert", pki("envoy/svid.pem"), "-cert_chain", pki("envoy/svid.pem")],
        ...["-key", pki("envoy/svid-key.pem"), "-CAfile", pki("envoy/bundle.pem")],
        ...["-Verify", "3", "-verify_return_error"],
      ],
      /ACCEPT/,
    );
    try {
      const url = `https://localhost:${port}/api/v1/public/docs`;
      const curl = [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--cacert",
        pki("envoy/bundle.pem"),
      ];
      const verified = await run("curl", [...curl, ...client, url]);
      expect(verified, verified.stderr).toMatchObject({ code: 0, stdout: "200" });
      expect((await run("curl", [...curl, url])).code).not.toBe(0);
    } finally {
      await envoy.stop();
    }
  });

  it("config/demo.yaml verifies the client's SVID, bare and with the chain Envoy forwards", async () => {
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")]);
    const leaf = readFileSync(pki("test-client/leaf.pem"), "utf8");
    const chain = readFileSync(pki("test-client/svid.pem"), "utf8");
    const xfcc = `URI=spiffe://prod.openclaw.internal/ns/test/sa/client;Chain="${encodeURIComponent(chain)}"`;
    for (const headers of [{}, { "x-forwarded-client-cert": xfcc }]) {
      const request = {
        attributes: {
          source: { certificate: encodeURIComponent(leaf) },
          request: { http: { method: "GET", path: "/api/v1/public/docs", headers } },
        },
      };
      const result = await run(
        "node",
        [built("dist/main.js"), "check", "--config", "config/demo.yaml", "-"],
        JSON.stringify(request),
      );
      expect(result.code, result.stdout).toBe(0);
      expect(JSON.parse(result.stdout).identity.subject).toBe(
        "spiffe://prod.openclaw.internal/ns/test/sa/client",
      );
    }
  });
});

const run = (command: string, args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(command, args, { cwd: ROOT }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
