/**
 * Time zones for the time builtins, from the IANA database Node's ICU carries (Intl), where
 * topdown reads Go's tzdata. "" and "UTC" are UTC; "Local" is UTC too (the sidecar runs in a
 * container without a local zone; topdown would use the host's).
 */

import { daysFromCivil } from "./time-civil.js";

/** A zone: its UTC offset (seconds east) and abbreviation at a Unix second. */
export interface Zone {
  offsetAt(sec: number): number;
  abbreviationAt(sec: number): string;
}

export const UTC: Zone = { offsetAt: () => 0, abbreviationAt: () => "UTC" };

/** Locales whose English short names are tzdata's abbreviations (no two disagree). */
const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-AU", "en-NZ", "en-IN", "en-ZA", "en-IE"];
/**
 * Lookups are kept to int64 nanoseconds' years (1677–2262) and two days either side: ICU's
 * calendar is Julian before 1582, and a time further out is refused after conversion anyway.
 */
const MAX_SECONDS = 9_223_372_037 + 2 * 86_400;

/** The zone named `name` as Go's `time.LoadLocation` would find it; throws for an unknown name. */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  if (name.startsWith("/") || name.includes("..") || /^[+-]/.test(name)) {
    throw new Error(`unknown time zone ${name}`);
  }
  let fields: Intl.DateTimeFormat;
  try {
    fields = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  const resolved = fields.resolvedOptions().timeZone;
  // Intl ignores case, Go's zoneinfo lookup does not.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    throw new Error(`unknown time zone ${name}`);
  }
  // Built on the first "MST" only: a formatter costs ~0.3 ms (the first in a thread ~30 ms).
  let names: Intl.DateTimeFormat[] | undefined;
  const offsetAt = (sec: number) => {
    const clamped = Math.max(-MAX_SECONDS, Math.min(MAX_SECONDS, sec));
    const part: Record<string, string> = {};
    for (const { type, value } of fields.formatToParts(clamped * 1000)) part[type] = value;
    // Clamped to AD years, so no era to read.
    const local =
      daysFromCivil(Number(part.year), Number(part.month), Number(part.day)) * 86_400 +
      Number(part.hour) * 3600 +
      Number(part.minute) * 60 +
      Number(part.second);
    return local - clamped;
  };
  return {
    offsetAt,
    abbreviationAt(sec) {
      const offset = offsetAt(sec);
      // Local mean time, before standard zones: offsets of odd seconds (tzdata's "LMT").
      if (offset % 60 !== 0) return "LMT";
      const ms = Math.max(-MAX_SECONDS, Math.min(MAX_SECONDS, sec)) * 1000;
      names ??= ABBREVIATION_LOCALES.map(
        (locale) => new Intl.DateTimeFormat(locale, { timeZone: name, timeZoneName: "short" }),
      );
      for (const format of names) {
        const short = format.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value;
        if (short !== undefined && !/^(GMT|UTC)[+\-\u2212]/.test(short)) return short;
      }
      return numericAbbreviation(offset);
    },
  };
}

/** tzdata's name for a zone without letters: "+03", "+0530", "-0930". */
function numericAbbreviation(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(offset) / 60);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = minutes % 60;
  return mm === 0 ? `${sign}${hh}` : `${sign}${hh}${String(mm).padStart(2, "0")}`;
}
