import {
  encodeQuery,
  parseQuery,
  parseUrl,
  queryEscape,
  queryUnescape,
  splitHostPort,
} from "./data-goUrl.js";
import { isObject, operandError, stringOperand } from "./data-value.js";
import type { BuiltinTable } from "./table.js";

/** urlquery.* and uri.* (topdown/encoding.go, topdown/uri.go) over Go's net/url rules. */
export const urlBuiltins: BuiltinTable = {
  "urlquery.encode": (_, text: unknown) => queryEscape(stringOperand(text, 1)),
  "urlquery.decode": (_, text: unknown) => queryUnescape(stringOperand(text, 1)),
  "urlquery.encode_object": (_, object: unknown) => {
    if (!isObject(object)) throw operandError(1, "object");
    const values = new Map<string, string[]>();
    for (const [key, value] of Object.entries(object)) {
      const list = typeof value === "string" ? [value] : value;
      if (!Array.isArray(list) || list.some((v) => typeof v !== "string"))
        throw new Error("operand 1: values must be string, array[string], or set[string]");
      if (list.length > 0) values.set(key, list as string[]);
    }
    return encodeQuery(values);
  },
  "urlquery.decode_object": (_, text: unknown) =>
    Object.fromEntries(parseQuery(stringOperand(text, 1))),
  "uri.parse": (_, text: unknown) => {
    const url = parseUrl(stringOperand(text, 1));
    const { hostname, port } = splitHostPort(url.host);
    const out: Record<string, string> = {};
    if (url.scheme) out.scheme = url.scheme;
    if (hostname) out.hostname = hostname;
    if (port) out.port = port;
    if (url.path) {
      out.path = url.path;
      out.raw_path = url.rawPath || url.path;
    }
    if (url.rawQuery) out.raw_query = url.rawQuery;
    if (url.fragment) out.fragment = url.fragment;
    return out;
  },
  "uri.is_valid": (_, text: unknown) => {
    if (typeof text !== "string" || text === "") return false;
    try {
      parseUrl(text);
      return true;
    } catch {
      return false;
    }
  },
};
