/**
 * Secrets never reach the decision log, by default: a real sidecar with all three sinks (stdout,
 * a real Redis Stream, an OPA-protocol collector) gets one request per secret position, each
 * secret a fresh random marker. A policy that allows only when it finds the marker in its input
 * proves the policy still sees every secret; then stdout, stderr, every Redis key and every
 * collected event are searched for the marker in plain, percent-encoded and base64 form.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient } from "./support/client.js";
import { type Collector, startCollector } from "./support/collector.js";
import { buildBundle, type Sidecar, startSidecar } from "./support/processes.js";
import { startRedis, type TestRedis } from "./support/redis.js";

/**
 * Allows only when some string in the input equals the one the case put there (kept in the
 * bundle's data, which is never logged): the request names its case in x-case.
 */
const SEEING_POLICY = `package envoy.authz

default allow := false

case_id := input.attributes.request.http.headers["x-case"]

case_id := id if {
	some entry in input.attributes.request.http.headerMap.headers
	entry.key == "x-case"
	some id
	data.raw_ids[id] == entry.rawValue
}

allow if {
	some path, value
	walk(input, [path, value])
	value == data.sees[case_id]
}
`;

const STREAM = "secrets-test";
const HTTP = "/input/attributes/request/http";
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** One secret position: the request around a marker, and the string the policy must find. */
interface Case {
  name: string;
  http(marker: string): { http: Record<string, unknown>; sees: string };
  /** A pointer the event's `erased` must list (the value removed)… */
  erased?: string;
  /** …or its `masked` (the value replaced with `**REDACTED**`). */
  masked?: string;
}

const header = (name: string, value: (m: string) => string): Case => ({
  name: `header ${name}`,
  http: (m) => ({ http: { headers: { [name]: value(m) } }, sees: value(m) }),
  erased: `${HTTP}/headers/${name}`,
});

/** A body the policy sees parsed: the marker itself is a value in `parsed_body`. */
const body = (name: string, type: string, text: (m: string) => string) => ({
  name,
  http: (m: string) => ({
    http: { method: "POST", headers: { "content-type": type }, body: text(m) },
    sees: m,
  }),
});

const multipart = (parts: string[]) =>
  `${parts.map((part) => `--XyZ\r\n${part}\r\n`).join("")}--XyZ--\r\n`;

const CASES: Case[] = [
  header("authorization", (m) => `Bearer ${m}`),
  header("Authorization", (m) => `Bearer ${m}`),
  header("AUTHORIZATION", (m) => `Basic ${m}`),
  header("x-api-key", (m) => m),
  header("X-Auth-Token", (m) => m),
  header("cookie", (m) => `theme=dark; session=${m}`),
  header("x-amzn-oidc-data", (m) => m),
  {
    name: "access_token query parameter",
    http: (m) => {
      const path = `/api/items?page=2&access_token=${encodeURIComponent(m)}`;
      return { http: { path, headers: { ":path": path } }, sees: m };
    },
    masked: "/input/parsed_query/access_token",
  },
  {
    name: "OAuth code in a Referer URL",
    http: (m) => {
      const referer = `https://app.test/callback?code=${encodeURIComponent(m)}&state=s`;
      return { http: { headers: { referer } }, sees: referer };
    },
    masked: `${HTTP}/headers/referer`,
  },
  {
    name: "api_key in the query field",
    http: (m) => ({ http: { query: `api_key=${m}` }, sees: `api_key=${m}` }),
    masked: `${HTTP}/query`,
  },
  {
    ...body("JSON body: nested password", "application/json", (m) =>
      JSON.stringify({ user: { name: "bob", Password: m } }),
    ),
    masked: "/input/parsed_body/user/Password",
  },
  {
    ...body("JSON body: client_secret in an array, 100 deep", "application/json", (m) => {
      let value: unknown = { clients: [{ client_secret: m }] };
      for (let i = 0; i < 100; i++) value = { a: value };
      return JSON.stringify(value);
    }),
    masked: `/input/parsed_body${"/a".repeat(100)}/clients/0/client_secret`,
  },
  {
    ...body(
      "form body: client_secret",
      "application/x-www-form-urlencoded",
      (m) => `grant_type=client_credentials&client_secret=${encodeURIComponent(m)}`,
    ),
    masked: "/input/parsed_body/client_secret",
  },
  {
    ...body("multipart field: password", "multipart/form-data; boundary=XyZ", (m) =>
      multipart([
        'Content-Disposition: form-data; name="user"\r\n\r\nbob',
        `Content-Disposition: form-data; name="password"\r\n\r\n${m}`,
      ]),
    ),
    masked: "/input/parsed_body/password",
  },
  {
    ...body("multipart JSON part: api_key", "multipart/form-data; boundary=XyZ", (m) =>
      multipart([
        `Content-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ api_key: m })}`,
      ]),
    ),
    masked: "/input/parsed_body/meta/0/api_key",
  },
  {
    name: "raw body bytes: JSON refresh_token",
    http: (m) => ({
      http: {
        method: "POST",
        headers: { "content-type": "application/json" },
        rawBody: b64(JSON.stringify({ refresh_token: m })),
      },
      sees: m,
    }),
    erased: `${HTTP}/rawBody`,
  },
  {
    name: "raw body bytes: unparsed text",
    http: (m) => {
      const raw = b64(`my token is ${m}`);
      return {
        http: { method: "PUT", headers: { "content-type": "text/plain" }, rawBody: raw },
        sees: raw,
      };
    },
    erased: `${HTTP}/rawBody`,
  },
  {
    name: "header_map: authorization rawValue",
    http: (m) => ({
      http: { headerMap: { headers: [{ key: "authorization", rawValue: b64(`Bearer ${m}`) }] } },
      sees: b64(`Bearer ${m}`),
    }),
    erased: `${HTTP}/headerMap/headers/0/rawValue`,
  },
  {
    name: "header_map: id_token in the :path rawValue",
    http: (m) => ({
      http: { headerMap: { headers: [{ key: ":path", rawValue: b64(`/cb?id_token=${m}`) }] } },
      sees: b64(`/cb?id_token=${m}`),
    }),
    masked: `${HTTP}/headerMap/headers/0/rawValue`,
  },
];

/**
 * The marker and every form it could be logged in: its random core (in plain, JSON and
 * percent-encoded text alike), percent-encoded, and base64 at each alignment, standard and URL-safe.
 */
function forms(marker: string): string[] {
  const out = [marker, marker.slice(2, -3), encodeURIComponent(marker)];
  for (let skip = 0; skip < 3; skip++) {
    const bytes = Buffer.from(marker.slice(skip));
    const whole = bytes.subarray(0, bytes.length - (bytes.length % 3));
    out.push(whole.toString("base64"), whole.toString("base64url"));
  }
  return out;
}

/** A request with the case's http fields, and x-case in the same header representation. */
function checkRequest(http: Record<string, unknown>, id: string) {
  const headerMap = http.headerMap as { headers: object[] } | undefined;
  if (headerMap) headerMap.headers.push({ key: "x-case", rawValue: b64(id) });
  else http.headers = { ...(http.headers as object), "x-case": id };
  return {
    attributes: {
      source: { address: { socketAddress: { address: "203.0.113.5", portValue: 1234 } } },
      request: { http: { method: "GET", path: "/api/items", ...http } },
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let redis: TestRedis;
let reader: Redis;
let collector: Collector;
let sidecar: Sidecar;
const sent: Array<{ c: Case; marker: string; id: string; allowed: boolean }> = [];

beforeAll(async () => {
  redis = await startRedis();
  reader = new Redis(redis.url);
  collector = await startCollector();
  const requests = CASES.map((c, i) => {
    const marker = `mk${randomBytes(12).toString("hex")}/+=`;
    return { c, marker, id: String(i), ...c.http(marker) };
  });
  const dir = await mkdtemp(join(tmpdir(), "oc-secrets-"));
  await writeFile(join(dir, "seeing.rego"), SEEING_POLICY);
  await writeFile(
    join(dir, "data.json"),
    JSON.stringify({
      sees: Object.fromEntries(requests.map((r) => [r.id, r.sees])),
      raw_ids: Object.fromEntries(requests.map((r) => [r.id, b64(r.id)])),
    }),
  );
  sidecar = await startSidecar({
    policy: { bundle: await buildBundle(dir, "envoy/authz/allow") },
    cache: { enabled: false },
    decisionLog: {
      console: true,
      redisStream: { url: redis.url, stream: STREAM },
      remote: { url: collector.url, batchDelay: "20ms" },
    },
  });
  const client = checkClient(sidecar.grpc);
  for (const { c, marker, id, http } of requests) {
    const result = await client.check(checkRequest(http, id));
    if (!result.ok) throw new Error(`${c.name}: ${result.details}`);
    const decision = (result.response.dynamicMetadata as { decision_id: string }).decision_id;
    const allowed = ((result.response.status as { code?: number } | undefined)?.code ?? 0) === 0;
    sent.push({ c, marker, id: decision, allowed });
  }
  client.close();
}, 60_000);

afterAll(async () => {
  reader?.disconnect();
  await sidecar?.stop();
  await collector?.stop();
  await redis?.stop();
});

/** Every Redis key, every entry, as text. */
async function redisContents(): Promise<string> {
  const dump: string[] = [];
  for (const key of await reader.keys("*")) {
    const type = await reader.type(key);
    if (type === "stream") dump.push(JSON.stringify(await reader.xrange(key, "-", "+")));
    else if (type === "string") dump.push((await reader.get(key)) ?? "");
    else dump.push(JSON.stringify(await reader.dump(key)));
  }
  return dump.join("\n");
}

describe("secrets in every position, default config", () => {
  it("the policy saw every secret: each check was allowed", () => {
    expect(sent.map((s) => [s.c.name, s.allowed])).toEqual(CASES.map((c) => [c.name, true]));
  });

  it("every event reached stdout, the Redis Stream and the collector, naming what was masked", async () => {
    const ids = sent.map((s) => s.id);
    const parse = (lines: string[]) =>
      lines.map((line) => JSON.parse(line) as { decision_id: string });
    const stdout = await until("stdout events", () => {
      const events = parse(sidecar.stdout);
      return ids.every((id) => events.some((e) => e.decision_id === id)) ? events : undefined;
    });
    await until("collector events", () =>
      ids.every((id) => collector.events.some((e) => e.decision_id === id)) ? true : undefined,
    );
    await until("Redis Stream events", async () => {
      const text = JSON.stringify(await reader.xrange(STREAM, "-", "+"));
      return ids.every((id) => text.includes(id)) ? true : undefined;
    });
    for (const { c, id } of sent) {
      const event = stdout.find((e) => e.decision_id === id) as unknown as {
        allowed: boolean;
        erased: string[];
        masked: string[];
        input: unknown;
      };
      expect(event.allowed, c.name).toBe(true);
      expect(event.input, c.name).toBeDefined();
      if (c.erased) expect(event.erased, c.name).toContain(c.erased);
      if (c.masked) expect(event.masked, c.name).toContain(c.masked);
      expect(c.erased ?? c.masked, c.name).toBeDefined();
    }
  });

  it("no marker, in any encoding, in stdout, stderr, Redis or the collector", async () => {
    const outputs = {
      stdout: sidecar.stdout.join("\n"),
      stderr: sidecar.stderr.join("\n"),
      redis: await redisContents(),
      collector: `${JSON.stringify(collector.events)}\n${collector.requests.map((r) => r.body).join("\n")}`,
    };
    for (const [sink, text] of Object.entries(outputs)) {
      if (sink !== "stderr") for (const { id } of sent) expect(text, sink).toContain(id);
      for (const { c, marker } of sent) {
        for (const form of forms(marker)) {
          expect(
            text.toLowerCase().includes(form.toLowerCase()),
            `${sink}: ${c.name} (${form})`,
          ).toBe(false);
        }
      }
    }
  });
});
