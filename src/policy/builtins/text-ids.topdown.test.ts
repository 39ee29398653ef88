/**
 * semver.*, uuid.parse, rand.intn, indexof_n, numbers.range_step and operand checks against
 * topdown: the branches of text-ids.ts, text-strings.ts, text-sprintf.ts and text-operands.ts
 * they drive. (rand.intn's value is random: only its fixed results are compared.)
 */
import { type Call, itMatchesTopdown } from "../../../test/support/topdown.js";

const compare = (a: unknown, b: unknown): Call => ["semver.compare", [a, b]];
const valid = (v: unknown): Call => ["semver.is_valid", [v]];
const uuid = (text: unknown): Call => ["uuid.parse", [text]];

const CASES: Array<[what: string, call: Call]> = [
  // semver (parseSemver, compareSemver, clamp).
  ["operand 2 not SemVer", compare("1.2.3", "x")],
  ["operand 1 not SemVer", compare("x", "1.2.3")],
  ["operand 1 not a string", compare(1, "1.2.3")],
  ["bad build metadata", valid("1.2.3+a..b")],
  ["build metadata with '-'", valid("1.2.3+a.b-c")],
  ["an empty pre-release", valid("1.2.3-")],
  ["empty build metadata", valid("1.2.3+")],
  ["a part that is no number", valid("1.a.3")],
  ["two parts", valid("1.2")],
  ["a leading 'v'", valid("v1.2.3")],
  ["a leading zero", valid("01.2.3")],
  ["a sign: '+'", valid("+1.2.3")],
  ["a sign: '-' starts a pre-release", valid("-1.2.3")],
  ["a part above int64", valid("1.2.9223372036854775808")],
  ["a part at int64's maximum", valid("1.2.9223372036854775807")],
  ["not a string", valid(5)],
  ["a greater major", compare("2.0.0", "1.9.9")],
  ["a smaller major", compare("1.9.9", "2.0.0")],
  ["build metadata is ignored", compare("1.2.3", "1.2.3+build")],
  ["… with equal pre-releases", compare("1.2.3-a", "1.2.3-a+x")],
  ["a release above its pre-release", compare("1.2.3", "1.2.3-a")],
  ["a pre-release below its release", compare("1.2.3-a", "1.2.3")],
  ["fewer pre-release fields are less", compare("1.2.3-a", "1.2.3-a.1")],
  ["more pre-release fields are more", compare("1.2.3-a.1", "1.2.3-a")],
  ["a number below a word", compare("1.2.3-1", "1.2.3-a")],
  ["a word above a number", compare("1.2.3-a", "1.2.3-1")],
  ["numbers compare as numbers", compare("1.2.3-2", "1.2.3-10")],
  ["… both ways", compare("1.2.3-10", "1.2.3-2")],
  ["words compare as bytes", compare("1.2.3-b", "1.2.3-a")],
  ["the second field decides", compare("1.2.3-a.b", "1.2.3-a.c")],
  ["a pre-release number past int64 saturates", compare("1.0.0-99999999999999999999", "1.0.0-1")],
  ["a negative version", compare("-1.0.0", "1.0.0")],
  ["'v' is dropped", compare("v1.0.0", "1.0.0")],
  // uuid.parse (parseUuid): variants, versions 1 and 2, MAC bits, domains.
  ["the Microsoft variant", uuid("00000000-0000-0000-c000-000000000000")],
  ["the future variant", uuid("00000000-0000-0000-e000-000000000000")],
  ["the reserved (NCS) variant", uuid("00000000-0000-0000-0000-000000000000")],
  ["version 4 has no time", uuid("00000000-0000-4000-8000-000000000000")],
  ["version 1: time beyond 2^53 ns, global unicast", uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8")],
  ["local multicast", uuid("6ba7b810-9dad-11d1-80b4-03c04fd430c8")],
  ["global multicast", uuid("6ba7b810-9dad-11d1-80b4-01c04fd430c8")],
  ["local unicast", uuid("6ba7b810-9dad-11d1-80b4-02c04fd430c8")],
  ["version 2: the Person domain", uuid("000003e8-9dad-21d1-8000-00c04fd430c8")],
  ["the Group domain", uuid("000003e8-9dad-21d1-8001-00c04fd430c8")],
  ["the Org domain", uuid("000003e8-9dad-21d1-8002-00c04fd430c8")],
  ["another domain", uuid("000003e8-9dad-21d1-8007-00c04fd430c8")],
  ["the URN form", uuid("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8")],
  ["the braced form", uuid("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}")],
  ["the bare hex form", uuid("6ba7b8109dad11d180b400c04fd430c8")],
  ["one digit short", uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c")],
  ["not a string", uuid(5)],
  // rand.intn: its fixed results and operand checks.
  ["n = 0 is 0", ["rand.intn", ["k", 0]]],
  ["n = 1 is 0", ["rand.intn", ["k", 1]]],
  ["n = -1 is |n| = 1: 0", ["rand.intn", ["k", -1]]],
  ["n not an integer", ["rand.intn", ["k", 1.5]]],
  ["the key not a string", ["rand.intn", [1, 5]]],
  // Strings and numbers (text-strings.ts, text-sprintf.ts, text-operands.ts).
  ["indexof_n: an empty needle", ["indexof_n", ["abc", ""]]],
  ["indexof_n: overlapping matches", ["indexof_n", ["ababa", "aba"]]],
  ["range_step: downwards", ["numbers.range_step", [5, 1, 2]]],
  ["range_step: upwards", ["numbers.range_step", [1, 5, 2]]],
  ["range_step: one number", ["numbers.range_step", [1, 1, 2]]],
  ["range_step: a zero step", ["numbers.range_step", [1, 5, 0]]],
  ["sprintf: values not an array", ["sprintf", ["%v", "x"]]],
  ["sprintf: values an object", ["sprintf", ["%v", { a: 1 }]]],
  ["any_prefix_match: operand 1 a number", ["strings.any_prefix_match", [5, "a"]]],
  ["any_prefix_match: operand 2 a number", ["strings.any_prefix_match", ["abc", 5]]],
  ["any_prefix_match: a number in the array", ["strings.any_prefix_match", [["abc", 5], "a"]]],
  ["any_suffix_match: an object", ["strings.any_suffix_match", [{ a: "b" }, "b"]]],
];

itMatchesTopdown(CASES);
