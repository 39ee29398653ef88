// The decision log's hash chain, per event: `node bench/chain.mjs [--events N]` (after
// `npm run build`). Prints µs per event serialized (what every event costs without a chain),
// µs per event chained (serialized + RFC 8785 canonical form + SHA-256 + seq/prev_hash), the
// difference (hashing), the same with the state file rewritten per event, hashing as a share of a
// check's ~200 µs of CPU, the same chain done the way it was before (the canonicalize package over
// the event, serialized apart), and what durability audit adds per event when the sink is down
// (each event appended to the spill, fsync'd every 200 ms).
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import canonicalize from "canonicalize";
import { createChain } from "../dist/decision-log/chain.js";
import { openChainState } from "../dist/decision-log/chain-state.js";
import { openSpill } from "../dist/decision-log/spill.js";
import { stringifyJson } from "../dist/input/index.js";

const { values } = parseArgs({ options: { events: { type: "string", default: "50000" } } });
const EVENTS = Number(values.events);
const CHECK_CPU_US = 200;

/** A decision event as the sidecar logs one for a typical API call (about 1.5 kB). */
const event = (n) => ({
  decision_id: `0b6c8e8e-5a1f-4c3e-9d1b-${String(n).padStart(12, "0")}`,
  timestamp: new Date(1_700_000_000_000 + n).toISOString(),
  path: "envoy/authz/allow",
  input: {
    attributes: {
      source: { address: { socketAddress: { address: "10.1.2.3", portValue: 43122 } } },
      destination: { address: { socketAddress: { address: "10.1.9.9", portValue: 8080 } } },
      request: {
        time: "2024-05-01T12:00:00.123Z",
        http: {
          id: String(n),
          method: "POST",
          path: `/api/v1/tenants/t-42/tickets/${n}?view=full`,
          host: "api.openclaw.internal",
          scheme: "https",
          protocol: "HTTP/1.1",
          headers: {
            ":authority": "api.openclaw.internal",
            ":method": "POST",
            ":path": `/api/v1/tenants/t-42/tickets/${n}?view=full`,
            accept: "application/json",
            authorization: "**REDACTED**",
            "content-type": "application/json",
            "user-agent": "openclaw-web/3.4.1",
            "x-request-id": `req-${n}`,
            "x-forwarded-for": "203.0.113.7",
          },
        },
      },
    },
    parsed_path: ["api", "v1", "tenants", "t-42", "tickets", String(n)],
    parsed_query: { view: ["full"] },
    parsed_body: { title: "Printer on fire", priority: 2, tags: ["hw", "urgent"] },
    identity: { authenticated: true, methods: ["jwt"], subject: "alice", jwt: { sub: "alice" } },
  },
  result: { allowed: true, http_status: 200, reason: "scope ticket:update granted" },
  reason: "scope ticket:update granted",
  bundles: { authz: { revision: "2024-05-01T11:58:00Z-7f3c" } },
  metrics: { timer_input_build_ns: 41200, timer_identity_ns: 18800, timer_policy_eval_ns: 61000 },
  labels: { id: "6f0b3a52-9c1e-4f7a-bb0e-2d1d3f1c9a10", version: "0.1.0" },
  identity: { subject: "alice", methods: ["jwt"] },
  cache: "miss",
  dry_run: false,
  allowed: true,
  erased: ["/input/attributes/request/http/headers/authorization"],
});

const events = Array.from({ length: EVENTS }, (_, n) => event(n));
const head = { chainId: "bench:1", nextSeq: 0, prevHash: null };
const chainOptions = { head, link: "none", labels: { id: "b" }, every: Number.MAX_SAFE_INTEGER };

function perEvent(run) {
  for (let i = 0; i < Math.min(EVENTS, 5_000); i++) run(events[i]); // warm up
  const start = process.cpuUsage();
  let bytes = 0;
  for (const e of events) bytes += run(e).length;
  const used = process.cpuUsage(start);
  return { us: (used.user + used.system) / EVENTS, bytes: bytes / EVENTS };
}

const serialized = perEvent(stringifyJson);
const chain = createChain({ now: () => new Date() }, chainOptions);
const chained = perEvent(chain.append);
const scratch = mkdtempSync(join(tmpdir(), "oc-chain-bench-"));
const state = openChainState(join(scratch, "state"));
const withState = createChain({ now: () => new Date(), onHead: state.save }, chainOptions);
const stateful = perEvent(withState.append);
state.close();
// The chain as it was: the line serialized, the event canonicalized apart by the package.
let seq = 0;
let prev = null;
const before = perEvent((e) => {
  const event = { seq: seq++, chain_id: "bench:1", prev_hash: prev, ...e };
  const line = stringifyJson(event);
  prev = createHash("sha256").update(canonicalize(event)).digest("hex");
  return `${line.slice(0, -1)},"hash":"${prev}"}`;
});
// Audit durability with the sink down: every line also appended to the spill (one write each).
const spill = openSpill({ dir: join(scratch, "spill"), maxBytes: 2 ** 40, syncIntervalMs: 200 });
const spillChain = createChain({ now: () => new Date() }, chainOptions);
const spilled = perEvent((e) => {
  const line = spillChain.append(e);
  spill.append([line]);
  return line;
});
await spill.close();
rmSync(scratch, { recursive: true, force: true });

const hashing = chained.us - serialized.us;
const fmt = (us) => `${us.toFixed(2)} µs`;
console.log(`events: ${EVENTS}, ${Math.round(serialized.bytes)} bytes each`);
console.log(`serialized (no chain):        ${fmt(serialized.us)} / event`);
console.log(`chained (JCS + SHA-256):      ${fmt(chained.us)} / event`);
console.log(`  hashing:                    ${fmt(hashing)} / event`);
console.log(`chained + state file pwrite:  ${fmt(stateful.us)} / event`);
console.log(`  hashing + state file:       ${fmt(stateful.us - serialized.us)} / event`);
const share = (us) => `${((100 * us) / CHECK_CPU_US).toFixed(1)} %`;
console.log(
  `hashing per check (~${CHECK_CPU_US} µs CPU): ${share(hashing)}; with the state file ${share(stateful.us - serialized.us)}`,
);
console.log(`before (canonicalize package): ${fmt(before.us - serialized.us)} hashing / event`);
console.log(
  `chained + spilled (audit, sink down): ${fmt(spilled.us)} / event, ${fmt(spilled.us - chained.us)} for the spill`,
);
