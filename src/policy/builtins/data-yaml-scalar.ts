/**
 * How libyaml's emitter writes one scalar in block context (go.yaml.in/yaml/v2 emitterc.go):
 * which styles its characters allow, the style it falls back to, its escapes.
 */

export type Style = "plain" | "single" | "double" | "literal";

export const isBreak = (c: string) => "\r\n\u0085\u2028\u2029".includes(c);
const isBlank = (c: string | undefined) => c === " " || c === "\t";
/** libyaml's is_printable: LF, printable ASCII, U+00A0–U+D7FF, U+E000–U+FFFD but the BOM. */
export function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) as number;
  if (cp === 0x0a || (cp >= 0x20 && cp <= 0x7e)) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return true;
  return cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff;
}

const FIRST_INDICATORS = new Set("#,[]{}&*!|>'\"%@`");

/** What yaml_emitter_analyze_scalar finds: where each style may be used. */
interface Analysis {
  multiline: boolean;
  plain: boolean;
  single: boolean;
  block: boolean;
}

/** Whether an indicator keeps the text from being plain in block context. */
function hasIndicators(chars: string[]): boolean {
  const text = chars.join("");
  if (text.startsWith("---") || text.startsWith("...")) return true;
  return chars.some((c, i) => {
    const followedByWhitespace = i === chars.length - 1 || isBlank(chars[i + 1]);
    if (i === 0 && FIRST_INDICATORS.has(c)) return true;
    if (i === 0 && (c === "?" || c === "-") && followedByWhitespace) return true;
    if (c === ":" && followedByWhitespace) return true;
    const previous = chars[i - 1] as string;
    return i > 0 && c === "#" && (isBlank(previous) || isBreak(previous) || previous === "\0");
  });
}

/** yaml_emitter_analyze_scalar, for block context (no scalar is written in a flow collection). */
export function analyze(text: string): Analysis {
  if (text === "") return { multiline: false, plain: true, single: true, block: false };
  const chars = [...text];
  const last = chars.length - 1;
  const space = (i: number) => chars[i] === " ";
  const isBreakAt = (i: number) => isBreak(chars[i] as string);
  const breaks = chars.some(isBreak);
  const special = chars.some((c) => !isPrintable(c));
  const edges = space(0) || isBreakAt(0) || space(last) || isBreakAt(last);
  // A space right after a break, or right before one.
  const breakSpace = chars.some((c, i) => c === " " && i > 0 && isBreakAt(i - 1));
  const spaceBreak = chars.some((c, i) => isBreak(c) && i > 0 && space(i - 1));
  return {
    multiline: breaks,
    plain: !(edges || breakSpace || spaceBreak || special || breaks || hasIndicators(chars)),
    single: !(breakSpace || spaceBreak || special),
    block: !(space(last) || spaceBreak || special),
  };
}

const ESCAPED: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\v": "v",
  "\f": "f",
  "\r": "r",
  "\x1b": "e",
  '"': '"',
  "\\": "\\",
  "\u0085": "N",
  "\u00a0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

/** One escape of write_double_quoted_scalar: named, else \xXX, \uXXXX or \UXXXXXXXX. */
export function escapeChar(c: string): string {
  const named = ESCAPED[c];
  if (named) return `\\${named}`;
  const cp = c.codePointAt(0) as number;
  const [letter, width] = cp <= 0xff ? ["x", 2] : cp <= 0xffff ? ["u", 4] : ["U", 8];
  return `\\${letter}${cp.toString(16).toUpperCase().padStart(width, "0")}`;
}

/** yaml_emitter_check_simple_key for a scalar: one line, at most 128 bytes. */
export function isSimpleKey(text: string): boolean {
  return !analyze(text).multiline && new TextEncoder().encode(text).length <= 128;
}

/** yaml_emitter_select_scalar_style, for block context. */
export function selectStyle(text: string, requested: Style, simpleKey: boolean): Style {
  const a = analyze(text);
  let style = requested;
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain" && (!a.plain || (text === "" && simpleKey))) style = "single";
  if (style === "single" && !a.single) style = "double";
  if (style === "literal" && (!a.block || simpleKey)) style = "double";
  return style;
}
