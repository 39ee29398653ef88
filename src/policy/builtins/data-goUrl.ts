/**
 * The parts of Go's net/url (Go 1.26, which OPA v1.19.1's release is built with) that topdown's
 * urlquery.*, uri.* and providers.aws.sign_req use, ported byte for byte: Go works on UTF-8
 * bytes, so these functions do too, on "byte strings" (one char per byte, latin1).
 */
import { parseAddr } from "./data-ip.js";

// Go's encodePathSegment is left out: nothing topdown calls escapes or unescapes a segment.
const PATH = 1;
const HOST = 3;
const ZONE = 4;
const USER_PASSWORD = 5;
const QUERY_COMPONENT = 6;
const FRAGMENT = 7;
type Mode = 1 | 3 | 4 | 5 | 6 | 7;

const toBytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");
const fromBytes = (bytes: string) => Buffer.from(bytes, "latin1").toString("utf8");
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/**
 * Go's shouldEscape for the modes something here escapes in or checks against: path and query
 * (escapeBytes, validEncoded), host and zone (unescapeBytes). Go's user-password and fragment
 * rules only serve escaping in those modes (URL.String, EscapedFragment), which topdown never asks.
 */
function shouldEscape(
  c: string,
  mode: typeof PATH | typeof HOST | typeof ZONE | typeof QUERY_COMPONENT,
): boolean {
  if (isAlnum(c)) return false;
  if ((mode === HOST || mode === ZONE) && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    if (mode === PATH) return c === "?";
    if (mode === QUERY_COMPONENT) return true;
  }
  return true;
}

function unescapeBytes(s: string, mode: Mode): string {
  for (let i = 0; i < s.length; ) {
    const c = s[i] as string;
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2]))
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      const v = Number.parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === HOST && v < 0x80 && s.slice(i, i + 3) !== "%25")
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      if (mode === ZONE && s.slice(i, i + 3) !== "%25" && v !== 0x20) {
        if (shouldEscape(String.fromCharCode(v), HOST))
          throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      i += 3;
    } else {
      if ((mode === HOST || mode === ZONE) && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode))
        throw new Error(`invalid character ${JSON.stringify(c)} in host name`);
      i++;
    }
  }
  return s.replace(/%([0-9A-Fa-f]{2})|\+/g, (match, hex: string | undefined) =>
    hex ? String.fromCharCode(Number.parseInt(hex, 16)) : mode === QUERY_COMPONENT ? " " : match,
  );
}

function escapeBytes(s: string, mode: typeof PATH | typeof QUERY_COMPONENT): string {
  let out = "";
  for (const c of s) {
    if (c === " " && mode === QUERY_COMPONENT) out += "+";
    else if (shouldEscape(c, mode))
      out += `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** url.QueryEscape. */
export const queryEscape = (s: string): string =>
  fromBytes(escapeBytes(toBytes(s), QUERY_COMPONENT));
/** url.QueryUnescape; throws on a bad escape. */
export const queryUnescape = (s: string): string =>
  fromBytes(unescapeBytes(toBytes(s), QUERY_COMPONENT));

/** url.ParseQuery: key → values in order; throws the first error, as topdown reports it. */
export function parseQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  let error: Error | undefined;
  if (query.split("&").length > 10_000)
    throw new Error("number of URL query parameters exceeded limit");
  for (const pair of query.split("&")) {
    if (pair.includes(";")) {
      error ??= new Error("invalid semicolon separator in query");
      continue;
    }
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    try {
      const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
      const value = queryUnescape(eq < 0 ? "" : pair.slice(eq + 1));
      values.set(key, [...(values.get(key) ?? []), value]);
    } catch (thrown) {
      error ??= thrown as Error;
    }
  }
  if (error) throw error;
  return values;
}

/** url.Values.Encode: keys in byte order, each value `key=value`, joined by `&`. */
export function encodeQuery(values: Map<string, string[]>): string {
  return [...values]
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .flatMap(([k, vs]) => vs.map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
}

/** The fields of Go's url.URL that topdown reads. */
export interface GoUrl {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

const validOptionalPort = (port: string) => port === "" || /^:[0-9]*$/.test(port);

function parseHost(host: string): string {
  const open = host.lastIndexOf("[");
  if (open > 0) throw new Error("invalid IP-literal");
  if (open === 0) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port "${colonPort}" after host`);
    const name = host.slice(1, close);
    const zone = name.indexOf("%25");
    const unescaped =
      zone >= 0
        ? unescapeBytes(name.slice(0, zone), HOST) + unescapeBytes(name.slice(zone), ZONE)
        : unescapeBytes(name, HOST);
    const addr = parseAddr(fromBytes(unescaped), true);
    if (!addr || addr.bytes.length === 4) throw new Error("invalid IP-literal");
    return `[${unescaped}]${colonPort}`;
  }
  let i = host.indexOf(":");
  if (i !== -1) {
    // OPA's go.mod keeps urlstrictcolons off: the port is after the last colon for every scheme.
    i = host.lastIndexOf(":");
    if (!validOptionalPort(host.slice(i)))
      throw new Error(`invalid port "${host.slice(i)}" after host`);
  }
  return unescapeBytes(host, HOST);
}

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseNoFragment(raw: string, url: GoUrl): void {
  for (const c of raw)
    if (c < " " || c === "\x7f") throw new Error("net/url: invalid control character in URL");
  if (raw === "*") {
    url.path = "*";
    return;
  }
  let rest = raw;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  if (raw.startsWith(":")) throw new Error("missing protocol scheme");
  if (scheme) {
    url.scheme = (scheme[1] as string).toLowerCase();
    rest = raw.slice(scheme[0].length);
  }
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf("?");
    if (q >= 0) [rest, url.rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith("/")) {
    if (url.scheme !== "") {
      url.opaque = rest;
      return;
    }
    if ((rest.split("/")[0] as string).includes(":"))
      throw new Error("first path segment in URL cannot contain colon");
  }
  if ((url.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    const at = authority.lastIndexOf("@");
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!validUserinfo(userinfo)) throw new Error("net/url: invalid userinfo");
      for (const part of userinfo.split(":").slice(0, 2)) unescapeBytes(part, USER_PASSWORD);
    }
  }
  url.path = unescapeBytes(rest, PATH);
  url.rawPath = escapeBytes(url.path, PATH) === rest ? "" : rest;
}

/**
 * url.Parse with every field a byte string (one char per UTF-8 byte, as Go holds them); throws
 * what Go returns as an error.
 */
export function parseUrlBytes(text: string): GoUrl {
  const raw = toBytes(text);
  const url: GoUrl = {
    scheme: "",
    opaque: "",
    host: "",
    path: "",
    rawPath: "",
    rawQuery: "",
    fragment: "",
  };
  const hash = raw.indexOf("#");
  parseNoFragment(hash < 0 ? raw : raw.slice(0, hash), url);
  if (hash >= 0) url.fragment = unescapeBytes(raw.slice(hash + 1), FRAGMENT);
  return url;
}

/** The fields of a byte-string URL as UTF-8 text (an invalid byte is U+FFFD, as JSON shows it). */
export function urlText(url: GoUrl): GoUrl {
  const text = Object.entries(url).map(([k, v]) => [k, fromBytes(v)]);
  return Object.fromEntries(text) as unknown as GoUrl;
}

/** url.Parse: the fields as UTF-8 text; throws what Go returns as an error. */
export const parseUrl = (text: string): GoUrl => urlText(parseUrlBytes(text));

function validEncoded(s: string, mode: typeof PATH): boolean {
  for (const c of s) if (!"!$&'()*+,;=:@[]%".includes(c) && shouldEscape(c, mode)) return false;
  return true;
}

/**
 * url.URL.EscapedPath of a byte-string URL ({@link parseUrlBytes}): bytes, so a raw path that
 * escapes invalid UTF-8 ("%ff") is still the path it spells. Its raw path came from url.Parse, so
 * it unescapes without error.
 */
export function escapedPath(url: GoUrl): string {
  if (url.rawPath !== "" && validEncoded(url.rawPath, PATH)) {
    if (unescapeBytes(url.rawPath, PATH) === url.path) return url.rawPath;
  }
  if (url.path === "*") return "*";
  return escapeBytes(url.path, PATH);
}

/** url.URL.Hostname and Port: the host split at a valid numeric port, brackets removed. */
export function splitHostPort(hostPort: string): { hostname: string; port: string } {
  let hostname = hostPort;
  let port = "";
  const colon = hostname.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(hostname.slice(colon)))
    [hostname, port] = [hostname.slice(0, colon), hostname.slice(colon + 1)];
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return { hostname, port };
}
