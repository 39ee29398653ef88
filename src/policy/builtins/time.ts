import type { EvaluationContext } from "./context.js";
import { rawJson } from "./context.js";
import type { BuiltinTable } from "./table.js";
import { civilOf, dateOf, daysIn, type Instant, instantOfNs, nsOfInstant } from "./time-civil.js";
import { parseExtendedDuration } from "./time-duration.js";
import { formatTime, LONG_DAYS } from "./time-format.js";
import { NAMED_LAYOUTS } from "./time-layout-chunk.js";
import { parseTime } from "./time-parse.js";
import { loadZone, type Zone } from "./time-zone.js";

/**
 * The time builtins, as OPA v1.19.1's topdown/time.go. A time argument is ns, [ns, zone] or
 * [ns, zone, layout]; ns arrive as float64 (JSON), so one beyond 2^53 is already rounded, and
 * results in ns are exact JSON integers (rawJson). Zones come from Intl (see time-zone.ts).
 */
export const timeBuiltins: BuiltinTable = {
  "time.now_ns": (context) => rawJson(context.nowNs.toString()),
  "time.parse_ns": (_context, layout: unknown, value: unknown) => {
    const goLayout = string(layout);
    return nsJson(parseTime(NAMED_LAYOUTS[goLayout] ?? goLayout, string(value)));
  },
  "time.parse_rfc3339_ns": (_context, value: unknown) =>
    nsJson(parseTime(NAMED_LAYOUTS.RFC3339 as string, string(value))),
  "time.parse_duration_ns": (_context, duration: unknown) =>
    rawJson(parseExtendedDuration(string(duration)).toString()),
  "time.format": (context, x: unknown) => {
    const t = zonedTime(context, x);
    const layout = t.layout === "" ? (NAMED_LAYOUTS.RFC3339Nano as string) : t.layout;
    return formatTime(t.instant, t.zone, NAMED_LAYOUTS[layout] ?? layout);
  },
  "time.date": (context, x: unknown) => {
    const c = civil(zonedTime(context, x));
    return [c.year, c.month, c.day];
  },
  "time.clock": (context, x: unknown) => {
    const c = civil(zonedTime(context, x));
    return [c.hour, c.minute, c.second];
  },
  "time.weekday": (context, x: unknown) => LONG_DAYS[civil(zonedTime(context, x)).weekday],
  "time.add_date": (context, x: unknown, years: unknown, months: unknown, days: unknown) => {
    const t = zonedTime(context, x);
    const c = civil(t);
    const fields = {
      year: c.year + int(years),
      month: c.month + int(months),
      day: c.day + int(days),
      hour: c.hour,
      minute: c.minute,
      second: c.second,
      nsec: t.instant.nsec,
    };
    return nsJson(dateOf(fields, (sec) => t.zone.offsetAt(sec)));
  },
  "time.diff": (context, x: unknown, y: unknown) => {
    const a = zonedTime(context, x);
    const b = { ...zonedTime(context, y), zone: a.zone };
    const [early, late] = compare(a.instant, b.instant) > 0 ? [b, a] : [a, b];
    return diff(civil(early), civil(late));
  },
};

interface ZonedTime {
  instant: Instant;
  zone: Zone;
  layout: string;
}

function string(x: unknown): string {
  if (typeof x !== "string") throw new TypeError("operand must be a string");
  return x;
}

/** topdown's IntOperand; past ±1e12 no result fits int64 ns (and float64 sums stay exact). */
function int(x: unknown): number {
  if (typeof x !== "number" || !Number.isInteger(x))
    throw new TypeError("operand must be an integer");
  if (Math.abs(x) > 1e12) throw new RangeError("time outside of valid range");
  return x;
}

function nsJson(instant: Instant): ArrayBuffer {
  return rawJson(nsOfInstant(instant).toString());
}

/** topdown's tzTime: ns, [ns], [ns, zone] or [ns, zone, layout]. */
function zonedTime(context: EvaluationContext, x: unknown): ZonedTime {
  const [ns, zoneName, layout] = Array.isArray(x) ? x : [x];
  if (Array.isArray(x) && x.length === 0) throw new TypeError("time must be ns or [ns, zone]");
  // float64 → int64, exactly (topdown: "timestamp too big" otherwise).
  if (typeof ns !== "number" || !Number.isInteger(ns) || ns >= 2 ** 63 || ns < -(2 ** 63)) {
    throw new TypeError("time must be an integer number of nanoseconds in int64");
  }
  const zone = zoneName === undefined ? "" : string(zoneName);
  return {
    instant: instantOfNs(BigInt(ns)),
    zone: context.memo(`time.zone:${zone}`, () => loadZone(zone)),
    layout: layout === undefined ? "" : string(layout),
  };
}

function civil(t: ZonedTime) {
  return civilOf(t.instant.sec + t.zone.offsetAt(t.instant.sec));
}

function compare(a: Instant, b: Instant): number {
  return a.sec - b.sec || a.nsec - b.nsec;
}

/** icza/gox's calendar difference, as topdown copies it: [y, m, d, h, min, s] between two times. */
function diff(a: ReturnType<typeof civil>, b: ReturnType<typeof civil>): number[] {
  let year = b.year - a.year;
  let month = b.month - a.month;
  let day = b.day - a.day;
  let hour = b.hour - a.hour;
  let minute = b.minute - a.minute;
  let second = b.second - a.second;
  if (second < 0) {
    second += 60;
    minute--;
  }
  if (minute < 0) {
    minute += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(a.month, a.year);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, minute, second];
}
