/**
 * Which names carry secrets: header names, query parameter names, body field names, the `key` of
 * a `{key, value}` pair. Names are compared after {@link normalizeName}, so `X-API-Key`,
 * `x_api_key`, `xApiKey` and `user[api_key]` are one spelling. A pattern is a name (`jwt`), a
 * prefix (`x-amzn-oidc-*`), a suffix (`*token`) or a part (`*password*`); see
 * docs/decision-log-masking.md for why each default is there.
 */

/** Masked wherever they appear: headers, query parameters, body fields, `{key, value}` pairs. */
export const DEFAULT_SECRET_NAMES: readonly string[] = [
  // Passwords and shared secrets, under any prefix or suffix (new_password, client_secret …).
  "*password*",
  "*passwd*",
  "*passphrase*",
  "*secret*",
  "*privatekey*",
  "*apikey*",
  "*credential*",
  // Bearer tokens and signed assertions: access_token, x-auth-token, x-amz-security-token,
  // client_assertion, cf-access-jwt-assertion, x-hub-signature-256; not max_tokens (not a suffix).
  "*token",
  "*assertion",
  "*signature*",
  "samlresponse",
  "codeverifier",
  // Session identifiers are bearer credentials (JSESSIONID, PHPSESSID, session_id).
  "*sessionid*",
  "*sessid*",
  // HTTP credentials (RFC 9110 §11.6, RFC 6265), also when relayed inside a body.
  "*authorization",
  "*cookie",
  // Identity assertions of the proxies in front of us: Envoy's XFCC, AWS ALB's x-amzn-oidc-*.
  "x-forwarded-client-cert",
  "x-amzn-oidc-*",
];

/**
 * Masked in query strings (the `:path`, `query`, `parsed_query`, a form body) only: short names
 * that are credentials there (Google's `key`, OAuth's `code`, Azure SAS `sig`, Firebase `auth`,
 * CAS `ticket`, `jwt`) but ordinary words in a JSON body, or, like `jwt`, a key of the input's
 * own `identity` block, which must stay readable for replay.
 */
export const DEFAULT_SECRET_QUERY_NAMES: readonly string[] = [
  "key",
  "code",
  "sig",
  "auth",
  "ticket",
  "jwt",
];

/** `true` when a name carries a secret. */
export type NameTest = (name: string) => boolean;

/** Lower case, letters and digits only: `X-Api_Key`, `apiKey` and `api[key]` all become `apikey`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A pattern is valid when, less its leading/trailing `*`, it keeps a letter or digit. */
export function isNamePattern(pattern: string): boolean {
  return /^\*?[^*]+\*?$/.test(pattern) && normalizeName(pattern) !== "";
}

const MEMO_LIMIT = 4096;

/**
 * Compiles patterns into one test: plain string comparisons (equal, starts with, ends with,
 * contains), linear in the name whatever it holds. Results are memoized (headers repeat from
 * event to event); the memo is dropped when it reaches 4096 names, so request-chosen names
 * cannot grow it. Throws TypeError for a pattern that {@link isNamePattern} refuses.
 */
export function compileNames(patterns: readonly string[]): NameTest {
  const matchers = patterns.map((pattern): ((name: string) => boolean) => {
    if (!isNamePattern(pattern)) throw new TypeError(`not a name pattern: ${pattern}`);
    const core = normalizeName(pattern);
    const anyStart = pattern.startsWith("*");
    const anyEnd = pattern.endsWith("*");
    if (anyStart && anyEnd) return (name) => name.includes(core);
    if (anyStart) return (name) => name.endsWith(core);
    if (anyEnd) return (name) => name.startsWith(core);
    return (name) => name === core;
  });
  const matches = (normalized: string) => matchers.some((match) => match(normalized));
  const memo = new Map<string, boolean>();
  return (name) => {
    let secret = memo.get(name);
    if (secret === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      secret = matches(normalizeName(name));
      memo.set(name, secret);
    }
    return secret;
  };
}
