import type { EvaluationContext } from "./context.js";
import type { BuiltinTable } from "./table.js";
import { globsIntersect } from "./text-glob.js";
import { integer, string } from "./text-operands.js";
import { translateGoRegex } from "./text-regex-syntax.js";

/**
 * `regex.find_n`, `regex.replace`, `regex.split`, `regex.template_match`, `regex.globs_match`
 * (topdown/regex.go, regex_template.go). Go's RE2 patterns are translated (text-regex-syntax.ts); matches are
 * iterated as Go's `allMatches` does (an empty match right after a match is skipped). V8's engine
 * backtracks: a nested-quantifier pattern on a long input can be slow, bounded only by the
 * evaluation deadline.
 */
export const regexBuiltins: BuiltinTable = {
  "regex.find_n": (context, pattern, value, n) => {
    const re = compiled(context, string(pattern, 1));
    return allMatches(re, string(value, 2), integer(n, 3)).map((m) => m[0]);
  },
  "regex.replace": (context, base, pattern, replacement) => {
    const text = string(base, 1);
    const re = compiled(context, string(pattern, 2));
    const template = string(replacement, 3);
    let out = "";
    let last = 0;
    for (const m of allMatches(re, text, -1)) {
      out += text.slice(last, m.index) + expand(template, m);
      last = m.index + m[0].length;
    }
    return out + text.slice(last);
  },
  "regex.template_match": (context, pattern, match, start, end) => {
    const [tpl, text, open, close] = [
      string(pattern, 1),
      string(match, 2),
      string(start, 3),
      string(end, 4),
    ];
    if (byteLength(open) !== 1) throw new Error("start delimiter has to be exactly one character");
    if (byteLength(close) !== 1) throw new Error("end delimiter has to be exactly one character");
    const re = context.memo(`regex.template:${open}${close}:${tpl}`, () =>
      compileTemplate(tpl, open, close),
    );
    re.lastIndex = 0;
    return re.test(text);
  },
  "regex.globs_match": (_context, a, b) => globsIntersect(string(a, 1), string(b, 2)),
  // Replaces opa-wasm's own (JavaScript syntax, capture groups spliced into the result).
  "regex.split": (context, pattern, value) =>
    split(compiled(context, string(pattern, 1)), string(value, 2), pattern !== ""),
};

/** Go's `Regexp.Split(s, -1)`. */
function split(re: RegExp, text: string, nonEmptyPattern: boolean): string[] {
  if (nonEmptyPattern && text === "") return [""];
  const out: string[] = [];
  let begin = 0;
  let end = 0;
  for (const m of allMatches(re, text, -1)) {
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(text.slice(begin, end));
    begin = m.index + m[0].length;
  }
  if (end !== text.length) out.push(text.slice(begin));
  return out;
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Translated once per thread, not per evaluation: a long pattern costs far more to compile than to run. */
function compiled(context: EvaluationContext, pattern: string): RegExp {
  return context.compiled(`regex:${pattern}`, () => translateGoRegex(pattern));
}

/** Go's `regexp.allMatches`: at most `n` (all when n < 0) leftmost-first matches. */
function allMatches(re: RegExp, text: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const limit = n < 0 ? Number.POSITIVE_INFINITY : n;
  let pos = 0;
  let prevEnd = -1;
  while (out.length < limit && pos <= text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (end === pos) {
      if (m.index === prevEnd) accept = false;
      pos += pos < text.length ? String.fromCodePoint(text.codePointAt(pos) as number).length : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups are empty. */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    if (template[dollar + 1] === "$") {
      out += "$";
      i = dollar + 2;
      continue;
    }
    const ref = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(template.slice(dollar));
    const name = ref?.[1] ?? ref?.[2];
    if (!ref || name === undefined) {
      out += "$";
      i = dollar + 1;
      continue;
    }
    out += group(m, name);
    i = dollar + ref[0].length;
  }
  return out;
}

function group(m: RegExpExecArray, name: string): string {
  if (/^\d+$/.test(name) && name.length < 9) return m[Number(name)] ?? "";
  return m.groups?.[name] ?? "";
}

/** regex_template.go: literal text quoted, each delimited part a group of its own regex. */
function compileTemplate(tpl: string, open: string, close: string): RegExp {
  const parts: string[] = [];
  let level = 0;
  let start = 0;
  let end = 0;
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] === open) {
      level += 1;
      if (level === 1) start = i;
    } else if (tpl[i] === close) {
      level -= 1;
      if (level === 0) {
        parts.push(quoteMeta(tpl.slice(end, start)), `(${tpl.slice(start + 1, i)})`);
        translateGoRegex(`^${tpl.slice(start + 1, i)}$`);
        end = i + 1;
      } else if (level < 0) throw new Error("unbalanced braces");
    }
  }
  if (level !== 0) throw new Error("unbalanced braces");
  return translateGoRegex(`^${parts.join("")}${quoteMeta(tpl.slice(end))}$`);
}

/** Go's `regexp.QuoteMeta`. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}
