import { LosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { stringifyJson } from "../input/index.js";
import { createMasker, DEFAULT_ERASE, MASKED, type MaskRules } from "./masking.js";

type Json = Record<string, unknown>;
const V = "s3cr3t-VALUE/+=";
const HTTP = "/input/attributes/request/http";

function mask(input: Json, rules: Partial<MaskRules> = {}, result?: unknown) {
  const masker = createMasker({ erase: DEFAULT_ERASE, mask: [], ...rules });
  const event: Json = { input, ...(result === undefined ? {} : { result }) };
  const { erased, masked } = masker.apply(event);
  return {
    event,
    erased,
    masked,
    get text() {
      return stringifyJson(event);
    },
  };
}

const request = (http: Json, extra: Json = {}): Json => ({
  attributes: { request: { http: { method: "POST", path: "/p", ...http } } },
  ...extra,
});

/** Every spelling a header or field name arrives in. */
const spellings = (name: string) => [
  name,
  name.toUpperCase(),
  name.replace(/(^|[-_])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase()),
  name.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase()),
  name.replaceAll("-", "_"),
];

const HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-csrf-token",
  "x-xsrf-token",
  "x-amz-security-token",
  "x-goog-api-key",
  "x-goog-iap-jwt-assertion",
  "cf-access-jwt-assertion",
  "x-forwarded-client-cert",
  "x-amzn-oidc-data",
  "x-amzn-oidc-accesstoken",
  "x-amzn-oidc-identity",
  "x-hub-signature-256",
];

const FIELDS = [
  "access_token",
  "id_token",
  "refresh_token",
  "token",
  "api_key",
  "apikey",
  "password",
  "passwd",
  "new_password",
  "passphrase",
  "secret",
  "client_secret",
  "private_key",
  "credentials",
  "client_assertion",
  "code_verifier",
  "session_id",
  "jsessionid",
  "authorization",
];

/** Credentials in a query string, ordinary words in a body. */
const QUERY_ONLY = ["key", "code", "sig", "auth", "ticket", "jwt"];

const NOT_SECRET = ["max_tokens", "token_type", "user", "public_key", "x-request-id", "accept"];

describe("default masking: every secret name, every position, every spelling", () => {
  const headerCases = HEADERS.flatMap((name) => spellings(name).map((n) => [n] as const));
  it.each(headerCases)("header %s is erased, in the headers map and in header_map", (name) => {
    const { event, erased, text } = mask(
      request({
        headers: { [name]: V, accept: "*/*" },
        headerMap: { headers: [{ key: name, rawValue: Buffer.from(V).toString("base64") }] },
      }),
    );
    expect(text).not.toContain(V);
    expect(text).not.toContain(Buffer.from(V).toString("base64"));
    const http = (event.input as Json).attributes as { request: { http: Json } };
    expect(http.request.http.headers).toEqual({ accept: "*/*" });
    expect(http.request.http.headerMap).toEqual({ headers: [{ key: name }] });
    expect(erased).toEqual(
      expect.arrayContaining([`${HTTP}/headers/${name}`, `${HTTP}/headerMap/headers/0/rawValue`]),
    );
  });

  const fieldCases = [...FIELDS, ...QUERY_ONLY].flatMap((name) =>
    spellings(name).map((n) => [n] as const),
  );
  it.each(fieldCases)(
    "query parameter %s: masked in the path, query, :path and parsed_query, the rest kept",
    (name) => {
      const raw = `${encodeURIComponent(name)}=${encodeURIComponent(V)}`;
      const { event, erased, masked, text } = mask(
        request(
          {
            path: `/a/b?x=1&${raw}&y=2`,
            query: `${raw}&z=3`,
            headers: { ":path": `/a/b?${raw}`, referer: `https://app.test/cb?${raw}#${raw}` },
          },
          { parsed_query: { [name]: [V], x: ["1"] } },
        ),
      );
      expect(text).not.toContain(encodeURIComponent(V));
      expect(text).not.toContain(V);
      const http = ((event.input as Json).attributes as { request: { http: Json } }).request.http;
      const kept = `${encodeURIComponent(name)}=${MASKED}`;
      expect(http.path).toBe(`/a/b?x=1&${kept}&y=2`);
      expect(http.query).toBe(`${kept}&z=3`);
      expect(http.headers).toEqual({
        ":path": `/a/b?${kept}`,
        referer: `https://app.test/cb?${kept}#${kept}`,
      });
      expect((event.input as Json).parsed_query).toEqual({ [name]: [MASKED], x: ["1"] });
      expect(masked).toEqual(
        expect.arrayContaining([`${HTTP}/path`, `${HTTP}/query`, `/input/parsed_query/${name}`]),
      );
      expect(erased).toEqual([]);
    },
  );

  const bodyCases = FIELDS.flatMap((name) => spellings(name).map((n) => [n] as const));
  it.each(bodyCases)(
    "body field %s: masked at any depth in JSON, form and multipart bodies",
    (name) => {
      for (const [type, body] of [
        ["application/json", { data: { list: [{ [name]: V, keep: "k" }] } }],
        ["application/x-www-form-urlencoded", { [name]: [V], keep: ["k"] }],
        [
          "multipart/form-data; boundary=b",
          { [name]: [V], meta: [{ deep: { [name]: V } }], keep: ["k"] },
        ],
      ] as const) {
        const { text, masked } = mask(
          request({ headers: { "content-type": type } }, { parsed_body: body }),
        );
        expect(text, type).not.toContain(V);
        expect(text, type).toContain('"k"');
        expect(masked.length, type).toBeGreaterThan(0);
        expect(
          masked.every((p) => p.startsWith("/input/parsed_body/")),
          type,
        ).toBe(true);
      }
    },
  );

  it.each(QUERY_ONLY)("%s is masked in a form body but stays in a JSON body", (name) => {
    const form = mask(
      request(
        { headers: { "content-type": "application/x-www-form-urlencoded" } },
        { parsed_body: { [name]: [V] } },
      ),
    );
    expect(form.text).not.toContain(V);
    const json = mask(
      request({ headers: { "content-type": "application/json" } }, { parsed_body: { [name]: V } }),
    );
    expect(json.erased).toEqual([]);
    expect(json.text).toContain(V);
  });

  it("masks a secret tool argument in input.mcp as in parsed_body, the shared objects untouched", () => {
    const args = { api_key: V, query: "kept" };
    const call = { method: "tools/call", id: 1, params: { name: "t", arguments: args } };
    const mcp = { source: "body", batch: false, requests: [call], ...call };
    const { masked, text } = mask(
      request({ headers: { "content-type": "application/json" } }, { parsed_body: call, mcp }),
    );
    expect(text).not.toContain(V);
    expect(masked).toEqual(
      expect.arrayContaining([
        "/input/parsed_body/params/arguments/api_key",
        "/input/mcp/params/arguments/api_key",
        "/input/mcp/requests/0/params/arguments/api_key",
      ]),
    );
    expect(args).toEqual({ api_key: V, query: "kept" });
  });

  it("leaves the input's verified identity as the policy saw it (replay evaluates it again)", () => {
    const identity = {
      authenticated: true,
      subject: "spiffe://td/ns/a/sa/b",
      methods: ["x509-svid", "jwt", "trusted-proxy"],
      spiffe: { id: "spiffe://td/ns/a/sa/b", trust_domain: "td", path: "/ns/a/sa/b" },
      jwt: {
        issuer: "https://idp/",
        subject: "alice",
        audience: ["openclaw"],
        expires_at: 1767225600,
        claims: { roles: ["viewer"], tenant: "acme", scope: "a b", sid: "s-1" },
      },
      proxy: { header: "x-amzn-oidc-data", claims: { email: "a@x" } },
    };
    const { event, erased } = mask({ identity });
    expect(erased).toEqual([]);
    expect((event.input as Json).identity).toBe(identity);
  });

  it.each(NOT_SECRET)("%s is not a secret name: its value stays", (name) => {
    const input = request(
      { path: `/p?${name}=v1`, headers: { [name]: "v2" } },
      { parsed_query: { [name]: ["v3"] }, parsed_body: { [name]: "v4" } },
    );
    const { event, erased } = mask(input);
    expect(erased).toEqual([]);
    expect(event.input).toBe(input);
  });
});

describe("masking", () => {
  it("names the masked places in masked (OPA's field), never the values, in RFC 6901 form", () => {
    const { erased, masked } = mask(request({}, { parsed_body: { "a/b~c": { password: V } } }));
    expect(masked).toEqual(["/input/parsed_body/a~1b~0c/password"]);
    expect(erased).toEqual([]);
  });

  it("masks `{name, value}` pairs by name (HAR headers, Kubernetes env), keeps others", () => {
    const { event, text } = mask(
      request(
        {},
        {
          parsed_body: {
            env: [
              { name: "DB_PASSWORD", value: V },
              { name: "LOG_LEVEL", value: "debug" },
            ],
            headers: [{ name: "Authorization", value: `Bearer ${V}` }],
          },
        },
      ),
    );
    expect(text).not.toContain(V);
    expect((event.input as { parsed_body: { env: unknown[] } }).parsed_body.env).toEqual([
      { name: "DB_PASSWORD", value: MASKED },
      { name: "LOG_LEVEL", value: "debug" },
    ]);
  });

  it("masks the query inside a header_map `:path` rawValue and keeps the rest", () => {
    const path = Buffer.from(`/p?access_token=${V}&page=2`).toString("base64");
    const { event } = mask(request({ headerMap: { headers: [{ key: ":path", rawValue: path }] } }));
    const [entry] = (
      (event.input as Json).attributes as {
        request: { http: { headerMap: { headers: Array<{ rawValue: string }> } } };
      }
    ).request.http.headerMap.headers;
    expect(Buffer.from(entry?.rawValue ?? "", "base64").toString()).toBe(
      `/p?access_token=${MASKED}&page=2`,
    );
  });

  it("masks whole values: objects, numbers, arrays element by element; leaves null, booleans, empty strings", () => {
    const { event } = mask(
      request(
        {},
        {
          parsed_body: {
            credentials: { user: "u", pass: V },
            pin_password: 1234,
            passwords: [V, ["x"], null],
            password: null,
            has_password: true,
            token: "",
          },
        },
      ),
    );
    expect((event.input as Json).parsed_body).toEqual({
      credentials: MASKED,
      pin_password: MASKED,
      passwords: [MASKED, MASKED, null],
      password: null,
      has_password: true,
      token: "",
    });
  });

  it("walks a 10 000-deep body without overflowing the stack", () => {
    let body: Json = { password: V };
    for (let i = 0; i < 10_000; i++) body = { a: [body] };
    const { event, masked } = mask(request({}, { parsed_body: body }), {});
    let node = (event.input as Json).parsed_body as Json;
    for (let i = 0; i < 10_000; i++) node = (node.a as Json[])[0] as Json;
    expect(node).toEqual({ password: MASKED });
    expect(masked).toHaveLength(1);
    expect(masked[0]).toMatch(/^\/input\/parsed_body(\/a\/0){10000}\/password$/);
  });

  it("keeps a __proto__ key an ordinary key, masked like any other", () => {
    const body = JSON.parse(`{"__proto__": {"password": "${V}"}, "x": 1}`) as Json;
    const { text } = mask(request({}, { parsed_body: body }));
    expect(text).not.toContain(V);
    expect(text).toContain(`"__proto__":{"password":"${MASKED}"}`);
  });

  it("keeps big numbers exact", () => {
    const { text } = mask(
      request({}, { parsed_body: { n: new LosslessNumber("12345678901234567890"), token: V } }),
    );
    expect(text).toContain('"n":12345678901234567890');
  });

  it("copies only the containers on the way to a change, and never the input it was given", () => {
    const untouched = { big: Array.from({ length: 100 }, (_, i) => ({ i })) };
    const input = request({ headers: { authorization: V } }, { parsed_body: untouched });
    const before = JSON.stringify(input);
    const { event } = mask(input);
    expect(JSON.stringify(input)).toBe(before);
    expect((event.input as Json).parsed_body).toBe(untouched);
  });

  it("applies the operator's erase and mask pointers, copy-on-write, before the names", () => {
    const input = request({}, { parsed_body: { ssn: "123-45", note: "n", password: V } });
    const before = JSON.stringify(input);
    const { event, erased, masked } = mask(input, {
      erase: ["/input/parsed_body/note", "/input/absent"],
      mask: ["/input/parsed_body/ssn", "/input/__proto__/toString"],
    });
    expect(JSON.stringify(input)).toBe(before);
    expect((event.input as Json).parsed_body).toEqual({ ssn: MASKED, password: MASKED });
    expect(erased).toEqual(["/input/parsed_body/note"]);
    expect(masked).toEqual(["/input/parsed_body/ssn", "/input/parsed_body/password"]);
  });

  it("masks the operator's extra names: exact, prefix and suffix patterns", () => {
    const { text } = mask(
      request(
        { headers: { "X-Tenant-Key": V, "x-corp-session": V } },
        { parsed_body: { card_pin: V, X_TENANT_KEY: V } },
      ),
      { secretNames: ["x-tenant-key", "x-corp-*", "*pin"] },
    );
    expect(text).not.toContain(V);
  });

  it("masks header values the policy sets in its result", () => {
    const result = {
      allowed: true,
      headers: { authorization: `Bearer ${V}`, "x-user": "alice" },
      response_headers_to_add: { "set-cookie": `s=${V}` },
      request_headers_to_remove: ["authorization"],
    };
    const { event, text } = mask(request({}), {}, result);
    expect(text).not.toContain(V);
    expect(event.result).toMatchObject({
      headers: { "x-user": "alice" },
      request_headers_to_remove: ["authorization"],
    });
  });
});
