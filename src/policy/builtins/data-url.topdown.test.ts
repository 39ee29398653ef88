/**
 * urlquery.*, uri.* and providers.aws.sign_req against topdown: the branches of the net/url port
 * (data-goUrl.ts) they drive, case by case.
 */
import { beforeAll, expect, it } from "vitest";
import { type Call, ours, topdown } from "../../../test/support/topdown.js";

const AWS = {
  aws_access_key: "AKID",
  aws_secret_access_key: "SECRET",
  aws_region: "us-east-1",
  aws_service: "s3",
};
/** 2023-11-14T22:13:20Z, as the third operand: signatures are comparable. */
const T = 1_700_000_000_000_000_000;
const sign = (request: object, config: object = AWS, time: unknown = T): Call => [
  "providers.aws.sign_req",
  [request, config, time],
];
const GET = (url: string) => ({ method: "GET", url });

const CASES: Array<[what: string, call: Call]> = [
  // Host names (parseHost, unescape in host mode).
  ["an escaped ASCII byte in a host is refused", ["uri.parse", ["http://a%41b/"]]],
  ["an escaped UTF-8 byte in a host is kept", ["uri.parse", ["http://a%c3%a9b/"]]],
  ["%25 is the one ASCII escape a host may carry", ["uri.parse", ["http://a%25b/"]]],
  ["a bad escape in a host", ["uri.parse", ["http://a%zzb/"]]],
  ["a character a host may not hold", ["uri.parse", ["http://a b/"]]],
  ["a non-ASCII host name", ["uri.parse", ["http://é/"]]],
  ["a zone may escape a host character", ["uri.parse", ["http://[fe80::1%25en%300]/"]]],
  ["a zone may not escape a byte a host refuses", ["uri.parse", ["http://[fe80::1%25en%2F0]/"]]],
  ["a zone may escape a space (Windows)", ["uri.parse", ["http://[fe80::1%25en%200]/"]]],
  ["a zone and a port", ["uri.parse", ["http://[fe80::1%25en0]:8080/p"]]],
  ["an empty zone", ["uri.parse", ["http://[fe80::1%25]/"]]],
  ["'[' after the start of a host", ["uri.parse", ["http://a[::1]/"]]],
  ["no ']' after '['", ["uri.parse", ["http://[::1/"]]],
  ["text after ']' that is no port", ["uri.parse", ["http://[::1]x/"]]],
  ["an empty port after ']'", ["uri.parse", ["http://[::1]:/"]]],
  ["an IP literal: brackets dropped from hostname", ["uri.parse", ["http://[::1]/"]]],
  ["an IPv4 address is no IP literal", ["uri.parse", ["http://[1.2.3.4]/"]]],
  ["an IPv4-mapped IPv6 literal is one", ["uri.parse", ["http://[::ffff:1.2.3.4]/"]]],
  ["an IP literal that is no address", ["uri.parse", ["http://[zz]/"]]],
  ["a port that is not a number", ["uri.parse", ["http://a:x/"]]],
  ["the port is after the last colon", ["uri.parse", ["http://a:1:2/"]]],
  ["the scheme is lower-cased, the host kept", ["uri.parse", ["HTTP://A/"]]],
  // The rest of url.Parse (parseNoFragment, parseUrl).
  ["a control character", ["uri.parse", ["http://a/\u0001"]]],
  ["DEL is a control character", ["uri.parse", ["http://a/\u007f"]]],
  ["'*' is a path of its own", ["uri.parse", ["*"]]],
  ["'*' with a fragment", ["uri.parse", ["*#x"]]],
  ["a colon first: missing scheme", ["uri.parse", [":foo"]]],
  ["one trailing '?' forces an empty query", ["uri.parse", ["http://a/b?"]]],
  ["two: the query is '?'", ["uri.parse", ["http://a/b??"]]],
  ["a query ending in '?'", ["uri.parse", ["http://a/b?x?"]]],
  ["a scheme without '/' is opaque", ["uri.parse", ["mailto:x@y.z"]]],
  ["a digit cannot start a scheme: colon in the first segment", ["uri.parse", ["1a:b"]]],
  ["'_' cannot be in a scheme: colon in the first segment", ["uri.parse", ["a_b:c/d"]]],
  ["'///' without a scheme is a path", ["uri.parse", ["///a/b"]]],
  ["'//' without a scheme is an authority", ["uri.parse", ["//h.example/p"]]],
  ["an empty authority", ["uri.parse", ["http:///a"]]],
  ["user info is checked, then dropped", ["uri.parse", ["http://u:p@h/"]]],
  ["a bad escape in the password", ["uri.parse", ["http://u%41:p%zz@h/"]]],
  ["a bad escape in the user", ["uri.parse", ["http://u%zz@h/"]]],
  ["a character user info may not hold", ["uri.parse", ["http://u^@h/"]]],
  ["the host is after the last '@'", ["uri.parse", ["http://a@b@h/"]]],
  ["an escaped '/' keeps the raw path", ["uri.parse", ["/a%2Fb"]]],
  ["a needless escape keeps the raw path", ["uri.parse", ["/a%41b"]]],
  ["'+' is '+' in a path", ["uri.parse", ["/a+b%2Bc"]]],
  ["a space in a path", ["uri.parse", ["/a b"]]],
  ["a fragment is unescaped, '+' kept", ["uri.parse", ["http://a/#f%20g+h"]]],
  ["a bad escape in a fragment", ["uri.parse", ["http://a/#f%zz"]]],
  ["non-ASCII path, query, fragment", ["uri.parse", ["http://a/é?é#é"]]],
  ["uri.is_valid: an error is false", ["uri.is_valid", [":foo"]]],
  ["uri.is_valid: a URL", ["uri.is_valid", ["http://a/"]]],
  ["uri.is_valid: the empty string", ["uri.is_valid", [""]]],
  ["uri.is_valid: not a string", ["uri.is_valid", [1]]],
  // Queries (parseQuery, encodeQuery, escape in query mode).
  ["encode_object: not an object", ["urlquery.encode_object", ["x"]]],
  ["encode_object: a number value", ["urlquery.encode_object", [{ a: 1 }]]],
  ["encode_object: a number in an array", ["urlquery.encode_object", [{ a: [1] }]]],
  ["encode_object: an empty array writes nothing", ["urlquery.encode_object", [{ a: [] }]]],
  [
    "encode_object: keys in byte order, each value once",
    ["urlquery.encode_object", [{ b: ["1", "2"], a: "x y", é: "&", B: "=" }]],
  ],
  ["decode_object: an empty pair is skipped", ["urlquery.decode_object", ["a=1&&b=2"]]],
  ["decode_object: a key without '='", ["urlquery.decode_object", ["a&b=1&a=2"]]],
  ["decode_object: a bad escape", ["urlquery.decode_object", ["a=%zz&b=1"]]],
  ["decode_object: a semicolon", ["urlquery.decode_object", ["a=1;b=2"]]],
  ["decode_object: '+' is a space", ["urlquery.decode_object", ["x+y=a%20b+c"]]],
  [
    "decode_object: 10 000 pairs are the limit",
    ["urlquery.decode_object", [Array(10_000).fill("a=1").join("&")]],
  ],
  ["decode_object: 10 001 are too many", ["urlquery.decode_object", ["a&".repeat(10_000)]]],
  ["decode: '+' and %20 are spaces", ["urlquery.decode", ["a+b%20"]]],
  ["decode: a truncated escape", ["urlquery.decode", ["%"]]],
  ["decode: a lone UTF-8 byte", ["urlquery.decode", ["%e9"]]],
  ["encode: space, '/', UTF-8, '~'", ["urlquery.encode", ["a b/é~"]]],
  // providers.aws.sign_req: its checks, and the canonical path (escapedPath).
  ["sign_req: an escaped '/' signs the raw path", sign(GET("https://h.example/a%2Fb/c?x=1"))],
  ["sign_req: a lower-case escape", sign(GET("https://h.example/a%2fb"))],
  ["sign_req: a space is escaped", sign(GET("https://h.example/a b"))],
  ["sign_req: a raw path that is not valid encoding", sign(GET("https://h.example/a%20b^"))],
  ["sign_req: a needless escape", sign(GET("https://h.example/a%41"))],
  ["sign_req: the path '*'", sign(GET("*"))],
  [
    "sign_req: an escaped invalid UTF-8 byte is signed as written",
    sign(GET("https://h.example/%ff")),
  ],
  ["sign_req: an escaped UTF-8 character", sign(GET("https://h.example/%c3%a9"))],
  ["sign_req: a UTF-8 character is escaped", sign(GET("https://h.example/é"))],
  [
    "sign_req: glacier signs the payload hash",
    sign(GET("https://h.example/"), { ...AWS, aws_service: "glacier" }),
  ],
  [
    "sign_req: a body is Go's JSON",
    sign(
      { method: "POST", url: "https://h.example/", body: { a: [1, "<x>"] } },
      { ...AWS, aws_service: "sqs" },
    ),
  ],
  [
    "sign_req: a raw body",
    sign(
      { method: "POST", url: "https://h.example/", raw_body: "hi" },
      { ...AWS, aws_service: "sqs" },
    ),
  ],
  [
    "sign_req: a raw body that is no string",
    sign(
      { method: "POST", url: "https://h.example/", raw_body: 5 },
      { ...AWS, aws_service: "sqs" },
    ),
  ],
  [
    "sign_req: a raw body wins over a body",
    sign({ method: "POST", url: "https://h.example/", body: "x", raw_body: "hi" }),
  ],
  [
    "sign_req: unsigned payload",
    sign(
      { method: "POST", url: "https://h.example/", body: "x" },
      { ...AWS, disable_payload_signing: true },
    ),
  ],
  [
    "sign_req: signed payload",
    sign({ method: "POST", url: "https://h.example/" }, { ...AWS, disable_payload_signing: false }),
  ],
  [
    "sign_req: disable_payload_signing not a boolean",
    sign(GET("https://h.example/"), { ...AWS, disable_payload_signing: "yes" }),
  ],
  ["sign_req: missing config keys", sign(GET("https://h.example/"), { aws_access_key: "A" })],
  [
    "sign_req: a config key not a string",
    sign(GET("https://h.example/"), { ...AWS, aws_region: 1 }),
  ],
  ["sign_req: time not a number", sign(GET("https://h.example/"), AWS, "1")],
  ["sign_req: time not an integer", sign(GET("https://h.example/"), AWS, 1.5)],
  ["sign_req: an unknown request key", sign({ ...GET("https://h.example/"), bogus: 1 })],
  ["sign_req: no method", sign({ url: "https://h.example/" })],
  ["sign_req: a method not a string", sign({ method: 1, url: "https://h.example/" })],
  ["sign_req: headers not an object", sign({ ...GET("https://h.example/"), headers: "x" })],
  [
    "sign_req: headers signed lower-cased, user-agent not, a session token added",
    sign(
      { ...GET("https://h.example/"), headers: { "X-B": "2", "user-agent": "u", A: 3 } },
      { ...AWS, aws_session_token: "tok" },
    ),
  ],
  [
    "sign_req: an empty session token",
    sign(GET("https://h.example/"), { ...AWS, aws_session_token: "" }),
  ],
  [
    "sign_req: a session token not a string",
    sign(GET("https://h.example/"), { ...AWS, aws_session_token: 7 }),
  ],
  ["sign_req: a URL url.Parse refuses", sign(GET(":bad"))],
  ["sign_req: request not an object", ["providers.aws.sign_req", ["x", AWS, T]]],
  [
    "sign_req: config not an object",
    ["providers.aws.sign_req", [GET("https://h.example/"), "x", T]],
  ],
];

let want: unknown[];
beforeAll(() => {
  want = topdown(CASES.map(([, call]) => call));
});

it.each(
  CASES.map(
    ([what, [name, args]], i) => [what, name, JSON.stringify(args).slice(0, 100), i] as const,
  ),
)("%s: %s(%s) is topdown's", (_what, _name, _args, i) =>
  expect(ours((CASES[i] as (typeof CASES)[number])[1])).toEqual(want[i]),
);
