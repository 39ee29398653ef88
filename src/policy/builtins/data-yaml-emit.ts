import { isObject } from "./data-value.js";
import { Emitter, type YamlNode } from "./data-yaml-emitter.js";
import { formatFloat, resolve, TAGS } from "./data-yaml-resolve.js";

/**
 * yaml.marshal as topdown has it (topdown/encoding.go): the value as JSON, read back by go-yaml
 * v2 and written by its emitter (go.yaml.in/yaml/v2 encode.go, emitterc.go — libyaml's): block
 * style with keys in go-yaml's natural order, sequences not indented under their key, `{}` and
 * `[]` for empty collections, 2-space indent, lines folded at spaces past column 80, strings
 * quoted when YAML 1.1 would read them as something else, `|` blocks for multi-line text.
 */

/** isBase60Float: `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`, which go-yaml quotes. */
function isBase60Float(text: string): boolean {
  const [head, ...groups] = text.split(":");
  if (groups.length === 0) return false;
  const last = groups.pop() as string;
  const dot = last.indexOf(".");
  groups.push(dot < 0 ? last : last.slice(0, dot));
  const fraction = dot < 0 ? "" : last.slice(dot + 1);
  return (
    /^[-+]?[0-9][0-9_]*$/.test(head as string) &&
    groups.every((group) => /^[0-5]?[0-9]$/.test(group)) &&
    /^[0-9_]*$/.test(fraction)
  );
}

/**
 * A string as go-yaml reads it back from Go's JSON: its reader refuses the C1 controls, DEL and
 * U+FFFE/U+FFFF, which JSON leaves unescaped, and NEL is a YAML 1.1 line break, folded as in
 * any double-quoted scalar (with the spaces around it: one break a space, n breaks n-1 "\n").
 */
function readBack(text: string): string {
  if (/[\x7f-\x84\x86-\x9f\ufffe\uffff]/.test(text))
    throw new Error("yaml: control characters are not allowed");
  if (!text.includes("\u0085")) return text;
  let out = "";
  for (let i = 0; i < text.length; ) {
    let end = i;
    while (text[end] === " " || text[end] === "\u0085") end++;
    if (end === i) {
      out += text[i++];
      continue;
    }
    const run = text.slice(i, end);
    const breaks = run.split("\u0085").length - 1;
    out += breaks === 0 ? run : breaks === 1 ? " " : "\n".repeat(breaks - 1);
    i = end;
  }
  return out;
}

/** encoder.stringv: the style go-yaml asks for. */
function stringNode(raw: string): YamlNode {
  const text = readBack(raw);
  if (text.includes("\n")) return { kind: "scalar", text, style: "literal" };
  const [tag] = resolve("", text);
  const plain = tag === TAGS.str && !isBase60Float(text);
  return { kind: "scalar", text, style: plain ? "plain" : "double" };
}

/** A JSON number as go-yaml reads its text back: an integer stays one, else a float64. */
function numberNode(value: number): YamlNode {
  const [tag, resolved] = resolve("", JSON.stringify(value));
  const text = tag === TAGS.int ? String(resolved) : formatFloat(value, 64);
  return { kind: "scalar", text, style: "plain" };
}

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);

/** A digit's value as Go takes it, `rune - '0'` (a non-ASCII digit counts past 9). */
const digitValue = (c: string) => BigInt((c.codePointAt(0) as number) - 48);

/**
 * go-yaml's keyList.Less for two string keys: letters by code point, digit runs by value, that
 * value computed in int64 as Go does (a run past 2^63 wraps around).
 */
function keyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const [x, y] = [ar[i] as string, br[i] as string];
    if (x === y) continue;
    const [xl, yl] = [isLetter(x), isLetter(y)];
    if (xl && yl) return (x.codePointAt(0) as number) < (y.codePointAt(0) as number);
    if (xl || yl) return yl;
    let [an, bn] = [0n, 0n];
    if (x === "0" || y === "0")
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--)
        if (ar[j] !== "0") {
          [an, bn] = [1n, 1n];
          break;
        }
    let [ai, bi] = [i, i];
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++)
      an = BigInt.asIntN(64, an * 10n + digitValue(ar[ai] as string));
    for (; bi < br.length && isDigit(br[bi] as string); bi++)
      bn = BigInt.asIntN(64, bn * 10n + digitValue(br[bi] as string));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) as number) < (y.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

function toNode(value: unknown): YamlNode {
  if (value === null || value === undefined)
    return { kind: "scalar", text: "null", style: "plain" };
  if (typeof value === "boolean") return { kind: "scalar", text: String(value), style: "plain" };
  if (typeof value === "number") return numberNode(value);
  if (typeof value === "string") return stringNode(value);
  if (Array.isArray(value)) return { kind: "seq", items: value.map(toNode) };
  if (!isObject(value)) throw new Error("cannot marshal this value");
  // Distinct keys: keyLess(b, a) is !keyLess(a, b).
  const keys = Object.keys(value).sort((a, b) => (keyLess(a, b) ? -1 : 1));
  return { kind: "map", entries: keys.map((k) => [stringNode(k), toNode(value[k])]) };
}

/** yaml.marshal: go-yaml's YAML text for the value. */
export function marshalYaml(value: unknown): string {
  const emitter = new Emitter();
  emitter.node(toNode(value));
  return emitter.end();
}
