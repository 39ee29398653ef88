import type { BuiltinTable } from "./table.js";
import { integer, string, strings } from "./text-operands.js";

/**
 * String and encoding builtins (topdown/strings.go, glob.go, encoding.go). Offsets count Unicode
 * code points, as Go's runes.
 */
export const stringBuiltins: BuiltinTable = {
  "strings.any_prefix_match": (_context, values, prefixes) => {
    const [all, starts] = [strings(values, 1), strings(prefixes, 2)];
    return all.some((s) => starts.some((p) => s.startsWith(p)));
  },
  "strings.any_suffix_match": (_context, values, suffixes) => {
    const [all, ends] = [strings(values, 1), strings(suffixes, 2)];
    return all.some((s) => ends.some((p) => s.endsWith(p)));
  },
  // Go's strings.Count: an empty substring counts code points + 1.
  "strings.count": (_context, search, substring) => {
    const [s, sub] = [string(search, 1), string(substring, 2)];
    if (sub === "") return [...s].length + 1;
    return s.split(sub).length - 1;
  },
  // Go's strings.SplitN as topdown applies it: the first n parts for n > 0, the last -n for n < 0;
  // an empty separator splits between code points.
  "strings.split_n": (_context, value, separator, count) => {
    const [s, sep, n] = [string(value, 1), string(separator, 2), integer(count, 3)];
    const parts = sep === "" ? [...s] : s.split(sep);
    return n >= 0 ? parts.slice(0, n) : parts.slice(Math.max(0, parts.length + n));
  },
  indexof_n: (_context, haystack, needle) => {
    const base = [...string(haystack, 1)];
    const search = [...string(needle, 2)];
    if (search.length === 0) throw new Error("empty search character");
    const found: number[] = [];
    for (let i = 0; i + search.length <= base.length; i++) {
      if (search.every((c, k) => base[i + k] === c)) found.push(i);
    }
    return found;
  },
  // gobwas/glob QuoteMeta: a backslash before each of * ? \ [ ] { }.
  "glob.quote_meta": (_context, pattern) => string(pattern, 1).replace(/[*?\\[\]{}]/g, "\\$&"),
  "hex.encode": (_context, value) => Buffer.from(string(value, 1), "utf8").toString("hex"),
  "hex.decode": (_context, value) => {
    const s = string(value, 1);
    if (!/^(?:[0-9A-Fa-f]{2})*$/.test(s)) throw new Error("encoding/hex: invalid byte");
    return utf8(Buffer.from(s, "hex"));
  },
  "base64url.encode_no_pad": (_context, value) =>
    Buffer.from(string(value, 1), "utf8").toString("base64url"),
  "numbers.range_step": (_context, from, to, stepBy) => {
    const [a, b, step] = [integer(from, 1), integer(to, 2), integer(stepBy, 3)];
    if (step <= 0) throw new Error("numbers.range_step: step must be a positive integer");
    if (Math.floor(Math.abs(b - a) / step) + 1 > MAX_RANGE) {
      throw new Error(`numbers.range_step: more than ${MAX_RANGE} numbers`);
    }
    const out: number[] = [];
    if (a <= b) for (let i = a; i <= b; i += step) out.push(i);
    else for (let i = a; i >= b; i -= step) out.push(i);
    return out;
  },
};

/** Ranges beyond this many numbers throw (topdown would build them until its deadline). */
const MAX_RANGE = 1_000_000;

/**
 * Decoded bytes as a string. Go keeps invalid UTF-8 bytes in the string; JSON output then shows
 * U+FFFD for each, as here.
 */
function utf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}
