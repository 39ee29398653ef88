/**
 * Conformance cases: CheckRequests in protobuf JSON, sent byte for byte to openclaw-authz and to
 * the reference oracle. `x-case` selects the policy's result shape (see policy/conformance.rego).
 */
export interface ConformanceCase {
  name: string;
  request: Record<string, unknown>;
}

type Http = Record<string, unknown> & { headers?: Record<string, string> };

function http(kase: string, fields: Http = {}): Record<string, unknown> {
  const { headers, ...rest } = fields;
  return {
    attributes: {
      request: {
        http: {
          method: "GET",
          path: "/",
          host: "openclaw",
          protocol: "HTTP/1.1",
          ...rest,
          headers: { "x-case": kase, ...headers },
        },
      },
    },
  };
}

const echo = (fields: Http) => http("echo", fields);
const json = (body: string, headers: Record<string, string> = {}) =>
  echo({ method: "POST", body, headers: { "content-type": "application/json", ...headers } });

const MULTIPART = [
  "--XyZ",
  'Content-Disposition: form-data; name="title"',
  "",
  "hello world",
  "--XyZ",
  'Content-Disposition: form-data; name="meta"',
  "Content-Type: application/json",
  "",
  '{"big": 12345678901234567890, "ok": true}',
  "--XyZ",
  'Content-Disposition: form-data; name="title"',
  "",
  "second",
  "--XyZ",
  'Content-Disposition: form-data; name="upload"; filename="a.txt"',
  "Content-Type: text/plain",
  "",
  "file body",
  "--XyZ",
  "Content-Disposition: form-data",
  "",
  "unnamed part is skipped",
  "--XyZ--",
  "",
].join("\r\n");

export const RESULT_CASES: ConformanceCase[] = [
  { name: "boolean true allows", request: http("bool-true") },
  { name: "boolean false denies", request: http("bool-false") },
  { name: "deny object with every deny key", request: http("deny-object") },
  { name: "deny object defaults to 403", request: http("deny-default-status") },
  { name: "allow object with every allow key", request: http("allow-all-keys") },
  { name: "deny with 429 and body", request: http("deny-429") },
  { name: "deny redirecting with 302 and location", request: http("deny-redirect") },
  { name: "deny ignores allow-only keys", request: http("deny-ignores-ok-keys") },
];

/**
 * Where we answer differently from the peer on purpose; each has a section in
 * docs/differences.md. `oracle` and `ours` are what each answers (CheckResponse subsets).
 */
export interface KnownDifference extends ConformanceCase {
  oracle: Record<string, unknown>;
  ours: Record<string, unknown>;
}

const refusedStatus = {
  status: { code: 7 },
  deniedResponse: { status: { code: "Forbidden" }, body: "policy_result_invalid" },
};

/**
 * A deny whose http_status is 1xx or 2xx: the peer sends Envoy a denial that the client reads as
 * success (or an interim answer); we refuse the result and deny with 403 (issue 12).
 */
export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    name: "deny with http_status 200",
    request: http("deny-with-200"),
    oracle: { status: { code: 7 }, deniedResponse: { status: { code: "OK" } } },
    ours: refusedStatus,
  },
  {
    name: "deny with http_status 100",
    request: http("deny-with-100"),
    oracle: { status: { code: 7 }, deniedResponse: { status: { code: "Continue" } } },
    ours: refusedStatus,
  },
];

/** Results the peer answers with gRPC UNKNOWN; we answer PERMISSION_DENIED + 403 instead. */
export const FAIL_CLOSED_CASES: ConformanceCase[] = [
  { name: "undefined decision", request: http("undefined") },
  { name: "string result", request: http("string-result") },
  { name: "number result", request: http("number-result") },
  { name: "object without allowed", request: http("missing-allowed") },
  { name: "allowed is not a boolean", request: http("allowed-not-bool") },
  { name: "http_status not a valid status", request: http("bad-status") },
  { name: "http_status fractional", request: http("fractional-status") },
  { name: "http_status a string", request: http("string-status") },
  { name: "header value not a string", request: http("header-not-string") },
  { name: "headers not an object", request: http("headers-not-object") },
  { name: "dynamic_metadata not an object", request: http("metadata-not-object") },
  { name: "body not a string", request: http("body-not-string") },
  { name: "request_headers_to_remove not a list", request: http("remove-not-list") },
  { name: "query_parameters_to_set value not a string", request: http("query-set-not-string") },
];

export const INPUT_CASES: ConformanceCase[] = [
  { name: "path: plain", request: echo({ path: "/api/v1/tickets/42" }) },
  { name: "path: all leading slashes trimmed", request: echo({ path: "//admin/x" }) },
  { name: "path: %2F decoded before split", request: echo({ path: "/files/a%2Fb/c" }) },
  { name: "path: trailing slash", request: echo({ path: "/api/v1/" }) },
  { name: "path: empty", request: echo({ path: "" }) },
  { name: "path: empty segments kept", request: echo({ path: "/a//b/" }) },
  {
    name: "path: UTF-8 escapes and a literal plus",
    request: echo({ path: "/caf%C3%A9/a+b/%E2%82%AC" }),
  },
  { name: "path: cut at first ?", request: echo({ path: "/a?b=/c?d" }) },
  { name: "query: repeated keys and empty values", request: echo({ path: "/q?a=1&a=2&b=&c" }) },
  {
    name: "query: plus is space, escapes decoded",
    request: echo({ path: "/q?q=a+b%20c&%41=%42" }),
  },
  { name: "query: empty pairs and empty key", request: echo({ path: "/q?&&=x&y==z" }) },
  {
    name: "body: JSON object",
    request: json('{"name":"t","n":1,"nested":{"list":[1,2,{"x":null}]}}'),
  },
  {
    name: "body: JSON big numbers keep precision",
    request: json('{"id":12345678901234567890,"f":1.5e300,"neg":-9007199254740993,"z":-0}'),
  },
  { name: "body: JSON scalar", request: json("42") },
  { name: "body: JSON empty body is null", request: json("") },
  {
    name: "body: JSON in raw_body",
    request: echo({
      method: "POST",
      rawBody: Buffer.from('{"raw":true}').toString("base64"),
      headers: { "content-type": "application/json; charset=utf-8" },
    }),
  },
  {
    name: "body: content-length larger is truncated",
    request: json('{"a":1}', { "content-length": "100" }),
  },
  {
    name: "body: content-length equal is complete",
    request: json('{"a":1}', { "content-length": "7" }),
  },
  {
    name: "body: content-length -1 is unknown",
    request: json('{"a":1}', { "content-length": "-1" }),
  },
  {
    name: "body: x-envoy-auth-partial-body",
    request: json('{"a":', { "x-envoy-auth-partial-body": "true" }),
  },
  {
    name: "body: form urlencoded",
    request: echo({
      method: "POST",
      body: "a=1&a=2&b=x+y&c=%2F",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
  },
  {
    name: "body: multipart with JSON, file and unnamed parts",
    request: echo({
      method: "POST",
      body: MULTIPART,
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    }),
  },
  {
    // Every part is bytes read as UTF-8 (Go's string(content)): a charset parameter, a filename
    // or application/octet-stream change nothing, and neither do binary bytes in raw_body
    // (Envoy's pack_as_bytes).
    name: "body: multipart parts in raw_body are their bytes, whatever their charset or type",
    request: echo({
      method: "POST",
      rawBody: Buffer.concat([
        Buffer.from(
          [
            "--XyZ",
            'Content-Disposition: form-data; name="latin"',
            "Content-Type: text/plain; charset=latin1",
            "",
            "café",
            "--XyZ",
            'Content-Disposition: form-data; name="octets"',
            "Content-Type: application/octet-stream",
            "",
            "",
          ].join("\r\n"),
        ),
        Buffer.from([0x00, 0x7f, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff, 0xe2, 0x82, 0x41]),
        Buffer.from('\r\n--XyZ\r\nContent-Disposition: form-data; name="j"; filename="j.json"\r\n'),
        Buffer.from('Content-Type: application/json\r\n\r\n{"x": "\u00e9"}\r\n--XyZ--\r\n'),
      ]).toString("base64"),
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    }),
  },
  ...[
    "application/grpc",
    "application/grpc+proto",
    "application/grpc; x=application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; application/grpc",
    "multipart/form-data; boundary=XyZ; application/grpc",
  ].map((type) => ({
    name: `body: content type ${type} is not parsed (gRPC is checked before form and multipart)`,
    request: echo({ method: "POST", body: MULTIPART, headers: { "content-type": type } }),
  })),
  {
    name: "body: application/json with application/grpc is JSON (JSON is checked first)",
    request: json('{"a":1}', { "content-type": "application/json; application/grpc" }),
  },
  {
    name: "body: multipart without boundary is null",
    request: echo({
      method: "POST",
      body: "x",
      headers: { "content-type": "multipart/form-data" },
    }),
  },
  {
    name: "body: other content types are null",
    request: echo({ method: "POST", body: "<a/>", headers: { "content-type": "text/xml" } }),
  },
  {
    name: "body: content-type match is case-sensitive",
    request: echo({ method: "POST", body: "{}", headers: { "content-type": "Application/JSON" } }),
  },
  { name: "body: no content-type is null", request: echo({ method: "POST", body: "{}" }) },
  {
    name: "attributes: SPIFFE principal, addresses, metadata, extensions, time, int64, enum, bytes",
    request: {
      attributes: {
        source: {
          address: { socketAddress: { address: "10.1.2.3", portValue: 51000 } },
          principal: "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
          labels: { app: "planner" },
          certificate: "-----BEGIN%20CERTIFICATE-----",
        },
        destination: {
          address: { socketAddress: { address: "10.9.9.9", portValue: 8443, protocol: "UDP" } },
          principal: "",
        },
        contextExtensions: { region: "eu-west-1", tier: "gold" },
        metadataContext: {
          filterMetadata: {
            "envoy.filters.http.jwt_authn": {
              payload: { sub: "alice", n: 3, f: 0.25, ok: true, none: null, list: [1, "x"] },
            },
          },
          typedFilterMetadata: {
            "x.any": {
              typeUrl: "type.googleapis.com/google.protobuf.Duration",
              value: Buffer.from([8, 1]).toString("base64"),
            },
          },
        },
        routeMetadataContext: { filterMetadata: { route: { name: "tickets" } } },
        tlsSession: { sni: "openclaw.internal" },
        request: {
          time: "2026-11-21T10:00:00.123456789Z",
          http: {
            id: "13359530607844510314",
            method: "PUT",
            path: "/api/v1/tenants/acme/tickets/7?x=1",
            host: "openclaw",
            scheme: "https",
            protocol: "HTTP/2",
            size: "9007199254740993",
            headers: { "x-case": "echo", ":authority": "openclaw" },
            headerMap: {
              headers: [{ key: "x-raw", rawValue: Buffer.from("v1").toString("base64") }],
            },
            rawBody: Buffer.from([0, 1, 2, 250]).toString("base64"),
          },
        },
      },
    },
  },
  {
    name: "attributes: source principal absent when empty",
    request: {
      attributes: {
        source: { principal: "" },
        request: { http: { path: "/x", headers: { "x-case": "echo" } } },
      },
    },
  },
];

/** Requests the peer cannot parse: PERMISSION_DENIED with HTTP 400, the policy never runs. */
export const PARSE_ERROR_CASES: ConformanceCase[] = [
  { name: "path: bad percent escape", request: echo({ path: "/a%zzb" }) },
  { name: "path: truncated percent escape", request: echo({ path: "/a%4" }) },
  { name: "query: semicolon separator", request: echo({ path: "/q?a=1;b=2" }) },
  { name: "query: bad percent escape", request: echo({ path: "/q?a=%GG" }) },
  { name: "body: invalid JSON", request: json('{"a":') },
  { name: "body: JSON with trailing data", request: json('{"a":1} x') },
  {
    name: "body: unparsable content-length",
    request: json('{"a":1}', { "content-length": "ten" }),
  },
  {
    name: "body: form with bad escape",
    request: echo({
      method: "POST",
      body: "a=%zz",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
  },
  {
    name: "body: multipart without closing boundary",
    request: echo({
      method: "POST",
      body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    }),
  },
  {
    name: "body: multipart boundary parameter without value",
    request: echo({
      method: "POST",
      body: "--b--",
      headers: { "content-type": "multipart/form-data; boundary" },
    }),
  },
  {
    name: "body: multipart media type with junk before it",
    request: echo({
      method: "POST",
      body: "--b--",
      headers: { "content-type": "x multipart/form-data; boundary=b" },
    }),
  },
  {
    name: "body: multipart JSON part invalid",
    request: echo({
      method: "POST",
      body: MULTIPART.replace('"ok": true', '"ok": '),
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    }),
  },
];
