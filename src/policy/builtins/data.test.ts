import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { dataBuiltins } from "./data.js";
import { setOf } from "./data-value.js";
import { BUILTINS, hostBuiltins } from "./index.js";

const context = createContextSource({ nowNs: () => 0n, print: () => {} }).current;
/**
 * Calls a builtin as the wrapper does: a thrown error is an undefined result. The result is
 * written as `opa eval -f json` writes it: a set as the array of its members.
 */
function call(name: string, args: unknown[]): unknown {
  const builtin = dataBuiltins[name];
  if (!builtin) throw new Error(`no builtin ${name}`);
  try {
    const result = builtin(context, ...args);
    return typeof result === "object" && result !== null
      ? JSON.parse(JSON.stringify(result))
      : result;
  } catch {
    return "<undefined>";
  }
}

// Each expected value is what `.tools/bin/opa eval -f json '<name>(<args>)'` (OPA v1.19.1,
// topdown) prints for the arguments on its row; "<undefined>" where topdown raises an error.
const CASES: Record<string, Array<[unknown[], unknown]>> = {
  // opa eval -f json 'object.subset({"a": {"b": [1, 2, 3]}, "c": 1}, {"a": {"b": [2, 3]}})'
  "object.subset": [
    [[{ a: { b: [1, 2, 3] }, c: 1 }, { a: { b: [2, 3] } }], true],
    [
      [
        [1, 2, 3],
        [1, 3],
      ],
      false,
    ],
  ],
  // opa eval -f json 'json.patch({"a": {"b": [1, 2]}}, [{"op": "add", "path": "/a/b/-", "value": 3}, {"op": "replace", "path": "/a/b/0", "value": "x"}, {"op": "move", "from": "/a/b/1", "path": "/z"}, {"op": "copy", "from": "/z", "path": "/a/d"}, {"op": "remove", "path": "/a/b/0"}, {"op": "test", "path": ["a", "d"], "value": 2}, {"op": "add", "path": "/a/b/0", "value": {"n": null}}])'
  "json.patch": [
    [
      [
        { a: { b: [1, 2] } },
        [
          { op: "add", path: "/a/b/-", value: 3 },
          { op: "replace", path: "/a/b/0", value: "x" },
          { op: "move", from: "/a/b/1", path: "/z" },
          { op: "copy", from: "/z", path: "/a/d" },
          { op: "remove", path: "/a/b/0" },
          { op: "test", path: ["a", "d"], value: 2 },
          { op: "add", path: "/a/b/0", value: { n: null } },
        ],
      ],
      { a: { b: [{ n: null }, 3], d: 2 }, z: 2 },
    ],
    [[{ a: 1 }, [{ op: "test", path: "/a", value: 2 }]], "<undefined>"],
    // opa eval -f json 'json.patch({"foo": "bar"}, [{"op": "replace", "path": "", "value": {"baz": "qux"}}])'
    [[{ foo: "bar" }, [{ op: "replace", path: "", value: { baz: "qux" } }]], { baz: "qux" }],
    [
      [
        { a: 1 },
        [
          { op: "remove", path: "" },
          { op: "add", path: "", value: 3 },
        ],
      ],
      3,
    ],
    // edittree's toIndex: a sign is taken, a leading zero is not, nor a negative index.
    [
      [
        { a: [1, 2] },
        [
          { op: "add", path: "/a/+1", value: 3 },
          { op: "remove", path: "/a/-0" },
        ],
      ],
      { a: [3, 2] },
    ],
    [[{ a: [1, 2] }, [{ op: "add", path: "/a/01", value: 3 }]], "<undefined>"],
    [[{ a: [1, 2] }, [{ op: "add", path: "/a/-1", value: 3 }]], "<undefined>"],
    [[{ a: [1, [2]] }, [{ op: "add", path: ["a", 1, 0], value: 3 }]], { a: [1, [3, 2]] }],
    [[{ a: [1, 2] }, [{ op: "copy", from: "//a/0", path: "///b" }]], { a: [1, 2], b: 1 }],
    [[{ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/c" }]], "<undefined>"],
    [[{ a: 1 }, [{ path: "/a", value: 2 }]], "<undefined>"],
    [[{ a: [1] }, [{ op: "test", path: "/a/-", value: 1 }]], "<undefined>"],
  ],
  // opa eval -f json 'json.is_valid(x)' with x from data (a non-string is false, not an error)
  "json.is_valid": [
    [[1], false],
    [[null], false],
    [['{"a": [1, 2.5e3]}'], true],
    [["[1,]"], false],
    [[""], false],
  ],
  // opa eval -f json 'json.marshal_with_options({"b": [1, {"<": "&"}], "a": {}}, {"prefix": "--", "indent": "  "})'
  "json.marshal_with_options": [
    [
      [
        { b: [1, { "<": "&" }], a: {} },
        { prefix: "--", indent: "  " },
      ],
      '--{\n--  "a": {},\n--  "b": [\n--    1,\n--    {\n--      "\\u003c": "\\u0026"\n--    }\n--  ]\n--}',
    ],
    [
      [
        { b: [], a: "é\n" },
        { pretty: false, indent: "x" },
      ],
      '{"a":"é\\n","b":[]}',
    ],
  ],
  // opa eval -f json 'json.verify_schema({"type": "object"})'
  "json.verify_schema": [
    [[{ type: "object" }], [true, null]],
    [["{not json"], [false, "jsonschema: invalid JSON string"]],
  ],
  // opa eval -f json 'json.match_schema({"a": 5, "b": "xyz"}, {"properties": {"a": {"type": "string"}, "b": {"maxLength": 2}}, "required": ["c"]})'
  "json.match_schema": [
    [
      [
        { a: 5, b: "xyz" },
        { properties: { a: { type: "string" }, b: { maxLength: 2 } }, required: ["c"] },
      ],
      [
        false,
        [
          {
            desc: "c is required",
            error: "(Root): c is required",
            field: "(Root)",
            type: "required",
          },
          {
            desc: "Invalid type. Expected: string, given: integer",
            error: "a: Invalid type. Expected: string, given: integer",
            field: "a",
            type: "invalid_type",
          },
          {
            desc: "String length must be less than or equal to 2",
            error: "b: String length must be less than or equal to 2",
            field: "b",
            type: "string_lte",
          },
        ],
      ],
    ],
    [
      ["[1, 2]", '{"type": "array", "items": {"type": "integer"}}'],
      [true, []],
    ],
  ],
  // opa eval -f json 'urlquery.encode("a b&c=d/é~")'
  "urlquery.encode": [[["a b&c=d/é~"], "a+b%26c%3Dd%2F%C3%A9~"]],
  // opa eval -f json 'urlquery.decode("a+b%26c%3Dd")'
  "urlquery.decode": [
    [["a+b%26c%3Dd"], "a b&c=d"],
    [["%zz"], "<undefined>"],
  ],
  // opa eval -f json 'urlquery.encode_object({"b": ["2", "1"], "a": "x y", "c": []})'
  "urlquery.encode_object": [[[{ b: ["2", "1"], a: "x y", c: [] }], "a=x+y&b=2&b=1"]],
  // opa eval -f json 'urlquery.decode_object("a=1&a=2&b=%20&c")'
  "urlquery.decode_object": [
    [["a=1&a=2&b=%20&c"], { a: ["1", "2"], b: [" "], c: [""] }],
    [["a=1;b=2"], "<undefined>"],
  ],
  // opa eval -f json 'uri.parse("https://user:p@Example.com:8443/a%2Fb/c?x=1&y=2#frag%20x")'
  "uri.parse": [
    [
      ["https://user:p@Example.com:8443/a%2Fb/c?x=1&y=2#frag%20x"],
      {
        fragment: "frag x",
        hostname: "Example.com",
        path: "/a/b/c",
        port: "8443",
        raw_path: "/a%2Fb/c",
        raw_query: "x=1&y=2",
        scheme: "https",
      },
    ],
    [
      ["//[fe80::1%25en0]:80/p"],
      { hostname: "fe80::1%en0", path: "/p", port: "80", raw_path: "/p" },
    ],
    [["mailto:joe@x.com"], { scheme: "mailto" }],
  ],
  // opa eval -f json 'uri.is_valid("http://a b")'
  "uri.is_valid": [
    [["http://a b"], false],
    [["http://a:b:80"], true],
    [[""], false],
    [["http://[1.2.3.4]/"], false],
  ],
  // opa eval -f json 'net.cidr_is_valid("10.0.0.0/33")'
  "net.cidr_is_valid": [
    [["10.0.0.0/33"], false],
    [["2001:db8::/64"], true],
    [["010.0.0.0/8"], false],
  ],
  // opa eval -f json 'net.cidr_expand("::ffff:10.0.0.0/126")'
  "net.cidr_expand": [
    [["::ffff:10.0.0.0/126"], ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]],
    [["2001:db8::/127"], ["2001:db8::", "2001:db8::1"]],
    [["192.168.1.254/31"], ["192.168.1.254", "192.168.1.255"]],
  ],
  // opa eval -f json 'net.cidr_merge(["1.2.3.4", "130.1.1.1", "200.1.1.1"])'
  "net.cidr_merge": [
    [[["1.2.3.4", "130.1.1.1", "200.1.1.1"]], ["1.2.3.4/8", "130.1.1.1/16", "200.1.1.1/24"]],
    [
      [["10.0.0.0/24", "10.0.1.0/24", "2001:db8::/33", "2001:db8:8000::/33", "10.0.2.0/25"]],
      ["10.0.0.0/23", "10.0.2.0/25", "2001:db8::/32"],
    ],
    [
      [["10.0.0.0/24", "10.0.1.0/25", "10.0.1.128/26"]],
      ["10.0.0.0/24", "10.0.1.0/25", "10.0.1.128/26"],
    ],
    [[["2001:db8::1"]], "<undefined>"],
  ],
  // opa eval -f json 'net.cidr_contains_matches({"a": ["10.0.0.0/8", "x"], "b": "192.168.0.0/16"}, ["10.1.1.1", "192.168.1.1", ["10.2.2.2"]])'
  "net.cidr_contains_matches": [
    [
      [{ a: ["10.0.0.0/8", "x"], b: "192.168.0.0/16" }, ["10.1.1.1", "192.168.1.1", ["10.2.2.2"]]],
      [
        ["a", 0],
        ["a", 2],
        ["b", 1],
      ],
    ],
    [["10.0.0.0/8", "10.1.0.0/16"], [["10.0.0.0/8", "10.1.0.0/16"]]],
  ],
  // opa eval -f json 'graph.reachable_paths({"a": ["b", "c"], "b": ["c", "a"], "c": [], "d": ["x"]}, ["a", "d"])'
  "graph.reachable_paths": [
    [
      [{ a: ["b", "c"], b: ["c", "a"], c: [], d: ["x"] }, ["a", "d"]],
      [["a", "b"], ["a", "b", "c"], ["a", "c"], ["d"]],
    ],
  ],
  // opa eval -f json 'providers.aws.sign_req({"method": "GET", "url": "https://examplebucket.s3.amazonaws.com/test.txt?x=1", "headers": {"Range": "bytes=0-9"}}, {"aws_access_key": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_service": "s3", "aws_region": "us-east-1"}, 1369353600000000000)'
  "providers.aws.sign_req": [
    [
      [
        {
          method: "GET",
          url: "https://examplebucket.s3.amazonaws.com/test.txt?x=1",
          headers: { Range: "bytes=0-9" },
        },
        {
          aws_access_key: "AKIAIOSFODNN7EXAMPLE",
          aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          aws_service: "s3",
          aws_region: "us-east-1",
        },
        1369353600000000000,
      ],
      {
        headers: {
          Authorization:
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=c73544c579eb7d515f69f7ea8854bf5342085a1f694cbb65ee9f32f8eaec0b40",
          Range: "bytes=0-9",
          host: "examplebucket.s3.amazonaws.com",
          "x-amz-content-sha256":
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "x-amz-date": "20130524T000000Z",
        },
        method: "GET",
        url: "https://examplebucket.s3.amazonaws.com/test.txt?x=1",
      },
    ],
    [
      [
        { method: "POST", url: "https://sts.amazonaws.com/a%20b/", body: { b: 1, a: "<" } },
        {
          aws_access_key: "AK",
          aws_secret_access_key: "SK",
          aws_service: "sts",
          aws_region: "eu-west-1",
          aws_session_token: "TOK",
        },
        1700000000123456800, // ns; the double nearest 1700000000123456789
      ],
      {
        body: { a: "<", b: 1 },
        headers: {
          Authorization:
            "AWS4-HMAC-SHA256 Credential=AK/20231114/eu-west-1/sts/aws4_request,SignedHeaders=host;x-amz-date;x-amz-security-token,Signature=87c81379ed340cc6a6b7c3f685aad00ef44370ebe95f170572fa05202a0ee441",
          host: "sts.amazonaws.com",
          "x-amz-date": "20231114T221320Z",
          "x-amz-security-token": "TOK",
        },
        method: "POST",
        url: "https://sts.amazonaws.com/a%20b/",
      },
    ],
    // OPA's corpus, providers-aws-sign_req/success-simple-body: its body {"example": {1, 2, 3, 4}}
    // holds a set, signed as its JSON (an array) and given back as the set (printed here as its
    // members); the signature is the corpus's.
    [
      [
        { method: "get", url: "http://example.com", body: { example: setOf([4, 3, 2, 1]) } },
        {
          aws_access_key: "MYAWSACCESSKEYGOESHERE",
          aws_secret_access_key: "MYAWSSECRETACCESSKEYGOESHERE",
          aws_service: "s3",
          aws_region: "us-east-1",
        },
        1451311705000000000,
      ],
      {
        body: { example: [1, 2, 3, 4] },
        headers: {
          Authorization:
            "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=5fb06ab1cfd74c8fcb3af95b8cce696708cf6155d971dac10f254d79799c6e88",
          host: "example.com",
          "x-amz-content-sha256":
            "bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07",
          "x-amz-date": "20151228T140825Z",
        },
        method: "get",
        url: "http://example.com",
      },
    ],
    // ...-with-existing-sha-header-with-body-no-payload-signing: the header is replaced.
    [
      [
        {
          method: "get",
          url: "https://example.com",
          headers: { foo: "bar", "x-amz-content-sha256": "existing-value" },
          body: { example: setOf([1, 2, 3, 4]) },
        },
        {
          aws_access_key: "MYAWSACCESSKEYGOESHERE",
          aws_secret_access_key: "MYAWSSECRETACCESSKEYGOESHERE",
          aws_service: "s3",
          aws_region: "us-east-1",
          disable_payload_signing: true,
        },
        1451311705000000000,
      ],
      {
        body: { example: [1, 2, 3, 4] },
        headers: {
          Authorization:
            "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=edcd3ca3fd3acdfbcecad1a1d8062dbc6562d90352e294c336f9727397f9c383",
          foo: "bar",
          host: "example.com",
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
          "x-amz-date": "20151228T140825Z",
        },
        method: "get",
        url: "https://example.com",
      },
    ],
  ],
};

describe("data builtins agree with topdown", () => {
  for (const [name, rows] of Object.entries(CASES))
    it.each(rows)(`${name} %j`, (args, expected) => {
      expect(call(name, args)).toEqual(expected);
    });
});

describe("sets, as the builtins that take them receive them", () => {
  // Each expectation is what `opa eval -f json` prints for the Rego on its line.
  it("object.subset tells a set from an array", () => {
    // object.subset({1, 2, 3}, {3, 1}): true; object.subset([1, 2, 3], [1, 3]): false
    expect(call("object.subset", [setOf([1, 2, 3]), setOf([3, 1])])).toBe(true);
    expect(call("object.subset", [[1, 2, 3], setOf([3, 1])])).toBe(true);
    // object.subset({"a": {1, 2}}, {"a": {2}}): true; object.subset({1}, [1]): undefined
    expect(call("object.subset", [{ a: setOf([1, 2]) }, { a: setOf([2]) }])).toBe(true);
    expect(call("object.subset", [setOf([1]), [1]])).toBe("<undefined>");
    // object.subset({"a": {1, 2}}, {"a": {3}}): false
    expect(call("object.subset", [{ a: setOf([1, 2]) }, { a: setOf([3]) }])).toBe(false);
  });

  it("net.cidr_contains_matches keys a set's match by its member, an array's by its index", () => {
    // net.cidr_contains_matches("10.0.0.0/8", {"10.1.1.1"}): [["10.0.0.0/8", "10.1.1.1"]]
    expect(call("net.cidr_contains_matches", ["10.0.0.0/8", setOf(["10.1.1.1"])])).toEqual([
      ["10.0.0.0/8", "10.1.1.1"],
    ]);
    expect(call("net.cidr_contains_matches", ["10.0.0.0/8", ["10.1.1.1"]])).toEqual([
      ["10.0.0.0/8", 0],
    ]);
  });

  it("json.patch edits a set: a member is its own key", () => {
    // json.patch({"a": {1, 2}}, [{"op": "add", "path": ["a", 3], "value": 3}, {"op": "remove", "path": ["a", 1]}])
    const patched = call("json.patch", [
      { a: setOf([1, 2]) },
      [
        { op: "add", path: ["a", 3], value: 3 },
        { op: "remove", path: ["a", 1] },
      ],
    ]);
    expect(patched).toEqual({ a: [2, 3] });
    // json.patch({"a": {1}}, [{"op": "add", "path": ["a", 2], "value": 3}]): undefined
    expect(call("json.patch", [{ a: setOf([1]) }, [{ op: "add", path: ["a", 2], value: 3 }]])).toBe(
      "<undefined>",
    );
    // json.patch({"s": {1}}, [{"op": "add", "path": "/s/1", "value": 1}]): undefined (the key is "1")
    expect(call("json.patch", [{ s: setOf([1]) }, [{ op: "add", path: "/s/1", value: 1 }]])).toBe(
      "<undefined>",
    );
    // json.patch({"s": {1}}, [{"op": "add", "path": ["s", 1], "value": 1}]): {"s": [1]} (a member already there stays)
    expect(
      call("json.patch", [{ s: setOf([1]) }, [{ op: "add", path: ["s", 1], value: 1 }]]),
    ).toEqual({ s: [1] });
    // json.patch({"s": {1, 2}}, [{"op": "remove", "path": ["s", 3]}]): undefined
    expect(call("json.patch", [{ s: setOf([1, 2]) }, [{ op: "remove", path: ["s", 3] }]])).toBe(
      "<undefined>",
    );
    // json.patch({"s": {"b", "a"}}, [{"op": "move", "from": ["s", "a"], "path": ["t"]}]): {"s": ["b"], "t": "a"}
    expect(
      call("json.patch", [
        { s: setOf(["b", "a"]) },
        [{ op: "move", from: ["s", "a"], path: ["t"] }],
      ]),
    ).toEqual({ s: ["b"], t: "a" });
    // json.patch({"a": 1}, [{"op": "remove", "path": {"a"}}]): undefined (a path is no set)
    expect(call("json.patch", [{ a: 1 }, [{ op: "remove", path: setOf(["a"]) }]])).toBe(
      "<undefined>",
    );
  });

  it("json.patch edits inside a set's member: the set is settled as edittree renders it", () => {
    // json.patch({"s": {{1}}}, [{"op": "add", "path": ["s", {1}, 2], "value": 2}]): {"s": [[1, 2]]}
    expect(
      call("json.patch", [
        { s: setOf([setOf([1])]) },
        [{ op: "add", path: ["s", setOf([1]), 2], value: 2 }],
      ]),
    ).toEqual({ s: [[1, 2]] });
    // json.patch({"s": {[1], [2]}}, [{"op": "add", "path": ["s", [1], 0], "value": 2}, {"op": "remove", "path": ["s", [2, 1], 1]}]): {"s": [[2]]}
    const [grown, shrunk] = [
      { op: "add", path: ["s", [1], 0], value: 2 },
      { op: "remove", path: ["s", [2, 1], 1] },
    ];
    expect(call("json.patch", [{ s: setOf([[1], [2]]) }, [grown, shrunk]])).toEqual({ s: [[2]] });
    // json.patch({"s": {[1], [2]}}, [{"op": "replace", "path": ["s", [1], 0], "value": 2}]): undefined
    // (remove leaves the member [], so [1] is gone when the value is added)
    expect(
      call("json.patch", [
        { s: setOf([[1], [2]]) },
        [{ op: "replace", path: ["s", [1], 0], value: 2 }],
      ]),
    ).toBe("<undefined>");
  });
});

describe("where this sidecar differs from topdown (docs in data.ts)", () => {
  it("net.cidr_expand refuses a block larger than its bound instead of running on", () => {
    expect(call("net.cidr_expand", ["10.0.0.0/16"])).toHaveLength(65_536);
    expect(call("net.cidr_expand", ["10.0.0.0/15"])).toBe("<undefined>");
  });

  it("json.patch removing the whole document is undefined (topdown renders a nil term)", () => {
    // edittree leaves no node; `opa eval` then panics, so there is no value to compare with.
    expect(call("json.patch", [{ a: 1 }, [{ op: "remove", path: "" }]])).toBe("<undefined>");
  });

  it("opa.runtime() is this sidecar's documented object, with no environment", () => {
    expect(call("opa.runtime", [])).toEqual({
      env: {},
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      commit: "",
    });
  });

  it("every builtin the opa-wasm SDK carries has one of ours (the threads use ours only)", () => {
    // A module built for the SDK may call any of them; our host glue (wasm-policy.ts) offers
    // only BUILTINS.
    const require = createRequire(import.meta.url);
    const entry = require.resolve("@open-policy-agent/opa-wasm");
    const sdk = require(join(dirname(entry), "builtins/index.js")) as Record<string, unknown>;
    expect(Object.keys(sdk).filter((name) => !(name in BUILTINS))).toEqual([]);
  });

  it("an error is an undefined result through the table opa-wasm calls", () => {
    const table = hostBuiltins(createContextSource({ nowNs: () => 0n, print: () => {} }));
    expect(table["urlquery.decode"]?.("%zz")).toBeUndefined();
    expect(table["urlquery.decode"]?.("a%20b")).toBe("a b");
  });
});
