/**
 * Go's `time.Parse(layout, value)` (time/format.go parse) with a UTC local zone, as topdown
 * runs it in a container: a zone abbreviation, GMT±h included, reads as offset 0 (Go gives the
 * UTC wall time a made-up zone of that name and offset without moving the instant).
 */

import { dateOf, daysIn, type Instant, isLeap } from "./time-civil.js";
import { LONG_DAYS, LONG_MONTHS } from "./time-format.js";
import { isDigit, nextChunk, type Std, toBytes } from "./time-layout-chunk.js";
import { atoi, getnum, getnum3, leadingInt, lookup, nanoseconds, skip } from "./time-parse-scan.js";

const BAD = "bad value for field";
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

interface Fields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  minute: number;
  second: number;
  nsec: number;
  /** "Z" or "UTC" was read: UTC wins over any offset or name. */
  utc: boolean;
  /** Seconds east; -1 is Go's "none" (so a "-00:00:01" offset is ignored, as in Go). */
  zoneOffset: number;
  am: boolean;
  pm: boolean;
}

/** The instant `value` names under the Go layout `layout`; throws as Go returns an error. */
export function parseTime(layout: string, value: string): Instant {
  const f: Fields = {
    year: 0,
    month: -1,
    day: -1,
    yday: -1,
    hour: 0,
    minute: 0,
    second: 0,
    nsec: 0,
    utc: false,
    zoneOffset: -1,
    am: false,
    pm: false,
  };
  let rest = toBytes(layout);
  let v = toBytes(value);
  for (;;) {
    const chunk = nextChunk(rest);
    v = skip(v, chunk.prefix);
    if (chunk.std === undefined) {
      if (v !== "") throw new Error(`parsing time: extra text`);
      break;
    }
    rest = chunk.suffix;
    v = element(chunk.std, chunk.digits, v, rest, f);
  }
  return resolve(f);
}

/** Parses one layout element off `v` into `f`; returns what is left of `v`. */
function element(std: Std, digits: number, v: string, layout: string, f: Fields): string {
  switch (std) {
    case "Year": {
      if (v.length < 2) throw new Error(BAD);
      const year = atoi(v.slice(0, 2));
      f.year = year >= 69 ? year + 1900 : year + 2000;
      return v.slice(2);
    }
    case "LongYear":
      if (v.length < 4 || !isDigit(v, 0)) throw new Error(BAD);
      f.year = atoi(v.slice(0, 4));
      return v.slice(4);
    case "Month":
    case "LongMonth": {
      const [i, left] = lookup(std === "Month" ? SHORT_MONTHS : LONG_MONTHS, v);
      f.month = i + 1;
      return left;
    }
    case "NumMonth":
    case "ZeroMonth": {
      const [month, left] = getnum(v, std === "ZeroMonth");
      if (month <= 0 || month > 12) throw new Error("month out of range");
      f.month = month;
      return left;
    }
    case "WeekDay":
      return lookup(SHORT_DAYS, v)[1];
    case "LongWeekDay":
      return lookup(LONG_DAYS, v)[1];
    case "Day":
    case "UnderDay":
    case "ZeroDay": {
      const [day, left] = getnum(
        std === "UnderDay" && v[0] === " " ? v.slice(1) : v,
        std === "ZeroDay",
      );
      f.day = day;
      return left;
    }
    case "UnderYearDay":
    case "ZeroYearDay": {
      let w = v;
      if (std === "UnderYearDay") for (let i = 0; i < 2 && w[0] === " "; i++) w = w.slice(1);
      const [yday, left] = getnum3(w, std === "ZeroYearDay");
      f.yday = yday;
      return left;
    }
    case "Hour": {
      const [hour, left] = getnum(v, false);
      if (hour >= 24) throw new Error("hour out of range");
      f.hour = hour;
      return left;
    }
    case "Hour12":
    case "ZeroHour12": {
      const [hour, left] = getnum(v, std === "ZeroHour12");
      if (hour > 12) throw new Error("hour out of range");
      f.hour = hour;
      return left;
    }
    case "Minute":
    case "ZeroMinute": {
      const [minute, left] = getnum(v, std === "ZeroMinute");
      if (minute >= 60) throw new Error("minute out of range");
      f.minute = minute;
      return left;
    }
    case "Second":
    case "ZeroSecond": {
      const [second, left] = getnum(v, std === "ZeroSecond");
      if (second >= 60) throw new Error("second out of range");
      f.second = second;
      // A fraction after the seconds is read even when the layout has none.
      if (left.length >= 2 && (left[0] === "." || left[0] === ",") && isDigit(left, 1)) {
        const next = nextChunk(layout).std;
        if (next === "Frac0" || next === "Frac9") return left;
        let n = 2;
        while (n < left.length && isDigit(left, n)) n++;
        f.nsec = nanoseconds(left, n);
        return left.slice(n);
      }
      return left;
    }
    case "PM":
    case "pm": {
      if (v.length < 2) throw new Error(BAD);
      const p = v.slice(0, 2);
      const [am, pm] = std === "PM" ? ["AM", "PM"] : ["am", "pm"];
      if (p === pm) f.pm = true;
      else if (p === am) f.am = true;
      else throw new Error(BAD);
      return v.slice(2);
    }
    case "TZ":
      return zoneName(v, f);
    case "Frac0": {
      const n = 1 + digits;
      if (v.length < n) throw new Error(BAD);
      f.nsec = nanoseconds(v, n);
      return v.slice(n);
    }
    case "Frac9": {
      if (v.length < 2 || (v[0] !== "." && v[0] !== ",") || !isDigit(v, 1)) return v;
      let i = 0;
      while (i + 1 < v.length && isDigit(v, i + 1)) i++;
      f.nsec = nanoseconds(v, 1 + i);
      return v.slice(1 + i);
    }
    default:
      return numericZone(std, v, f);
  }
}

function numericZone(std: Std, v: string, f: Fields): string {
  if (std.startsWith("ISO8601") && v[0] === "Z") {
    f.utc = true;
    return v.slice(1);
  }
  let parts: [string, string, string, string];
  let left: string;
  const need = (n: number) => {
    if (v.length < n) throw new Error(BAD);
  };
  if (std === "ISO8601ColonTZ" || std === "NumColonTZ") {
    need(6);
    if (v[3] !== ":") throw new Error(BAD);
    parts = [v.slice(0, 1), v.slice(1, 3), v.slice(4, 6), "00"];
    left = v.slice(6);
  } else if (std === "NumShortTZ" || std === "ISO8601ShortTZ") {
    need(3);
    parts = [v.slice(0, 1), v.slice(1, 3), "00", "00"];
    left = v.slice(3);
  } else if (std === "ISO8601ColonSecondsTZ" || std === "NumColonSecondsTZ") {
    need(9);
    if (v[3] !== ":" || v[6] !== ":") throw new Error(BAD);
    parts = [v.slice(0, 1), v.slice(1, 3), v.slice(4, 6), v.slice(7, 9)];
    left = v.slice(9);
  } else if (std === "ISO8601SecondsTZ" || std === "NumSecondsTZ") {
    need(7);
    parts = [v.slice(0, 1), v.slice(1, 3), v.slice(3, 5), v.slice(5, 7)];
    left = v.slice(7);
  } else {
    need(5);
    parts = [v.slice(0, 1), v.slice(1, 3), v.slice(3, 5), "00"];
    left = v.slice(5);
  }
  const [sign, hh, mm, ss] = parts;
  const hr = getnum(hh, true)[0];
  const min = getnum(mm, true)[0];
  const sec = getnum(ss, true)[0];
  if (hr > 24 || min > 60 || sec > 60) throw new Error("time zone offset out of range");
  const offset = (hr * 60 + min) * 60 + sec;
  if (sign === "+") f.zoneOffset = offset;
  else if (sign === "-") f.zoneOffset = -offset;
  else throw new Error(BAD);
  return left;
}

/** "MST": UTC, else any abbreviation Go accepts (GMT±h too), which changes nothing. */
function zoneName(v: string, f: Fields): string {
  if (v.startsWith("UTC")) {
    f.utc = true;
    return v.slice(3);
  }
  const n = zoneNameLength(v);
  if (n === 0) throw new Error(BAD);
  return v.slice(n);
}

/** Go's parseTimeZone. */
function zoneNameLength(v: string): number {
  if (v.length < 3) return 0;
  if (v.startsWith("ChST") || v.startsWith("MeST")) return 4;
  if (v.startsWith("GMT")) return 3 + signedOffsetLength(v.slice(3));
  if (v[0] === "+" || v[0] === "-") return signedOffsetLength(v);
  let upper = 0;
  while (
    upper < 6 &&
    upper < v.length &&
    v[upper] !== undefined &&
    /[A-Z]/.test(v[upper] as string)
  )
    upper++;
  if (upper === 5 && v[4] === "T") return 5;
  if (upper === 4 && (v[3] === "T" || v.startsWith("WITA"))) return 4;
  return upper === 3 ? 3 : 0;
}

/** Go's parseSignedOffset: 0 (no offset) when the digits are missing, past 23 or past 2^63. */
function signedOffsetLength(v: string): number {
  if (v[0] !== "+" && v[0] !== "-") return 0;
  let x: bigint;
  let rem: string;
  try {
    [x, rem] = leadingInt(v.slice(1));
  } catch {
    return 0;
  }
  if (rem === v.slice(1) || x > 23n) return 0;
  return v.length - rem.length;
}

/** Go's checks after the loop (day of year, day range) and the zone precedence. */
function resolve(f: Fields): Instant {
  let hour = f.hour;
  if (f.pm && hour < 12) hour += 12;
  else if (f.am && hour === 12) hour = 0;
  let { month, day } = f;
  if (f.yday >= 0) {
    let yday = f.yday;
    let m = 0;
    let d = 0;
    if (isLeap(f.year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) yday--;
    }
    if (yday < 1 || yday > 365) throw new Error("day-of-year out of range");
    if (m === 0) {
      m = Math.floor((yday - 1) / 31) + 1;
      if ((DAYS_BEFORE[m] as number) < yday) m++;
      d = yday - (DAYS_BEFORE[m - 1] as number);
    }
    if (month >= 0 && month !== m) throw new Error("day-of-year does not match month");
    if (day >= 0 && day !== d) throw new Error("day-of-year does not match day");
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, f.year)) throw new Error("day out of range");
  const offset = !f.utc && f.zoneOffset !== -1 ? f.zoneOffset : 0;
  const fields = {
    year: f.year,
    month,
    day,
    hour,
    minute: f.minute,
    second: f.second,
    nsec: f.nsec,
  };
  return dateOf(fields, () => offset);
}
