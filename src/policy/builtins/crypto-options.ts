import type { VerifyOptions } from "./crypto-verify.js";

const KEY_USAGES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

/**
 * topdown's extractVerifyOpts: DNSName, CurrentTime (ns), MaxConstraintComparisons, KeyUsages;
 * any other key is an error. Without CurrentTime the evaluation's clock is used.
 */
export function verifyOptions(options: Record<string, unknown>, nowNs: bigint): VerifyOptions {
  const out: VerifyOptions = { currentTimeMs: Number(nowNs / 1_000_000n), keyUsages: [] };
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case "DNSName":
        if (typeof value !== "string") throw new Error("'DNSName' should be a string");
        out.dnsName = trimQuotes(value); // strings.Trim(dns, "\"")
        break;
      case "CurrentTime":
        if (typeof value !== "number") throw new Error("'CurrentTime' should be a number");
        if (!isInt64(value)) throw new Error("'CurrentTime' should be a valid int64 number");
        out.currentTimeMs = Math.floor(value / 1e6);
        break;
      case "MaxConstraintComparisons":
        if (typeof value !== "number")
          throw new Error("'MaxConstraintComparisons' should be a number");
        if (!isInt64(value)) throw new Error("'MaxConstraintComparisons' should be a valid number");
        break;
      case "KeyUsages": {
        if (!Array.isArray(value)) throw new Error("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        for (const usage of value) {
          if (typeof usage !== "string") continue;
          const known = KEY_USAGES[usage];
          if (known === undefined) invalid.push(usage);
          else out.keyUsages.push(known);
        }
        if (invalid.length > 0)
          throw new Error(`invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        break;
      }
      default:
        throw new Error("invalid key option");
    }
  }
  return out;
}

/** ast.Number's Int64 (and, on 64-bit Go, Int): an integer in [-2^63, 2^63). */
function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63;
}

/** Go's `strings.Trim(s, "\"")`, in linear time (`/^"+|"+$/` is quadratic on a run of quotes). */
function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s[start] === '"') start++;
  while (end > start && s[end - 1] === '"') end--;
  return s.slice(start, end);
}
