/**
 * Proleptic Gregorian calendar arithmetic on Unix seconds, as Go's `time` package does it:
 * integer days since the epoch ↔ (year, month, day), and `time.Date`'s normalisation.
 */

const SECONDS_PER_DAY = 86_400;
const NS_PER_SECOND = 1_000_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An instant as whole Unix seconds and nanoseconds in [0, 1e9). */
export interface Instant {
  readonly sec: number;
  readonly nsec: number;
}

/** Wall-clock fields of an instant in some zone. */
export interface Civil {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Sunday. */
  readonly weekday: number;
  /** Day of the year, 1-based. */
  readonly yday: number;
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** Days since 1970-01-01 of a (normalised) date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The date of a day count since 1970-01-01 (Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Wall-clock fields of local seconds (Unix seconds plus the zone's offset). */
export function civilOf(localSec: number): Civil {
  const days = Math.floor(localSec / SECONDS_PER_DAY);
  const secOfDay = localSec - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Wall-clock fields as `time.Date` takes them, any of them out of range. */
export interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nsec: number;
}

/**
 * Go's `time.Date(…, loc)`: out-of-range fields carried over, then the local wall time mapped to
 * an instant with the offset Go picks (`offsetAt` gives the zone's offset at a Unix second).
 */
export function dateOf(fields: DateFields, offsetAt: (sec: number) => number): Instant {
  const [year, month0] = norm(fields.year, fields.month - 1, 12);
  const [second0, nsec] = norm(fields.second, fields.nsec, 1e9);
  const [minute0, second] = norm(fields.minute, second0, 60);
  const [hour0, minute] = norm(fields.hour, minute0, 60);
  const [day, hour] = norm(fields.day, hour0, 24);
  const days = daysFromCivil(year, month0 + 1, 1) + day - 1;
  const unix = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  if (!Number.isSafeInteger(unix)) throw new Error("time out of range");
  let offset = offsetAt(unix);
  if (offset !== 0) offset = offsetAt(unix - offset);
  return { sec: unix - offset, nsec };
}

function norm(hi: number, lo: number, base: number): [number, number] {
  const carry = Math.floor(lo / base);
  return [hi + carry, lo - carry * base];
}

/** An int64 nanosecond count (a Number from JSON, checked exact) as an instant. */
export function instantOfNs(ns: bigint): Instant {
  let sec = ns / NS_PER_SECOND;
  let nsec = ns % NS_PER_SECOND;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += NS_PER_SECOND;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

/** The instant's Unix nanoseconds, or a throw outside int64 (topdown's toSafeUnixNano). */
export function nsOfInstant(instant: Instant): bigint {
  const ns = BigInt(instant.sec) * NS_PER_SECOND + BigInt(instant.nsec);
  if (ns < INT64_MIN || ns > INT64_MAX) throw new Error("time outside of valid range");
  return ns;
}
