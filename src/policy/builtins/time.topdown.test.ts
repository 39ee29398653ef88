import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

/**
 * The time builtins against topdown, one case per rule of Go's time/format.go (layout tokens,
 * parse errors, zone offsets) or of topdown/time.go (time arguments, diff's borrows) that a case
 * drives. None reads the clock.
 */
const CASES: [what: string, call: Call][] = [
  // time.ts: operands and time.diff
  ["an explicit empty layout", ["time.format", [[0, "UTC", ""]]]],
  ["an empty time array", ["time.date", [[]]]],
  ["a negative ns: the second before the epoch", ["time.date", [-1]]],
  ["add_date years past ±1e12", ["time.add_date", [0, 1e13, 0, 0]]],
  ["add_date years whose seconds pass 2^53", ["time.add_date", [0, 1e12, 0, 0]]],
  ["diff with the later time first", ["time.diff", [86_400_000_000_000, 0]]],
  ["diff within one second: compared by ns", ["time.diff", [5, 3]]],
  [
    "diff borrowing seconds, minutes, hours, days and months",
    ["time.diff", [1_703_980_799_000_000_000, 1_704_067_200_000_000_000]],
  ],
  // time-format.ts: each layout token written
  [
    "January, 1, Monday, 2, 3, 4, 5",
    ["time.format", [[1_704_067_200_000_000_000, "UTC", "January 1 Monday 2 3 4 5"]]],
  ],
  [
    "_2 before day 10, 03 at noon",
    ["time.format", [[1_704_110_400_000_000_000, "UTC", "_2 03 3 PM pm"]]],
  ],
  ["a layout ending in literal text", ["time.format", [[0, "UTC", "2006-"]]]],
  ["Z07:00 at offset 0 is Z", ["time.format", [[0, "UTC", "Z07:00 Z0700 Z07 Z07:00:00 Z070000"]]]],
  [
    "-07:00 west of UTC",
    ["time.format", [[0, "America/New_York", "-07:00 -0700 -07 -07:00:00 -070000 Z07:00"]]],
  ],
  [
    "LMT offsets in seconds",
    ["time.format", [[-5_000_000_000_000_000_000, "America/New_York", "MST -07:00:00"]]],
  ],
  [".999 drops trailing zeros", ["time.format", [[100_000_000, "UTC", "05.999"]]]],
  [".999 drops a bare separator", ["time.format", [[1, "UTC", "05.999"]]]],
  [",000 keeps its comma", ["time.format", [[120_000_000, "UTC", "05,000"]]]],
  // time-layout-chunk.ts: tokens and near-tokens
  [
    "Jan before a lower-case letter is text",
    ["time.format", [[0, "UTC", "Janx Monx Mx 0x _x Px px Zx"]]],
  ],
  ["002, __2 and _2006", ["time.format", [[1_709_164_800_000_000_000, "UTC", "002 __2 _2006"]]]],
  // time-parse-scan.ts
  ["a layout space against a non-space", ["time.parse_ns", ["2006 01", "2006x01"]]],
  ["a number that is not a digit", ["time.parse_ns", ["01", "x1"]]],
  ["002 with two digits", ["time.parse_ns", ["2006 002", "2024 12"]]],
  ["__2 with no digit", ["time.parse_ns", ["2006 __2", "2024 x"]]],
  ["06 with a sign: -1 is 1999", ["time.parse_ns", ["06", "-1"]]],
  ["06 with a sign: +1 is 2001", ["time.parse_ns", ["06", "+1"]]],
  ["06 with one byte", ["time.parse_ns", ["06", "6"]]],
  [".000 against a non-separator", ["time.parse_ns", ["2006.000", "2024x123"]]],
  [".000 with a comma", ["time.parse_ns", ["2006.000", "2024,123"]]],
  [".000 with a negative fraction", ["time.parse_ns", ["2006.000", "2024.-12"]]],
  [".000 with too few bytes", ["time.parse_ns", ["2006.000", "2024.1"]]],
  // time-parse.ts: fields
  ["Jan against Feb", ["time.parse_ns", ["Jan 2006", "Feb 2024"]]],
  ["January against february", ["time.parse_ns", ["January 2006", "february 2024"]]],
  ["month 13", ["time.parse_ns", ["2006-01", "2024-13"]]],
  ["month 0", ["time.parse_ns", ["2006-1", "2024-0"]]],
  ["Monday is read and ignored", ["time.parse_ns", ["Monday 2006", "friday 2024"]]],
  ["Mon is read and ignored", ["time.parse_ns", ["Mon 2006", "Fri 2024"]]],
  ["_2 with a leading space", ["time.parse_ns", ["2006-01-_2", "2024-02- 5"]]],
  ["_2 with two digits", ["time.parse_ns", ["2006-01-_2", "2024-02-15"]]],
  ["2 with one digit", ["time.parse_ns", ["2006-01-2", "2024-02-5"]]],
  ["3 as 13", ["time.parse_ns", ["3", "13"]]],
  ["15 as 24", ["time.parse_ns", ["15", "24"]]],
  ["4 as 5", ["time.parse_ns", ["4", "5"]]],
  ["04 as 60", ["time.parse_ns", ["04", "60"]]],
  ["5 as 7", ["time.parse_ns", ["5", "7"]]],
  ["05 as 60", ["time.parse_ns", ["05", "60"]]],
  ["a comma fraction the layout lacks", ["time.parse_ns", ["05", "01,5"]]],
  ["a fraction the layout's .000 reads", ["time.parse_ns", ["05.000", "01.123"]]],
  ["a fraction the layout's .999 reads", ["time.parse_ns", ["05.999", "01.12"]]],
  ["seconds without a fraction", ["time.parse_ns", ["05 2006", "01 2024"]]],
  ["a lone dot after seconds", ["time.parse_ns", ["05.", "01."]]],
  ["PM with one byte", ["time.parse_ns", ["3PM", "3P"]]],
  ["3PM as AM", ["time.parse_ns", ["3PM", "3AM"]]],
  ["12AM is midnight", ["time.parse_ns", ["3PM", "12AM"]]],
  ["12PM is noon", ["time.parse_ns", ["3PM", "12PM"]]],
  ["3pm as pm", ["time.parse_ns", ["3pm", "3pm"]]],
  ["3pm as XM", ["time.parse_ns", ["3pm", "3xm"]]],
  [".999 at the end of the value", ["time.parse_ns", ["2006.999", "2024"]]],
  [".999 against text", ["time.parse_ns", ["2006.999", "2024xy"]]],
  [".999 against a dot and a letter", ["time.parse_ns", ["2006.999", "2024.x"]]],
  [".999 reading many digits", ["time.parse_ns", ["2006.999", "2024.1234567891"]]],
  // time-parse.ts: numeric zones
  ["-07:00", ["time.parse_ns", ["2006 -07:00", "2024 +05:30"]]],
  ["-07:00 without a colon", ["time.parse_ns", ["2006 -07:00", "2024 +05x30"]]],
  ["-07:00 too short", ["time.parse_ns", ["2006 -07:00", "2024 +05"]]],
  ["Z07:00 as Z", ["time.parse_ns", ["2006 Z07:00", "2024 Z"]]],
  ["-07", ["time.parse_ns", ["2006 -07", "2024 -03"]]],
  ["Z07", ["time.parse_ns", ["2006 Z07", "2024 +03"]]],
  ["-07:00:00", ["time.parse_ns", ["2006 -07:00:00", "2024 -01:02:03"]]],
  ["Z07:00:00 with a bad colon", ["time.parse_ns", ["2006 Z07:00:00", "2024 -01:02x03"]]],
  ["-070000", ["time.parse_ns", ["2006 -070000", "2024 +010203"]]],
  ["Z070000", ["time.parse_ns", ["2006 Z070000", "2024 Z"]]],
  ["-0700", ["time.parse_ns", ["2006 -0700", "2024 -0130"]]],
  ["-0700 past 24 hours", ["time.parse_ns", ["2006 -0700", "2024 +2500"]]],
  ["-0700 at 24 hours, 60 minutes", ["time.parse_ns", ["2006 -0700", "2024 +2460"]]],
  ["-0700 with no sign", ["time.parse_ns", ["2006 -0700", "2024 x0100"]]],
  ["Z0700 with a bad digit", ["time.parse_ns", ["2006 Z0700", "2024 +01x0"]]],
  // time-parse.ts: zone names (MST)
  ["UTC", ["time.parse_ns", ["2006 MST", "2024 UTC"]]],
  ["two bytes", ["time.parse_ns", ["2006 MST", "2024 AB"]]],
  ["lower case", ["time.parse_ns", ["2006 MST", "2024 abc"]]],
  // Go names a made-up zone "GMT+3" with that offset but leaves the instant at the wall time in
  // UTC (ours moved it by the offset).
  ["GMT+3 does not move the instant", ["time.parse_ns", ["2006 MST", "2024 GMT+3"]]],
  ["GMT-11 does not move the instant", ["time.parse_ns", ["2006 MST", "2024 GMT-11"]]],
  ["GMT+24 is GMT and text", ["time.parse_ns", ["2006 MST", "2024 GMT+24"]]],
  ["GMT", ["time.parse_ns", ["2006 MST", "2024 GMT"]]],
  // Go's parseSignedOffset gives 0 for digits past 2^63, so "GMT" is the zone (ours threw).
  [
    "GMT and an int64-overflowing offset",
    ["time.parse_ns", ["2006 MST+99999999999999999999", "2024 GMT+99999999999999999999"]],
  ],
  ["+03 as a zone name", ["time.parse_ns", ["2006 MST", "2024 +03"]]],
  ["-x as a zone name", ["time.parse_ns", ["2006 MST", "2024 -x"]]],
  ["ChST", ["time.parse_ns", ["2006 MST", "2024 ChST"]]],
  ["five capitals ending in T", ["time.parse_ns", ["2006 MST", "2024 CHADT"]]],
  ["five capitals not ending in T", ["time.parse_ns", ["2006 MST", "2024 ABCDE"]]],
  ["four capitals ending in T", ["time.parse_ns", ["2006 MST", "2024 AEST"]]],
  ["WITA", ["time.parse_ns", ["2006 MST", "2024 WITA"]]],
  ["four capitals not ending in T", ["time.parse_ns", ["2006 MST", "2024 ABCD"]]],
  ["six capitals", ["time.parse_ns", ["2006 MST", "2024 ABCDEF"]]],
  ["three capitals read at offset 0", ["time.parse_ns", ["2006 MST", "2024 PST"]]],
  // time-parse.ts: day of year and day range
  ["002 on 29 February", ["time.parse_ns", ["2006 002", "2024 060"]]],
  ["002 after 29 February", ["time.parse_ns", ["2006 002", "2024 061"]]],
  ["002 in a common year", ["time.parse_ns", ["2006 002", "2023 061"]]],
  ["002 as 366 in a common year", ["time.parse_ns", ["2006 002", "2023 366"]]],
  ["002 as 000", ["time.parse_ns", ["2006 002", "2023 000"]]],
  ["002 and the wrong month", ["time.parse_ns", ["2006-01 002", "2023-01 061"]]],
  ["002 and the right month", ["time.parse_ns", ["2006-01 002", "2023-03 061"]]],
  ["002 and the wrong day", ["time.parse_ns", ["2006-01-02 002", "2023-03-01 061"]]],
  ["002 and the right day", ["time.parse_ns", ["2006-01-02 002", "2023-03-02 061"]]],
  ["__2 with spaces", ["time.parse_ns", ["2006 __2", "2023   7"]]],
  ["29 February in a leap year", ["time.parse_ns", ["2006-01-02", "2024-02-29"]]],
  ["29 February in 2100", ["time.parse_ns", ["2006-01-02", "2100-02-29"]]],
  ["29 February in 2000", ["time.parse_ns", ["2006-01-02", "2000-02-29"]]],
  ["31 April", ["time.parse_ns", ["2006-01-02", "2023-04-31"]]],
  ["extra text", ["time.parse_ns", ["2006", "2024x"]]],
  // time-duration.ts
  [
    "a d unit with a small fraction: hours written without an exponent",
    ["time.parse_duration_ns", ["0.0000001d"]],
  ],
  ["a d unit whose hours JS writes with an exponent", ["time.parse_duration_ns", ["0.00000001d"]]],
  [
    "a d unit of more digits than a float64 holds",
    ["time.parse_duration_ns", [`1${"0".repeat(400)}d`]],
  ],
  ["a w unit of a dotted number", ["time.parse_duration_ns", ["1.5w"]]],
  ["a y unit of two dots", ["time.parse_duration_ns", ["1.2.3y"]]],
  ["a y unit after h and ms", ["time.parse_duration_ns", ["-1h30ms2y"]]],
  ["a unit letter e, not an exponent", ["time.parse_duration_ns", ["1e20d"]]],
  [
    "1e20 days: hours JS writes with an exponent, past int64",
    ["time.parse_duration_ns", ["100000000000000000000d"]],
  ],
  ["a sign alone", ["time.parse_duration_ns", ["-"]]],
  ["a unit alone", ["time.parse_duration_ns", ["h"]]],
  ["a unit after a unit", ["time.parse_duration_ns", ["1hh"]]],
  ["an int64-overflowing integer", ["time.parse_duration_ns", ["99999999999999999999h"]]],
  [
    "an integer whose last digit passes 2^63",
    ["time.parse_duration_ns", ["9223372036854775809ns"]],
  ],
  ["2^63 - 1 ns", ["time.parse_duration_ns", ["9223372036854775807ns"]]],
  ["a dot without digits", ["time.parse_duration_ns", [".h"]]],
  ["digits and a dot", ["time.parse_duration_ns", ["1.h"]]],
  ["a dot and digits", ["time.parse_duration_ns", [".5h"]]],
  ["a missing unit", ["time.parse_duration_ns", ["1"]]],
  ["an unknown unit", ["time.parse_duration_ns", ["1x"]]],
  ["µs and us", ["time.parse_duration_ns", ["1µs2us3ns"]]],
  ["2^63 ns is over the range", ["time.parse_duration_ns", ["9223372036.854775808s"]]],
  ["-2^63 ns is in range", ["time.parse_duration_ns", ["-9223372036.854775808s"]]],
  ["a fraction taking v past 2^63", ["time.parse_duration_ns", ["9223372036.854775809s"]]],
  ["a sum past 2^63", ["time.parse_duration_ns", ["5000000000s5000000000s"]]],
  ["an integer over the range for its unit", ["time.parse_duration_ns", ["2562048h"]]],
  ["a fraction of more than 19 digits", ["time.parse_duration_ns", ["0.12345678901234567890123s"]]],
  [
    "a fraction whose next digit passes 2^63",
    ["time.parse_duration_ns", ["0.9223372036854775809s"]],
  ],
  ["zero", ["time.parse_duration_ns", ["-0"]]],
  // time-zone.ts
  ["an absolute zone path", ["time.date", [[0, "/UTC"]]]],
  ["a zone path with ..", ["time.date", [[0, "../UTC"]]]],
  ["an offset as a zone name", ["time.date", [[0, "+05:00"]]]],
  // Left out: the ~38 zones where ICU's English short name is not tzdata's abbreviation
  // (Asia/Dubai "GST" for topdown's "+04", Asia/Tokyo "+09" for "JST"); MST there differs.
  [
    "a zone whose English names are GMT±h: -03",
    ["time.format", [[1_709_207_445_000_000_000, "America/Sao_Paulo", "MST"]]],
  ],
];

const CALLS = CASES.map(([, call]) => call);
let want: unknown[];
beforeAll(() => {
  want = topdown(CALLS);
});

describe("time builtins give what topdown gives", () => {
  it.each(CASES.map(([what, [name, args]], i) => [name, what, JSON.stringify(args), i] as const))(
    "%s: %s %s",
    (_name, _what, _args, i) => expect(ours(CALLS[i] as Call)).toEqual(want[i]),
  );
});
