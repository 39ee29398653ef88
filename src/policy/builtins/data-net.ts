import {
  formatIP,
  formatNet,
  fromBig,
  type Net,
  netContains,
  parseAddr,
  parseCIDR,
  to4,
  toBig,
} from "./data-ip.js";
import { setOf, stringOperand } from "./data-value.js";
import { RegoSet } from "./rego-set.js";
import type { BuiltinTable } from "./table.js";

/**
 * At most this many addresses from net.cidr_expand: topdown has no bound (it runs until the
 * query is cancelled); an evaluation thread must answer, so a larger block is an error here.
 */
export const CIDR_EXPAND_LIMIT = 65_536;

function lastIP(net: Net): number[] {
  const host = BigInt(net.bits - net.ones);
  const length = net.ip.length;
  return fromBig(toBig(net.ip) | ((1n << host) - 1n), length);
}

/** net.cidr_contains as topdown has it (the wasm's own is not reachable from the host). */
function cidrContains(cidr: unknown, other: unknown): boolean {
  const net = parseCIDR(stringOperand(cidr, 1));
  const text = stringOperand(other, 2);
  const ip = parseAddr(text);
  if (ip) return netContains(net, ip.bytes);
  const inner = parseCIDR(text);
  return netContains(net, inner.ip) && netContains(net, lastIP(inner));
}

/** Each (cidr, key) of a contains_matches operand: a string, and a set's member, is its own key. */
function* matchOperand(operand: unknown, position: number): Generator<[unknown, unknown]> {
  const cidrOf = (element: unknown) => {
    if (typeof element === "string") return element;
    if (Array.isArray(element) && element.length > 0) return element[0];
    throw new Error(`operand ${position}: element must be string or non-empty array`);
  };
  if (typeof operand === "string") yield [operand, operand];
  else if (Array.isArray(operand)) for (const [i, e] of operand.entries()) yield [cidrOf(e), i];
  else if (operand instanceof RegoSet) for (const e of operand.members) yield [cidrOf(e), e];
  else if (typeof operand === "object" && operand !== null)
    for (const [k, e] of Object.entries(operand)) yield [cidrOf(e), k];
}

/** net.ParseIP, or an IPv4 address with its classful mask (topdown's generateIPNet). */
function mergeInput(element: unknown): Net {
  if (typeof element !== "string") throw new Error("element must be string");
  const ip = parseAddr(element);
  if (!ip) return parseCIDR(element);
  const v4 = to4(ip.bytes);
  if (!v4) throw new Error("IPv6 invalid: needs prefix length");
  const first = v4[0] as number;
  return { ip: v4, ones: first < 0x80 ? 8 : first < 0xc0 ? 16 : 24, bits: 32 };
}

/** The range of a network in the 16-byte space (IPv4 mapped), as topdown's merge orders them. */
function range(net: Net): { first: bigint; last: bigint; net?: Net } {
  const ip16 = net.ip.length === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...net.ip] : net.ip;
  const host = BigInt(net.bits - net.ones);
  const first = (toBig(ip16) >> host) << host;
  return { first, last: first | ((1n << host) - 1n), net };
}

const V4_BASE = 0xffff00000000n;

/** The fewest CIDR blocks covering [first, last]. */
function rangeToCIDRs(first: bigint, last: bigint): string[] {
  const v4 = first >= V4_BASE && last <= V4_BASE + 0xffffffffn;
  const bits = v4 ? 32 : 128;
  const out: string[] = [];
  let start = v4 ? first - V4_BASE : first;
  const end = v4 ? last - V4_BASE : last;
  while (start <= end) {
    let size = 0;
    while (
      size < bits &&
      start % (1n << BigInt(size + 1)) === 0n &&
      start + (1n << BigInt(size + 1)) - 1n <= end
    )
      size++;
    out.push(`${formatIP(fromBig(start, v4 ? 4 : 16))}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

function cidrMerge(operand: unknown): string[] {
  if (!Array.isArray(operand)) throw new Error("operand must be an array");
  const ranges = operand.map((e) => range(mergeInput(e)));
  ranges.sort((a, b) =>
    a.last !== b.last
      ? a.last < b.last
        ? -1
        : 1
      : a.first < b.first
        ? -1
        : a.first > b.first
          ? 1
          : 0,
  );
  for (let i = ranges.length - 1; i > 0; i--) {
    const here = ranges[i] as (typeof ranges)[number];
    const before = ranges[i - 1] as (typeof ranges)[number];
    const zero = here.first === 0n || here.first === V4_BASE;
    if ((zero ? here.first : here.first - 1n) <= before.last) {
      ranges[i - 1] = {
        // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min rejects (TypeError)
        first: before.first < here.first ? before.first : here.first,
        last: here.last,
      };
      ranges.splice(i, 1);
    }
  }
  return ranges.flatMap((r) => (r.net ? [formatNet(r.net)] : rangeToCIDRs(r.first, r.last)));
}

function cidrExpand(cidr: unknown): string[] {
  const net = parseCIDR(stringOperand(cidr, 1));
  const host = net.bits - net.ones;
  if (host > 16) throw new Error(`net.cidr_expand: more than ${CIDR_EXPAND_LIMIT} addresses`);
  const base = toBig(net.ip);
  const out: string[] = [];
  for (let i = 0n; i < 1n << BigInt(host); i++)
    out.push(formatIP(fromBig(base + i, net.ip.length)));
  return out;
}

/** net.cidr_*: results topdown gives as sets are `RegoSet`s (see data.ts). */
export const netBuiltins: BuiltinTable = {
  "net.cidr_is_valid": (_, cidr: unknown) => {
    if (typeof cidr !== "string") return false;
    try {
      parseCIDR(cidr);
      return true;
    } catch {
      return false;
    }
  },
  "net.cidr_expand": (_, cidr: unknown) => setOf(cidrExpand(cidr)),
  "net.cidr_merge": (_, cidrs: unknown) => setOf(cidrMerge(cidrs)),
  "net.cidr_contains_matches": (_, a: unknown, b: unknown) => {
    const matches: unknown[] = [];
    for (const [cidr1, key1] of matchOperand(a, 1))
      for (const [cidr2, key2] of matchOperand(b, 2))
        if (cidrContains(cidr1, cidr2)) matches.push([key1, key2]);
    return setOf(matches);
  },
};
