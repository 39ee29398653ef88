import { randomInt, randomUUID } from "node:crypto";
import { rawJson } from "./context.js";
import { goJson } from "./data-value.js";
import type { BuiltinTable } from "./table.js";
import { integer, string } from "./text-operands.js";
import { regoText } from "./text-sprintf.js";

/**
 * `uuid.parse`, `uuid.rfc4122`, `semver.compare`, `semver.is_valid`, `rand.intn` (topdown/uuid.go,
 * semver.go, numbers.go). Random results are memoized per evaluation by argument, as topdown's
 * per-query cache does. semver follows OPA's own parser (internal/semver), not npm's `semver`:
 * a leading "v" is dropped and leading zeros are accepted ("01.2.3").
 */
export const idBuiltins: BuiltinTable = {
  "uuid.rfc4122": (context, key) =>
    context.memo(`uuid.rfc4122:${regoText(key)}`, () => randomUUID()),
  "uuid.parse": (_context, value) => {
    const fields = parseUuid(string(value, 1));
    // Raw JSON: the time (ns since 1970) needs more digits than a float64 keeps.
    return fields && rawJson(goJson(fields));
  },
  "rand.intn": (context, key, bound) => {
    const s = string(key, 1);
    const n = Math.abs(integer(bound, 2));
    if (n === 0) return 0;
    if (n > 2 ** 48 - 1) throw new Error("rand.intn: n above 2^48 is not supported");
    return context.memo(`rand.intn:${s}-${n}`, () => randomInt(n));
  },
  "semver.is_valid": (_context, value) =>
    typeof value === "string" && parseSemver(value) !== undefined,
  "semver.compare": (_context, a, b) => {
    const x = parseSemver(string(a, 1));
    const y = parseSemver(string(b, 2));
    if (!x) throw new Error(`operand 1: string ${a} is not a valid SemVer`);
    if (!y) throw new Error(`operand 2: string ${b} is not a valid SemVer`);
    return compareSemver(x, y);
  },
};

interface Semver {
  core: [bigint, bigint, bigint];
  pre: string;
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

function parseSemver(text: string): Semver | undefined {
  const [rest, meta] = cut(text.startsWith("v") ? text.slice(1) : text, "+");
  if (meta !== "" && !IDENTIFIERS.test(meta)) return undefined;
  const [version, pre] = cut(rest, "-");
  if (pre !== "" && !IDENTIFIERS.test(pre)) return undefined;
  const parts = version.split(".");
  if (parts.length !== 3) return undefined;
  // strconv.ParseInt(s, 10, 64): an optional sign, digits, within int64.
  const core = parts.map((p) => (/^[+-]?\d+$/.test(p) ? BigInt(p) : undefined));
  if (core.some((n) => n === undefined || n > INT64_MAX || n < -INT64_MAX - 1n)) return undefined;
  return { core: core as [bigint, bigint, bigint], pre };
}

function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    const [x, y] = [a.core[i] as bigint, b.core[i] as bigint];
    if (x !== y) return x > y ? 1 : -1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  const [xs, ys] = [a.pre.split("."), b.pre.split(".")];
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const [x, y] = [xs[i], ys[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const [xn, yn] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (xn !== yn) return xn ? -1 : 1;
    const [p, q] = xn ? [clamp(BigInt(x)), clamp(BigInt(y))] : [x, y];
    if (p !== q) return p > q ? 1 : -1;
  }
  // Every field equal, the strings not ("01" and "1"): internal/semver loops forever here.
  return 0;
}

// strconv.Atoi saturates out of range values.
function clamp(n: bigint): bigint {
  return n > INT64_MAX ? INT64_MAX : n;
}

const UUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
];

/**
 * google/uuid Parse plus OPA's fields (internal/uuid), `time` an exact bigint; undefined for what
 * it rejects.
 */
function parseUuid(text: string): Record<string, unknown> | undefined {
  const m = UUID_FORMS.map((re) => re.exec(text)).find((x) => x);
  if (!m) return undefined;
  const bytes = Buffer.from(m.slice(1).join(""), "hex");
  const version = (bytes[6] as number) >> 4;
  const v8 = bytes[8] as number;
  const variant =
    (v8 & 0xc0) === 0x80
      ? "RFC4122"
      : (v8 & 0xe0) === 0xc0
        ? "Microsoft"
        : (v8 & 0xe0) === 0xe0
          ? "Future"
          : "Reserved";
  const out: Record<string, unknown> = { version, variant };
  if (version !== 1 && version !== 2) return out;
  const timeLow = BigInt(bytes.readUInt32BE(0));
  const timeMid = BigInt(bytes.readUInt16BE(4));
  const timeHi = BigInt(bytes.readUInt16BE(6) & 0x0fff);
  const ticks = (timeHi << 48n) | (timeMid << 32n) | timeLow; // 100 ns since 1582-10-15
  const ns = (ticks - 122192928000000000n) * 100n;
  out.time = ns;
  const node = bytes.subarray(10, 16);
  out.nodeid = [...node].map((b) => b.toString(16).padStart(2, "0")).join("-");
  const first = node[0] as number;
  out.macvariables =
    (first & 3) === 3
      ? "local:multicast"
      : first & 1
        ? "global:multicast"
        : first & 2
          ? "local:unicast"
          : "global:unicast";
  out.clocksequence = bytes.readUInt16BE(8) & 0x3fff;
  if (version === 2) {
    out.id = bytes.readUInt32BE(0);
    out.domain = ["Person", "Group", "Org"][bytes[9] as number] ?? `Domain${bytes[9]}`;
  }
  return out;
}
