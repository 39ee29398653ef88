/**
 * `parsed_path` and `parsed_query` exactly as opa-envoy-plugin builds them with Go's net/url:
 * the path is cut at the first `?`, percent-decoded (`url.PathUnescape`), stripped of every
 * leading `/` and split on `/`; the query follows `url.ParseQuery` (values always arrays, `+` is
 * a space, `;` is an error). Errors are thrown as {@link UrlParseError}.
 */

/** Go rejects queries with more parameters than this (GODEBUG urlmaxqueryparams, CVE-2025-61726). */
export const MAX_QUERY_PARAMS = 10_000;

/** A malformed path or query; the message reads like Go's. */
export class UrlParseError extends Error {
  override readonly name = "UrlParseError";
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Splits `:path` into `parsed_path` and `parsed_query`. */
export function parsePathAndQuery(path: string): {
  parsedPath: string[];
  parsedQuery: Record<string, string[]>;
} {
  const cut = path.indexOf("?");
  const rawPath = cut === -1 ? path : path.slice(0, cut);
  const rawQuery = cut === -1 ? "" : path.slice(cut + 1);
  const decoded = percentDecode(rawPath, false);
  return { parsedPath: decoded.replace(/^\/+/, "").split("/"), parsedQuery: parseQuery(rawQuery) };
}

/** `url.ParseQuery`: keeps going after a bad pair and reports the first error. */
export function parseQuery(query: string): Record<string, string[]> {
  const values: Record<string, string[]> = Object.create(null);
  let firstError: UrlParseError | undefined;
  let count = 0;
  for (const pair of query === "" ? [] : query.split("&")) {
    if (++count > MAX_QUERY_PARAMS) {
      throw new UrlParseError(
        `number of URL query parameters exceeded limit of ${MAX_QUERY_PARAMS}`,
      );
    }
    if (pair.includes(";")) {
      firstError ??= new UrlParseError("invalid semicolon separator in query");
      continue;
    }
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    try {
      const key = percentDecode(eq === -1 ? pair : pair.slice(0, eq), true);
      const value = eq === -1 ? "" : percentDecode(pair.slice(eq + 1), true);
      values[key] ??= [];
      values[key].push(value);
    } catch (error) {
      firstError ??= error as UrlParseError;
    }
  }
  if (firstError) throw firstError;
  // Key-sorted, as Go's encoding/json writes url.Values.
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((key) => [key, values[key] as string[]]),
  );
}

/**
 * Go's `unescape` for path segments (`plusIsSpace` false) and query components (true). Bytes that
 * do not form UTF-8 become U+FFFD (Go keeps them raw; no policy can match them either way).
 */
function percentDecode(s: string, plusIsSpace: boolean): string {
  if (!s.includes("%") && !(plusIsSpace && s.includes("+"))) return s;
  const input = Buffer.from(s, "utf8");
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i] as number;
    if (b === 0x25) {
      const high = hexValue(input[i + 1]);
      const low = hexValue(input[i + 2]);
      if (high < 0 || low < 0) {
        const bad = input.subarray(i, Math.min(i + 3, input.length)).toString("latin1");
        throw new UrlParseError(`invalid URL escape "${bad}"`);
      }
      out[n++] = high * 16 + low;
      i += 2;
    } else {
      out[n++] = b === 0x2b && plusIsSpace ? 0x20 : b;
    }
  }
  return decoder.decode(out.subarray(0, n));
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}
