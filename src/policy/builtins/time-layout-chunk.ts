/**
 * Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): the tokenizer of time/format.go
 * (nextStdChunk), over byte strings (one char per UTF-8 byte) as Go reads them.
 */

export type Std =
  | "LongMonth"
  | "Month"
  | "NumMonth"
  | "ZeroMonth"
  | "LongWeekDay"
  | "WeekDay"
  | "Day"
  | "UnderDay"
  | "ZeroDay"
  | "UnderYearDay"
  | "ZeroYearDay"
  | "Hour"
  | "Hour12"
  | "ZeroHour12"
  | "Minute"
  | "ZeroMinute"
  | "Second"
  | "ZeroSecond"
  | "LongYear"
  | "Year"
  | "PM"
  | "pm"
  | "TZ"
  | "ISO8601TZ"
  | "ISO8601SecondsTZ"
  | "ISO8601ShortTZ"
  | "ISO8601ColonTZ"
  | "ISO8601ColonSecondsTZ"
  | "NumTZ"
  | "NumSecondsTZ"
  | "NumShortTZ"
  | "NumColonTZ"
  | "NumColonSecondsTZ"
  | "Frac0"
  | "Frac9";

/** One layout element; `digits` and `separator` for fractional seconds. */
export interface Chunk {
  readonly prefix: string;
  readonly std?: Std;
  readonly digits: number;
  readonly separator: string;
  readonly suffix: string;
}

/** OPA's named layouts (topdown acceptedTimeFormats). */
export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
};

const ZERO_STD: Std[] = ["ZeroMonth", "ZeroDay", "ZeroHour12", "ZeroMinute", "ZeroSecond", "Year"];
const DASH_TZ: [string, Std][] = [
  ["-070000", "NumSecondsTZ"],
  ["-07:00:00", "NumColonSecondsTZ"],
  ["-0700", "NumTZ"],
  ["-07:00", "NumColonTZ"],
  ["-07", "NumShortTZ"],
];
const Z_TZ: [string, Std][] = [
  ["Z070000", "ISO8601SecondsTZ"],
  ["Z07:00:00", "ISO8601ColonSecondsTZ"],
  ["Z0700", "ISO8601TZ"],
  ["Z07:00", "ISO8601ColonTZ"],
  ["Z07", "ISO8601ShortTZ"],
];

export function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function startsWithLower(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 97 && c <= 122;
}

/** The text before the first layout element, the element, and the text after. */
export function nextChunk(layout: string): Chunk {
  const at = (i: number, std: Std, length: number, digits = 0, separator = "."): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    digits,
    separator,
    suffix: layout.slice(i + length),
  });
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case "J":
        if (rest.startsWith("January")) return at(i, "LongMonth", 7);
        if (rest.startsWith("Jan") && !startsWithLower(rest, 3)) return at(i, "Month", 3);
        break;
      case "M":
        if (rest.startsWith("Monday")) return at(i, "LongWeekDay", 6);
        if (rest.startsWith("Mon") && !startsWithLower(rest, 3)) return at(i, "WeekDay", 3);
        if (rest.startsWith("MST")) return at(i, "TZ", 3);
        break;
      case "0": {
        const next = rest.charCodeAt(1);
        if (next >= 49 && next <= 54) return at(i, ZERO_STD[next - 49] as Std, 2);
        if (rest.startsWith("002")) return at(i, "ZeroYearDay", 3);
        break;
      }
      case "1":
        return rest[1] === "5" ? at(i, "Hour", 2) : at(i, "NumMonth", 1);
      case "2":
        return rest.startsWith("2006") ? at(i, "LongYear", 4) : at(i, "Day", 1);
      case "_":
        if (rest[1] === "2") {
          if (rest.startsWith("_2006")) return at(i + 1, "LongYear", 4);
          return at(i, "UnderDay", 2);
        }
        if (rest.startsWith("__2")) return at(i, "UnderYearDay", 3);
        break;
      case "3":
        return at(i, "Hour12", 1);
      case "4":
        return at(i, "Minute", 1);
      case "5":
        return at(i, "Second", 1);
      case "P":
        if (rest[1] === "M") return at(i, "PM", 2);
        break;
      case "p":
        if (rest[1] === "m") return at(i, "pm", 2);
        break;
      case "-":
        for (const [text, std] of DASH_TZ)
          if (rest.startsWith(text)) return at(i, std, text.length);
        break;
      case "Z":
        for (const [text, std] of Z_TZ) if (rest.startsWith(text)) return at(i, std, text.length);
        break;
      case ".":
      case ",": {
        const ch = rest[1];
        if (ch === "0" || ch === "9") {
          let j = 1;
          while (rest[j] === ch) j++;
          if (!isDigit(rest, j)) {
            const std = ch === "0" ? "Frac0" : "Frac9";
            return at(i, std, j, (j - 1) & 0xfff, layout[i] as string);
          }
        }
        break;
      }
    }
  }
  return { prefix: layout, digits: 0, separator: ".", suffix: "" };
}

/** A JS string as Go's bytes (one char per UTF-8 byte), and back. */
export const toBytes = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
export const fromBytes = (s: string): string => Buffer.from(s, "latin1").toString("utf8");
