/** The `openclaw-authz` command line: exit codes, output, and one pipeline shared with `serve`. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { substituteEnv } from "../src/config/index.js";
import { checkClient } from "./support/client.js";
import { built, ROOT, tool } from "./support/paths.js";
import {
  cli,
  run,
  type Sidecar,
  type Started,
  startProcess,
  startSidecar,
} from "./support/processes.js";
import { freePort, startRedis } from "./support/redis.js";
import { until } from "./support/wait.js";

const BUNDLE = built("build/policy/bundle.tar.gz");

let dir: string;
let config: string;

async function requestFile(name: string, request: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(request));
  return path;
}

const publicRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/public/docs" } } },
};
const protectedRead = {
  attributes: { request: { http: { method: "GET", path: "/api/v1/tenants/acme/tickets/1" } } },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-cli-"));
  config = join(dir, "config.yaml");
  await writeFile(config, stringify({ policy: { bundle: BUNDLE } }));
});

describe("openclaw-authz", () => {
  it("--version prints the version, the commit, and the opa-wasm and OPA versions", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(0);
    const [name, commit, opaWasm, opa, node] = stdout.trimEnd().split("\n");
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    expect(name).toBe(`openclaw-authz ${pkg.version}`);
    // What scripts/setup recorded (npm test runs it): a commit of this repository.
    const recorded = await readFile(join(ROOT, "COMMIT"), "utf8").then(
      (text) => text.trim(),
      () => "unknown",
    );
    expect(commit).toBe(`commit    ${recorded}`);
    if (recorded !== "unknown")
      expect((await run("git", ["-C", ROOT, "cat-file", "-t", recorded])).stdout.trim()).toBe(
        "commit",
      );
    // The release the evaluator's loader is forked from, as its source header says.
    const fork = /A fork of @open-policy-agent\/opa-wasm (\S+)'s/.exec(
      await readFile(join(ROOT, "src/policy/wasm-policy.ts"), "utf8"),
    )?.[1];
    expect(opaWasm).toMatch(new RegExp(`^opa-wasm  ${fork?.replaceAll(".", "\\.")} `));
    // The pinned opa, and the one that built the bundles here.
    const pinned = /^OPA_VERSION="(v[^"]+)"$/m.exec(
      await readFile(join(ROOT, "scripts/lib.sh"), "utf8"),
    )?.[1];
    expect(opa).toMatch(new RegExp(`^opa       ${pinned?.replaceAll(".", "\\.")} `));
    const { stdout: installed } = await run(tool("opa"), ["version"]);
    expect(installed).toContain(`Version: ${pinned?.slice(1)}\n`);
    expect(node).toBe(`node      ${process.version}`);
  });

  it("--help lists every command; usage errors exit 2 with the usage on stderr", async () => {
    const help = await cli(["--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    for (const synopsis of [
      "serve [",
      "check [",
      "revoke [",
      "logs tail [",
      "logs verify [",
      "logs export --format",
      "replay --bundle",
    ])
      expect(help.stdout).toContain(`\n  ${synopsis}`);
    expect(await cli([])).toEqual({ code: 2, stdout: "", stderr: help.stdout });
    const unknown = await cli(["frobnicate"]);
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toBe(`openclaw-authz: unknown command: frobnicate\n\n${help.stdout}`);
    expect(await cli(["serve", "--bogus"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^openclaw-authz: Unknown option '--bogus'/),
    });
    expect(await cli(["logs"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^openclaw-authz: logs: the logs commands are logs tail, logs verify and logs export\n/,
      ),
    });
  });

  it.each([
    ["serve", ["--config"], ["--bundle", "--follow"]],
    ["check", ["--config"], ["--subject", "--json"]],
    ["revoke", ["--config", "--subject", "--jti", "--for"], ["--follow", "--bundle"]],
    [
      "logs tail",
      ["--config", "--follow", "--deny-only", "--subject", "--count"],
      ["--jti", "--max-flips"],
    ],
    [
      "logs verify",
      ["--config", "--log", "--dir", "--redis-stream", "--keys", "--json"],
      ["--follow", "--format"],
    ],
    [
      "logs export",
      ["--format", "--config", "--log", "--dir", "--redis-stream", "--since", "--until"],
      ["--keys", "--json"],
    ],
    [
      "replay",
      [
        "--bundle",
        "--config",
        "--log",
        "--dir",
        "--redis-stream",
        "--max-flips",
        "--examples",
        "--json",
      ],
      ["--subject", "--follow", "--keys"],
    ],
  ])("%s --help shows its own options only, as `help` does", async (command, takes, others) => {
    const words = command.split(" ");
    const help = await cli([...words, "--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(new RegExp(`^Usage: openclaw-authz ${command} `));
    for (const option of takes)
      expect(help.stdout).toMatch(new RegExp(`\n  (-\\w, )?${option}\\b`));
    const options = help.stdout.split("\nOptions:\n")[1]?.split("\n\nExit status:")[0];
    for (const option of others) expect(options).not.toContain(option);
    expect(help.stdout).toMatch(/\nExit status:\n {2}0 {5}\S/);
    expect(await cli(["help", ...words])).toEqual(help);
  });

  it.each([
    ["check", ["--follow"], "check does not take --follow (an option of logs tail)"],
    ["check", ["-f"], "check does not take -f (an option of logs tail)"],
    ["serve", ["--subject", "x"], "serve does not take --subject (an option of revoke, logs tail)"],
    ["revoke", ["--bundle", "b"], "revoke does not take --bundle (an option of replay)"],
    [
      "logs tail",
      ["--max-flips", "1"],
      "logs tail does not take --max-flips (an option of replay)",
    ],
    ["replay", ["--jti", "j"], "replay does not take --jti (an option of revoke)"],
    ["check", ["a.json", "b.json"], "check: unexpected argument b.json"],
    ["revoke", ["extra"], "revoke: unexpected argument extra"],
  ])("%s %j is a usage error: exit 2, nothing run", async (command, args, message) => {
    const words = command.split(" ");
    const usageLine = (await cli([...words, "--help"])).stdout.split("\n")[0];
    expect(await cli([...words, ...args])).toEqual({
      code: 2,
      stdout: "",
      stderr: `openclaw-authz: ${message}\n\n${usageLine}\nSee openclaw-authz ${command} --help.\n`,
    });
  });

  it("check prints the decision, the CheckResponse and the identity; exit 0 when allowed", async () => {
    const result = await cli([
      "check",
      "--config",
      config,
      await requestFile("public.json", publicRead),
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.decision).toMatchObject({ allowed: true, reason: "public route" });
    expect(output.response).toMatchObject({
      status: { code: 0 },
      okResponse: {},
      dynamicMetadata: { decision_id: expect.any(String) },
    });
    expect(output.identity).toEqual({ authenticated: false, methods: [] });
  });

  it("exit 1 when denied, with the protobuf JSON CheckResponse", async () => {
    const result = await cli([
      "check",
      "--config",
      config,
      await requestFile("protected.json", protectedRead),
    ]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout);
    expect(output.response.deniedResponse).toMatchObject({
      status: { code: "Unauthorized" },
      body: "authentication required",
    });
  });

  it("reads the request from stdin and accepts snake_case field names", async () => {
    const snake = {
      attributes: {
        context_extensions: { region: "eu-west-1" },
        request: { http: { method: "GET", path: "/api/v1/public/x", raw_body: "" } },
      },
    };
    const result = await cli(["check", "--config", config, "-"], { stdin: JSON.stringify(snake) });
    expect(result.code).toBe(0);
  });

  it("replay without --bundle, or with two decision logs, is a usage error", async () => {
    expect(await cli(["replay", "--log", "-"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "openclaw-authz: usage_invalid: replay needs --bundle\n",
    });
    expect(await cli(["replay", "--bundle", BUNDLE, "--log", "x", "--redis-stream"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "openclaw-authz: usage_invalid: name one of --log FILE|-, --dir DIR, --redis-stream\n",
    });
  });

  it("exit 3 for a request or log that cannot be read, 2 for a request that is not a CheckRequest", async () => {
    const missing = join(dir, "missing.json");
    expect(await cli(["check", "--config", config, missing])).toEqual({
      code: 3,
      stdout: "",
      stderr: `openclaw-authz: input_unreadable: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    });
    const bad = await cli([
      "check",
      "--config",
      config,
      await requestFile("bad.json", { attributes: { nope: 1 } }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown field "nope"');
    const noLog = join(dir, "missing.ndjson");
    const unreadable = `openclaw-authz: input_unreadable: cannot read ${noLog}: ENOENT: no such file or directory, open '${noLog}'\n`;
    for (const args of [
      ["replay", "--bundle", BUNDLE, "--log", noLog],
      ["logs", "verify", "--log", noLog],
    ])
      expect(await cli(args), args.join(" ")).toEqual({ code: 3, stdout: "", stderr: unreadable });
  });

  it("serve warns when cache.maxBytes crowds the V8 heap limit, and only then", async () => {
    const warning = /cache.maxBytes is over a quarter of the heap limit/;
    const cache = { maxBytes: 48 * 2 ** 20 };
    const tight = await startSidecar({ cache }, ["--max-old-space-size=128"]);
    const roomy = await startSidecar({ cache }, ["--max-old-space-size=256"]);
    await Promise.all([tight.stop(), roomy.stop()]);
    expect(tight.stderr.join("\n")).toMatch(warning);
    expect(tight.stderr.join("\n")).toMatch(/"heap_limit_mib":1\d\d,"cache_max_mib":48/);
    expect(roomy.stderr.join("\n")).not.toMatch(warning);
  });

  it("exit 2 naming the key path for a bad config, and for a missing bundle", async () => {
    const badConfig = join(dir, "bad.yaml");
    await writeFile(badConfig, stringify({ policy: { bundle: BUNDLE, decison: "x" } }));
    const bad = await cli([
      "check",
      "--config",
      badConfig,
      await requestFile("p.json", publicRead),
    ]);
    expect(bad).toMatchObject({
      code: 2,
      stdout: "",
      stderr: 'openclaw-authz: config_invalid: policy.decison: Unrecognized key: "decison"\n',
    });
    const noBundle = join(dir, "nobundle.yaml");
    const nope = join(dir, "nope.tar.gz");
    await writeFile(noBundle, stringify({ policy: { bundle: nope } }));
    expect(
      await cli(["check", "--config", noBundle, await requestFile("p2.json", publicRead)]),
    ).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `openclaw-authz: bundle_invalid: ${nope}: ENOENT: no such file or directory, stat '${nope}'\n`,
    });
  });
});

describe("check and serve share one pipeline", () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ policy: { bundle: BUNDLE }, decisionLog: { console: false } });
  });
  afterAll(() => sidecar?.stop());

  it.each([
    ["public", publicRead],
    ["protected", protectedRead],
    ["parse error", { attributes: { request: { http: { path: "/a%zz" } } } }],
  ])("%s: same CheckResponse", async (name, request) => {
    const client = checkClient(sidecar.grpc);
    const served = await client.check(request);
    client.close();
    const checked = JSON.parse(
      (await cli(["check", "--config", config, await requestFile(`${name}.json`, request)])).stdout,
    );
    if (!served.ok) throw new Error("serve failed");
    type Response = Record<string, unknown> & { dynamicMetadata?: Record<string, unknown> };
    const strip = (r: Response): Response => {
      const { decision_id: _, ...rest } = r.dynamicMetadata ?? {};
      return { ...r, dynamicMetadata: rest };
    };
    const servedResponse = strip(served.response as Response);
    const checkedResponse = strip(checked.response as Response);
    // grpc's decoder leaves proto3 zero values out (`status: {}` for OK); protobuf JSON from check keeps code 0.
    expect(servedResponse.deniedResponse).toEqual(checkedResponse.deniedResponse);
    expect(servedResponse.dynamicMetadata).toEqual(checkedResponse.dynamicMetadata);
    expect((servedResponse.status as { code?: number }).code ?? 0).toBe(
      (checkedResponse.status as { code: number }).code,
    );
  });
});

describe("the README demo", () => {
  it("config/demo.yaml verifies the generated lab token and lab SVID", async () => {
    await run("node", [join(ROOT, "scripts/lab-identity.mjs")], { cwd: ROOT });
    const { stdout: token } = await run(
      "node",
      [join(ROOT, "scripts/lab-identity.mjs"), "token", "support", "acme"],
      { cwd: ROOT },
    );
    const demo = join(ROOT, "config/demo.yaml");
    const patch = {
      attributes: {
        request: {
          http: {
            method: "PATCH",
            path: "/api/v1/tenants/acme/tickets/9",
            headers: { authorization: `Bearer ${token.trim()}` },
          },
        },
      },
    };
    const withToken = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-token.json", patch),
    ]);
    expect(withToken.code).toBe(0);
    expect(JSON.parse(withToken.stdout).identity).toMatchObject({
      authenticated: true,
      methods: ["jwt"],
      subject: "lab-user",
    });
    const svid = await readFile(join(ROOT, "build/lab/planner.pem"), "utf8");
    const run_ = {
      attributes: {
        source: { certificate: encodeURIComponent(svid) },
        request: { http: { method: "POST", path: "/api/v1/tenants/acme/agents/a1/runs" } },
      },
    };
    const withSvid = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-svid.json", run_),
    ]);
    expect(withSvid.code).toBe(0);
    expect(JSON.parse(withSvid.stdout).identity.subject).toBe(
      "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
    );
    const forged = await cli([
      "check",
      "--config",
      demo,
      await requestFile("demo-forged.json", {
        attributes: {
          request: {
            http: {
              path: "/api/v1/tenants/acme/tickets/9",
              headers: { authorization: `Bearer ${token.trim()}x` },
            },
          },
        },
      }),
    ]);
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout).response.deniedResponse.status.code).toBe("Unauthorized");
  });
});

describe("a command that cannot run prints one line and exits with its own status", () => {
  /** A config file in the test's directory; returns its path. */
  const configFile = async (name: string, document: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof document === "string" ? document : stringify(document));
    return path;
  };
  const anywhere = { grpc: "127.0.0.1:0", admin: "127.0.0.1:0" };
  /** stderr without the operational log's JSON lines: what the command itself said. */
  const said = (stderr: string) =>
    stderr
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("{"))
      .map((line) => `${line}\n`)
      .join("");

  it("4 for a config file, or a token file it names, that cannot be read", async () => {
    const missing = join(dir, "no-such.yaml");
    expect(await cli(["check", "--config", missing, "-"])).toEqual({
      code: 4,
      stdout: "",
      stderr: `openclaw-authz: file_unreadable: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    });
    const token = join(dir, "no-such-token");
    const enoent = `ENOENT: no such file or directory, open '${token}'`;
    const bundleToken = await configFile("token.yaml", {
      listen: anywhere,
      policy: { bundle: "http://127.0.0.1:1/bundle.tar.gz", tokenFile: token },
    });
    const request = await requestFile("token-request.json", publicRead);
    const line = `openclaw-authz: file_unreadable: policy.tokenFile: ${enoent}\n`;
    expect(await cli(["check", "--config", bundleToken, request])).toEqual({
      code: 4,
      stdout: "",
      stderr: line,
    });
    const served = await cli(["serve", "--config", bundleToken]);
    expect({ code: served.code, said: said(served.stderr) }).toEqual({ code: 4, said: line });
    const logToken = await configFile("log-token.yaml", {
      listen: anywhere,
      policy: { bundle: BUNDLE },
      decisionLog: { remote: { url: "http://127.0.0.1:1/logs", tokenFile: token } },
    });
    const logging = await cli(["serve", "--config", logToken]);
    expect({ code: logging.code, said: said(logging.stderr) }).toEqual({
      code: 4,
      said: `openclaw-authz: file_unreadable: decisionLog.remote.tokenFile: ${enoent}\n`,
    });
  });

  it("4 for a revocation file that cannot be appended to", async () => {
    const revocations = await configFile("revocation-dir.yaml", {
      identity: { revocationFile: dir },
    });
    expect(await cli(["revoke", "--config", revocations, "--subject", "eve"])).toEqual({
      code: 4,
      stdout: "",
      stderr: `openclaw-authz: file_unreadable: cannot append to identity.revocationFile ${dir}: EISDIR: illegal operation on a directory, open '${dir}'\n`,
    });
  });

  it("5 when Redis cannot be reached: revoke, logs tail, replay, logs verify and export", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
    const config = await configFile("redis-down.yaml", {
      cache: { redis: { url, connectTimeout: "2s" } },
      decisionLog: { redisStream: { url } },
    });
    const cacheLine = `openclaw-authz: redis_unavailable: cannot reach Redis at ${url} (cache.redis.url): ${refused}\n`;
    const streamLine = `openclaw-authz: redis_unavailable: cannot reach Redis at ${url} (decisionLog.redisStream.url): ${refused}\n`;
    for (const [args, stderr] of [
      [["revoke", "--config", config, "--subject", "eve"], cacheLine],
      [["logs", "tail", "--config", config], streamLine],
      [["logs", "tail", "--config", config, "--follow"], streamLine],
      [["replay", "--config", config, "--bundle", BUNDLE, "--redis-stream"], streamLine],
      [["logs", "verify", "--config", config, "--redis-stream"], streamLine],
      [["logs", "export", "--config", config, "--format", "csv", "--redis-stream"], streamLine],
    ] as const) {
      expect(await cli([...args]), args.join(" ")).toEqual({ code: 5, stdout: "", stderr });
    }
  });

  it("5, one line, when Redis goes away under logs tail --follow", async () => {
    const redis = await startRedis();
    let tail: Started | undefined;
    try {
      const client = new Redis(redis.url);
      await client.xadd("openclaw-authz:decisions", "*", "event", '{"decision_id":"before"}');
      client.disconnect();
      const config = await configFile("redis-follow.yaml", {
        decisionLog: { redisStream: { url: redis.url } },
      });
      tail = await startProcess(
        "node",
        [built("dist/main.js"), "logs", "tail", "--config", config, "--follow"],
        /"decision_id":"before"/,
      );
      await redis.kill();
      const following = tail.process;
      expect(await until(() => following.exitCode !== null, 20_000)).toBe(true);
      expect(following.exitCode).toBe(5);
      expect(tail.stderr).toEqual([
        expect.stringMatching(
          new RegExp(
            `^openclaw-authz: redis_unavailable: lost Redis at ${redis.url} \\(decisionLog\\.redisStream\\.url\\): \\S.*$`,
          ),
        ),
      ]);
    } finally {
      await tail?.stop();
      await redis.stop();
    }
  });

  it("serve without a loadable policy does not claim that a previous one keeps serving", async () => {
    const missing = join(dir, "never.tar.gz");
    const sidecar = await startSidecar({ policy: { bundle: missing } });
    await sidecar.stop();
    const messages = sidecar.stderr.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain("bundle refused; no policy is loaded, so every check is denied");
    expect(messages.filter((msg) => msg.includes("keeps serving"))).toEqual([]);
  });
});

describe("$VAR references in the config file", () => {
  const text = [
    "policy:",
    `  bundle: \${OC_TEST_BUNDLE}`,
    `  decision: envoy/authz/allow\${OC_TEST_EMPTY}`,
    "",
  ].join("\n");

  it("is replaced by the environment variable; an unset one by nothing", async () => {
    const path = join(dir, "env.yaml");
    await writeFile(path, text);
    const request = await requestFile("env-request.json", publicRead);
    const env = { OC_TEST_BUNDLE: BUNDLE, OC_TEST_EMPTY: "" };
    const allowed = await cli(["check", "--config", path, request], { env });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).decision.reason).toBe("public route");
    // Unset, the bundle is empty: YAML null, which the schema refuses naming the key.
    const unset = await cli(["check", "--config", path, request], {
      env: { OC_TEST_BUNDLE: undefined, OC_TEST_EMPTY: "" },
    });
    expect(unset).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^openclaw-authz: config_invalid: policy\.bundle: /),
    });
  });

  it("is substituted as the pinned OPA substitutes its own config, but for an unset variable", async () => {
    const cases = {
      set: `\${OC_SET}`,
      empty: `\${OC_EMPTY}`,
      twice: `a-\${OC_SET}-\${OC_SET}-b`,
      bare: `\${}`,
      unclosed: `\${OC_SET`,
      closedTwice: `\${OC_SET}}`,
      unset: `\${OC_UNSET}`,
    };
    const labels = Object.entries(cases).map(([name, value]) => `  ${name}: '${value}'`);
    const path = join(dir, "opa-env.yaml");
    await writeFile(path, `labels:\n${labels.join("\n")}\n`);
    const env = { OC_SET: "hello", OC_EMPTY: "", OC_UNSET: undefined };
    const ours = substituteEnv(await readFile(path, "utf8"), env);
    const port = await freePort();
    const opa = await startProcess(
      tool("opa"),
      ["run", "--server", "--addr", `127.0.0.1:${port}`, "--config-file", path],
      /Initializing server/,
      20_000,
      Object.fromEntries(
        Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined),
      ),
    );
    try {
      const served = (await (await fetch(`http://127.0.0.1:${port}/v1/config`)).json()) as {
        result: { labels: Record<string, string> };
      };
      const { id: _, version: __, ...theirs } = served.result.labels;
      const mine = (parseYaml(ours) as { labels: Record<string, string> }).labels;
      const { unset: theirUnset, ...theirRest } = theirs;
      const { unset: myUnset, ...myRest } = mine;
      expect(myRest).toEqual(theirRest);
      expect(myRest).toMatchObject({ set: "hello", empty: "", twice: "a-hello-hello-b", bare: "" });
      // OPA 1.19.1 leaves an unset variable as written; this project follows OPA's documented
      // rule (the empty string), as README "Command line" says.
      expect({ ours: myUnset, opa: theirUnset }).toEqual({ ours: "", opa: `\${OC_UNSET}` });
    } finally {
      await opa.stop();
    }
  });
});
