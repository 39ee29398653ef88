/**
 * IP addresses and networks as Go's net and net/netip parse and print them (the rules topdown's
 * net.cidr_* builtins inherit): dotted IPv4 without leading zeros, RFC 4291 IPv6 text, RFC 5952
 * output, an IPv4 network holding 4-byte addresses.
 */

/** An address: 4 bytes (IPv4) or 16 (IPv6, possibly IPv4-mapped). */
export interface Addr {
  bytes: number[];
  zone: string;
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes.push(Number(part));
  }
  return bytes;
}

function parseIPv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  // An embedded IPv4 address runs to the end of the text (netip parseIPv6): the last field only.
  const groups = (half: string, last: boolean): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const fields = half.split(":");
    for (const [i, field] of fields.entries()) {
      if (last && i === fields.length - 1 && field.includes(".")) {
        const v4 = parseIPv4(field);
        if (!v4) return undefined;
        out.push(...v4);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(field)) return undefined;
        const n = Number.parseInt(field, 16);
        out.push(n >> 8, n & 0xff);
      }
    }
    return out;
  };
  const [first, second] = halves as [string, string | undefined];
  const head = groups(first, second === undefined);
  const tail = second === undefined ? [] : groups(second, true);
  if (!head || !tail) return undefined;
  if (second === undefined) return head.length === 16 ? head : undefined;
  // The :: stands for at least one group of zeros.
  if (head.length + tail.length > 14) return undefined;
  return [...head, ...new Array(16 - head.length - tail.length).fill(0), ...tail];
}

/** netip.ParseAddr (zones only when `zoneAllowed`, as net.ParseIP refuses them). */
export function parseAddr(text: string, zoneAllowed = false): Addr | undefined {
  if (!text.includes(":")) {
    const v4 = parseIPv4(text);
    return v4 ? { bytes: v4, zone: "" } : undefined;
  }
  const percent = text.indexOf("%");
  const zone = percent >= 0 ? text.slice(percent + 1) : "";
  if (percent >= 0 && (zone === "" || !zoneAllowed)) return undefined;
  const v6 = parseIPv6(percent >= 0 ? text.slice(0, percent) : text);
  return v6 ? { bytes: v6, zone } : undefined;
}

const MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** net.IP.To4: the 4 bytes of an IPv4 or IPv4-mapped address, else undefined. */
export function to4(bytes: number[]): number[] | undefined {
  if (bytes.length === 4) return bytes;
  if (bytes.length === 16 && MAPPED.every((b, i) => bytes[i] === b)) return bytes.slice(12);
  return undefined;
}

/** net.IP.String. */
export function formatIP(bytes: number[]): string {
  const v4 = to4(bytes);
  if (v4) return v4.join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/** A network: its address as given (Go keeps it unmasked in some paths) and prefix length. */
export interface Net {
  ip: number[];
  ones: number;
  bits: 32 | 128;
}

/** net.ParseCIDR's network (its address masked); throws on bad text. */
export function parseCIDR(text: string): Net {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? undefined : parseAddr(text.slice(0, slash));
  const mask = text.slice(slash + 1);
  const bits = addr?.bytes.length === 4 ? 32 : 128;
  if (!addr || !/^[0-9]+$/.test(mask) || Number(mask) > bits)
    throw new Error(`invalid CIDR address: ${text}`);
  const ones = Number(mask);
  return { ip: applyMask(addr.bytes, ones), ones, bits };
}

/** ip.Mask(CIDRMask(ones, 8 * ip.length)): the first `ones` bits of `ip`, the rest zero. */
function applyMask(ip: number[], ones: number): number[] {
  return ip.map((b, i) => {
    const keep = Math.max(0, Math.min(8, ones - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

/**
 * net.IPNet.Contains: an IPv4 or IPv4-mapped network holds IPv4 addresses only (a mapped one
 * under its last 32 bits of mask), any other network IPv6 addresses only.
 */
export function netContains(net: Net, ip: number[]): boolean {
  const nn = to4(net.ip) ?? net.ip;
  // A mapped network's address stays mapped only under a mask of 96 bits or more.
  const ones = nn.length === 4 && net.bits === 128 ? net.ones - 96 : net.ones;
  const x = to4(ip) ?? ip;
  if (x.length !== nn.length) return false;
  const [a, b] = [applyMask(nn, ones), applyMask(x, ones)];
  return a.every((v, i) => v === b[i]);
}

/** net.IPNet.String: the address as held, `/`, the prefix length. */
export function formatNet(net: Net): string {
  const v4 = to4(net.ip);
  const ones = v4 && net.bits === 128 ? net.ones - 96 : net.ones;
  return `${formatIP(v4 ?? net.ip)}/${ones}`;
}

export const toBig = (bytes: number[]): bigint => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

export const fromBig = (n: bigint, length: number): number[] =>
  Array.from({ length }, (_, i) => Number((n >> BigInt(8 * (length - 1 - i))) & 0xffn));
