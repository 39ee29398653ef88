/**
 * net.cidr_* against topdown: the branches of Go's net / net/netip address rules (data-ip.ts) and
 * of the merge (data-net.ts) they drive. (net.cidr_contains is the wasm's own; its rules are
 * reached here through net.cidr_contains_matches.)
 */
import { type Call, itMatchesTopdown } from "../../../test/support/topdown.js";

const valid = (cidr: unknown): Call => ["net.cidr_is_valid", [cidr]];
const contains = (a: unknown, b: unknown): Call => ["net.cidr_contains_matches", [a, b]];
const merge = (cidrs: unknown): Call => ["net.cidr_merge", [cidrs]];

const CASES: Array<[what: string, call: Call]> = [
  // Parsing (parseIPv4, parseIPv6, parseAddr, parseCIDR).
  ["three IPv4 fields", valid("1.2.3/8")],
  ["no prefix length", valid("1.2.3.4")],
  ["a leading zero in IPv4", valid("01.2.3.4/8")],
  ["an IPv4 field above 255", valid("1.2.3.256/8")],
  ["an IPv4 prefix above 32", valid("1.2.3.4/33")],
  ["a negative prefix", valid("1.2.3.4/-1")],
  ["a signed prefix", valid("1.2.3.4/+8")],
  ["a prefix with a leading zero", valid("1.2.3.4/08")],
  ["two '::'", valid("1::2::3/64")],
  ["an embedded IPv4 address after '::'", valid("::ffff:1.2.3.4/120")],
  ["a bad embedded IPv4 address", valid("::1.2.3/64")],
  ["an IPv4 address before '::' is not at the end", valid("1.2.3.4::/64")],
  ["nor before '::' and groups", valid("1.2.3.4::5/64")],
  ["nor before '::' after six groups", valid("1:2:3:4:5:6:1.2.3.4::/64")],
  ["an embedded IPv4 address as the last 32 bits", valid("1:2:3:4:5:6:1.2.3.4/64")],
  ["an embedded IPv4 address too early", valid("1:2:3:4:5:1.2.3.4/64")],
  ["'::' then an IPv4 address", valid("1::1.2.3.4/64")],
  ["eight groups", valid("1:2:3:4:5:6:7:8/64")],
  ["an IPv6 prefix above 128", valid("1:2:3:4:5:6:7:8/129")],
  ["three groups without '::'", valid("1:2:3/64")],
  ["'::' standing for no group", valid("1:2:3:4::5:6:7:8/64")],
  ["'::' standing for one group", valid("1:2:3::5:6:7:8/64")],
  ["a zone", valid("fe80::1%eth0/64")],
  ["five hex digits", valid("12345::/64")],
  ["a leading single colon", valid(":1::/64")],
  ["'::/0'", valid("::/0")],
  ["':::'", valid(":::/64")],
  ["not a string", valid(5)],
  // Printing (formatIP: RFC 5952).
  ["IPv6 addresses printed", ["net.cidr_expand", ["::1/127"]]],
  ["no run of zeros to shorten", ["net.cidr_expand", ["1:2:3:4:5:6:7:0/126"]]],
  ["the longest run of zeros is '::'", ["net.cidr_expand", ["1:0:0:4:0:0:0:8/128"]]],
  ["the first of two equal runs is '::'", ["net.cidr_expand", ["1:0:0:4:5:0:0:8/128"]]],
  ["a single zero group is not shortened", ["net.cidr_expand", ["0:0:1:0:0:0:0:0/128"]]],
  ["an IPv4-mapped block prints IPv4", ["net.cidr_expand", ["::ffff:1.2.3.4/127"]]],
  ["an IPv4 block", ["net.cidr_expand", ["1.2.3.4/31"]]],
  ["one IPv4 address", ["net.cidr_expand", ["1.2.3.4/32"]]],
  // Containment (netContains, and a CIDR's last address).
  ["an IPv4 network holds no IPv6 address", contains("1.2.3.0/24", "::1")],
  ["an IPv6 network holds no IPv4 address", contains("::/0", "1.2.3.4")],
  ["a mapped network holds IPv4 addresses", contains("::ffff:1.2.3.0/120", "1.2.3.4")],
  ["… under its last 24 bits", contains("::ffff:1.2.3.0/120", "1.2.4.4")],
  ["a mask under 96 bits loses the mapping", contains("::ffff:0:0/64", "9.9.9.9")],
  ["a /96 mapped network", contains("::ffff:0:0/96", "::ffff:9.9.9.9")],
  ["an IPv4 network holds a mapped address", contains("1.2.3.0/24", "::ffff:1.2.3.9")],
  ["a smaller IPv4 block", contains("1.2.3.0/24", "1.2.3.0/25")],
  ["a larger IPv4 block", contains("1.2.3.0/24", "1.2.0.0/16")],
  ["a smaller IPv6 block", contains("2001:db8::/32", "2001:db8:1::/48")],
  ["an IPv6 address outside", contains("2001:db8::/32", "2001:db9::1")],
  ["an IPv6 block whose last address is IPv4-mapped", contains("::/64", "::/80")],
  ["neither address nor CIDR", contains("1.2.3.0/24", "bad")],
  // net.cidr_contains_matches operands (matchOperand).
  ["a number operand matches nothing", contains("1.2.3.0/24", 5)],
  ["… in either place", contains(5, "1.2.3.4")],
  [
    "array elements: strings and [cidr, …] tuples, keyed by index",
    contains("1.2.3.0/24", ["1.2.3.4", ["1.2.3.5", "tag"], ["9.9.9.9"]]),
  ],
  [
    "object values keyed by key",
    contains({ x: "1.2.3.0/24", y: ["10.0.0.0/8", 1] }, { a: "10.1.1.1", b: ["1.2.3.4"] }),
  ],
  ["an empty tuple", contains("1.2.3.0/24", [[]])],
  ["a number element", contains("1.2.3.0/24", [5])],
  ["a tuple whose CIDR is a number", contains("1.2.3.0/24", [[5]])],
  // net.cidr_merge (mergeInput, the sort, the merge, rangeToCIDRs).
  ["addresses take their classful mask, then merge", merge(["1.2.3.4", "1.2.3.5"])],
  ["classes A, B and C", merge(["10.1.2.3", "172.16.5.6", "200.1.2.3"])],
  ["an IPv6 address needs a prefix", merge(["::1"])],
  ["a number element", merge([5])],
  ["not an array", merge("1.2.3.4/32")],
  ["neither address nor CIDR", merge(["bad"])],
  [
    "IPv6 halves merge, a mapped block prints as IPv4",
    merge(["2001:db8::/33", "2001:db8:8000::/33", "::ffff:1.2.3.0/120"]),
  ],
  ["a lone mapped block", merge(["::ffff:1.2.3.0/120"])],
  ["a lone IPv6 block", merge(["2001:db8::/48"])],
  ["IPv4 halves of the whole space", merge(["0.0.0.0/1", "128.0.0.0/1"])],
  ["IPv6 halves of the whole space", merge(["::/1", "8000::/1"])],
  ["blocks at address zero", merge(["0.0.0.0/8", "0.0.0.0/16"])],
  ["a block and its halves", merge(["1.2.3.0/24", "1.2.3.0/25", "1.2.3.128/25"])],
  ["a lower half first", merge(["1.2.3.0/25", "1.2.3.0/24"])],
  ["an upper half first", merge(["1.2.3.128/25", "1.2.3.0/24"])],
  ["adjacent blocks split at a boundary", merge(["1.2.4.0/24", "1.2.3.0/24", "1.2.5.0/24"])],
  ["a duplicate", merge(["1.2.3.4/32", "1.2.3.4/32"])],
  ["an unmasked CIDR", merge(["1.2.3.7/30", "1.2.3.4"])],
  ["all of IPv6 takes in the mapped IPv4 space", merge(["::/0", "1.2.3.0/24"])],
  ["adjacent blocks that do not align", merge(["1.2.3.0/24", "1.2.4.0/23", "1.2.6.0/24"])],
];

itMatchesTopdown(CASES);
