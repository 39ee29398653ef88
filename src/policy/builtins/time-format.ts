/** Go's `Time.Format` (time/format.go appendFormat) for an instant in a zone. */

import { civilOf, type Instant } from "./time-civil.js";
import { fromBytes, nextChunk, type Std, toBytes } from "./time-layout-chunk.js";
import type { Zone } from "./time-zone.js";

export const LONG_DAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];
export const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const ISO_TZ = new Set<Std>([
  "ISO8601TZ",
  "ISO8601SecondsTZ",
  "ISO8601ShortTZ",
  "ISO8601ColonTZ",
  "ISO8601ColonSecondsTZ",
]);
const COLON_TZ = new Set<Std>([
  "ISO8601ColonTZ",
  "NumColonTZ",
  "ISO8601ColonSecondsTZ",
  "NumColonSecondsTZ",
]);
const SHORT_TZ = new Set<Std>(["NumShortTZ", "ISO8601ShortTZ"]);
const SECONDS_TZ = new Set<Std>([
  "ISO8601SecondsTZ",
  "NumSecondsTZ",
  "NumColonSecondsTZ",
  "ISO8601ColonSecondsTZ",
]);

/** Go's appendInt: decimal, zero-padded to `width` (int64 ns never give a negative field). */
function pad(x: number, width: number): string {
  return String(x).padStart(width, "0");
}

/** `instant` in `zone` written by the Go layout `layout`. */
export function formatTime(instant: Instant, zone: Zone, layout: string): string {
  const offset = zone.offsetAt(instant.sec);
  const c = civilOf(instant.sec + offset);
  const hour12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  let rest = toBytes(layout);
  let out = "";
  while (rest !== "") {
    const chunk = nextChunk(rest);
    out += chunk.prefix;
    const std = chunk.std;
    if (std === undefined) break;
    rest = chunk.suffix;
    switch (std) {
      case "Year":
        out += pad(Math.abs(c.year) % 100, 2);
        break;
      case "LongYear":
        out += pad(c.year, 4);
        break;
      case "Month":
        out += (LONG_MONTHS[c.month - 1] as string).slice(0, 3);
        break;
      case "LongMonth":
        out += LONG_MONTHS[c.month - 1];
        break;
      case "NumMonth":
        out += pad(c.month, 0);
        break;
      case "ZeroMonth":
        out += pad(c.month, 2);
        break;
      case "WeekDay":
        out += (LONG_DAYS[c.weekday] as string).slice(0, 3);
        break;
      case "LongWeekDay":
        out += LONG_DAYS[c.weekday];
        break;
      case "Day":
        out += pad(c.day, 0);
        break;
      case "UnderDay":
        out += (c.day < 10 ? " " : "") + pad(c.day, 0);
        break;
      case "ZeroDay":
        out += pad(c.day, 2);
        break;
      case "UnderYearDay":
        out += pad(c.yday, 0).padStart(3, " ");
        break;
      case "ZeroYearDay":
        out += pad(c.yday, 3);
        break;
      case "Hour":
        out += pad(c.hour, 2);
        break;
      case "Hour12":
        out += pad(hour12, 0);
        break;
      case "ZeroHour12":
        out += pad(hour12, 2);
        break;
      case "Minute":
        out += pad(c.minute, 0);
        break;
      case "ZeroMinute":
        out += pad(c.minute, 2);
        break;
      case "Second":
        out += pad(c.second, 0);
        break;
      case "ZeroSecond":
        out += pad(c.second, 2);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "TZ":
        out += toBytes(zone.abbreviationAt(instant.sec));
        break;
      case "Frac0":
      case "Frac9":
        out += fraction(instant.nsec, std, chunk.digits, chunk.separator);
        break;
      default:
        out += numericZone(offset, std);
    }
  }
  return fromBytes(out);
}

function numericZone(offset: number, std: Std): string {
  if (offset === 0 && ISO_TZ.has(std)) return "Z";
  // Go's integer division: an offset of less than a minute west still signs as "+".
  const zone = Math.trunc(offset / 60);
  const abs = zone < 0 ? -offset : offset;
  const minutes = Math.abs(zone);
  let out = (zone < 0 ? "-" : "+") + pad(Math.trunc(minutes / 60), 2);
  if (COLON_TZ.has(std)) out += ":";
  if (!SHORT_TZ.has(std)) out += pad(minutes % 60, 2);
  if (SECONDS_TZ.has(std)) {
    if (std === "NumColonSecondsTZ" || std === "ISO8601ColonSecondsTZ") out += ":";
    out += pad(abs % 60, 2);
  }
  return out;
}

/** Go's appendNano: `digits` of the fraction, trailing zeros (and a bare dot) dropped for .999. */
function fraction(nsec: number, std: Std, digits: number, separator: string): string {
  const trim = std === "Frac9";
  if (trim && (digits === 0 || nsec === 0)) return "";
  let out = separator + pad(nsec, 9).slice(0, Math.min(digits, 9));
  if (trim) {
    let end = out.length;
    while (end > separator.length && out[end - 1] === "0") end--;
    out = out.slice(0, end);
    if (out === separator) out = "";
  }
  return out;
}
