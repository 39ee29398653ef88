/**
 * Go RE2 syntax (regexp/syntax, Perl flags) translated to an equivalent JavaScript `u` regex, or
 * refused where JavaScript cannot match identically. Refusal throws, so the builtin is undefined
 * (what topdown does for a pattern Go rejects; for the few Go accepts and this refuses, see
 * `translateGoRegex`).
 */

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

// Characters JavaScript's `u` mode lets one escape (outside a class); any other punctuation Go
// lets one escape is written as itself.
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/");
const GO_SPACE = "\\t\\n\\f\\r ";
const MAX_REPEAT = 1000;

/**
 * Translates a Go regex. Supported: all of RE2 except what is refused (throws): flag groups
 * other than one leading `(?i)`/`(?m)`/`(?s)` group (e.g. `a(?i:b)`, `(?U)`), `\C`, negated POSIX
 * classes (`[[:^alpha:]]`), `\S`/`\P` inside a bracket class. Go's `\s` is ASCII
 * (`[\t\n\f\r ]`), `\A` and `\z` become look-arounds, `\Q…\E` literals, octal `\012`, `\x{…}`.
 * The regex is global (`g`, for the regex.* builtins' scans) unless `global` is false.
 */
export function translateGoRegex(pattern: string, { global = true } = {}): RegExp {
  let flags = "u";
  let i = 0;
  const lead = /^\(\?([ims]+)\)/.exec(pattern);
  if (lead?.[1]) {
    for (const f of new Set(lead[1])) flags += f;
    i = lead[0].length;
  }
  let out = "";
  let inClass = false;
  let classStart = false;
  let atomStart = true; // nothing to repeat yet
  while (i < pattern.length) {
    const c = String.fromCodePoint(pattern.codePointAt(i) as number);
    if (c === "\\") {
      const [text, next] = translateEscape(pattern, i, inClass);
      out += text;
      i = next;
      classStart = false;
      atomStart = false;
      continue;
    }
    if (inClass) {
      if (c === "]" && !classStart) {
        inClass = false;
        out += "]";
      } else if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        const name = end < 0 ? undefined : pattern.slice(i + 2, end);
        const posix = name === undefined ? undefined : POSIX[name];
        if (posix === undefined) {
          if (name?.startsWith("^")) throw new Error(`unsupported: negated POSIX class ${name}`);
          out += "\\[";
          i += 1;
          classStart = false;
          continue;
        }
        out += posix;
        i = end + 2;
        classStart = false;
        continue;
      } else if (c === "[" || c === "]") {
        out += `\\${c}`;
      } else {
        out += c;
      }
      classStart = false;
      i += c.length;
      continue;
    }
    switch (c) {
      case "[":
        inClass = true;
        classStart = true;
        out += "[";
        if (pattern[i + 1] === "^") {
          out += "^";
          i += 1;
        }
        i += 1;
        atomStart = false;
        continue;
      case "(": {
        const [head, length] = group(pattern, i);
        out += head;
        i += length;
        atomStart = true;
        continue;
      }
      case "{": {
        const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (rep && !atomStart) {
          const min = Number(rep[1]);
          const max = rep[3] ? Number(rep[3]) : min;
          if (min > MAX_REPEAT || max > MAX_REPEAT || max < min) {
            throw new Error(`invalid repeat count ${rep[0]}`);
          }
          out += rep[0];
          i += rep[0].length;
          continue;
        }
        out += "\\{";
        i += 1;
        atomStart = false;
        continue;
      }
      case "}":
        out += "\\}";
        break;
      case "|":
        out += c;
        atomStart = true;
        i += 1;
        continue;
      default:
        out += c;
    }
    atomStart = false;
    i += c.length;
  }
  if (inClass) throw new Error("missing closing ]");
  return new RegExp(out, global ? `${flags}g` : flags);
}

/** A group's opening in JavaScript, and the length of Go's. */
function group(pattern: string, at: number): [string, number] {
  if (pattern[at + 1] !== "?") return ["(", 1];
  if (pattern.startsWith("?:", at + 1)) return ["(?:", 3];
  const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(pattern.slice(at));
  if (named) return [`(?<${named[1]}>`, named[0].length];
  // Go accepts flag groups (`(?i)`, `(?s-m:…)`), which are not translated; look-arounds and
  // the rest of Perl's group syntax it rejects.
  if (/^\(\?(?:[imsU]*|[imsU]*-[imsU]+)[:)]/.test(pattern.slice(at)))
    throw new Error("unsupported: flag group");
  throw new Error("invalid or unsupported Perl syntax");
}

/** One escape sequence at `at` (a backslash): its JavaScript text and the index after it. */
function translateEscape(pattern: string, at: number, inClass: boolean): [string, number] {
  const c = pattern[at + 1];
  if (c === undefined) throw new Error("trailing backslash at end of expression");
  const simple: Record<string, string> = {
    a: "\\x07",
    f: "\\f",
    t: "\\t",
    n: "\\n",
    r: "\\r",
    v: "\\v",
    d: "\\d",
    w: "\\w",
    s: inClass ? GO_SPACE : `[${GO_SPACE}]`,
  };
  const fixed = simple[c];
  if (fixed !== undefined) return [fixed, at + 2];
  // JavaScript's \D and \W are Go's (ASCII); its \S is not, and a class cannot hold Go's.
  if (c === "D" || c === "W") return [`\\${c}`, at + 2];
  if (c === "S") {
    if (inClass) throw new Error("unsupported: \\S inside a class");
    return [`[^${GO_SPACE}]`, at + 2];
  }
  if (!inClass && (c === "b" || c === "B")) return [`\\${c}`, at + 2];
  if (!inClass && c === "A") return ["(?<![\\s\\S])", at + 2];
  if (!inClass && c === "z") return ["(?![\\s\\S])", at + 2];
  // Go's parseClass knows no \Q (an invalid escape there).
  if (c === "Q" && !inClass) {
    const end = pattern.indexOf("\\E", at + 2);
    const literal = pattern.slice(at + 2, end < 0 ? undefined : end);
    const quoted = [...literal].map((ch) => literalChar(ch, false)).join("");
    return [quoted, end < 0 ? pattern.length : end + 2];
  }
  if (c === "x") {
    const braced = /^\\x\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(at));
    const two = /^\\x([0-9A-Fa-f]{2})/.exec(pattern.slice(at));
    const m = braced ?? two;
    if (!m?.[1] || Number.parseInt(m[1], 16) > 0x10ffff) throw new Error("invalid escape \\x");
    return [`\\u{${Number.parseInt(m[1], 16).toString(16)}}`, at + m[0].length];
  }
  if (c >= "0" && c <= "7") {
    // Go: \0 and \1-\7 followed by more octal digits are octal; a lone \1-\9 is refused.
    const m = /^\\([0-7]{1,3})/.exec(pattern.slice(at)) as RegExpExecArray;
    const digits = m[1] as string;
    if (c !== "0" && digits.length < 2) throw new Error("invalid escape (backreference)");
    return [`\\u{${Number.parseInt(digits, 8).toString(16)}}`, at + 1 + digits.length];
  }
  if (c === "p" || c === "P") return unicodeClass(pattern, at, inClass);
  if (/[A-Za-z0-9]/.test(c)) throw new Error(`invalid escape \\${c}`);
  const ch = String.fromCodePoint(pattern.codePointAt(at + 1) as number);
  return [literalChar(ch, inClass), at + 1 + ch.length];
}

function literalChar(ch: string, inClass: boolean): string {
  if (inClass) return /[\]\\^-]/.test(ch) || ch === "[" ? `\\${ch}` : ch;
  return JS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function unicodeClass(pattern: string, at: number, inClass: boolean): [string, number] {
  const negated = pattern[at + 1] === "P";
  if (negated && inClass) throw new Error("unsupported: \\P inside a class");
  const m = /^\\[pP](?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(pattern.slice(at));
  if (!m) throw new Error("invalid Unicode class");
  const name = (m[2] ?? m[3]) as string;
  const not = negated !== (m[1] === "^");
  if (not && inClass) throw new Error("unsupported: negated Unicode class inside a class");
  const property = name === "Any" || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  return [`\\${not ? "P" : "p"}{${property}}`, at + m[0].length];
}
