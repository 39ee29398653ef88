import { LosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { BodyParseError, MAX_MULTIPART_PARTS, parseBody } from "./request-body.js";

const LIMITS = { maxDepth: 8, maxValues: 100, maxStringLength: 64 };
const source = (headers: Record<string, string>, body = "", rawBody = new Uint8Array()) => ({
  headers,
  body,
  rawBody,
  limits: LIMITS,
});
const JSON_TYPE = { "content-type": "application/json" };

describe("parseBody", () => {
  it.each([
    [
      "JSON",
      source(JSON_TYPE, '{"a":[1,true,null]}'),
      { parsedBody: { a: [1, true, null] }, truncated: false },
    ],
    [
      "JSON from raw_body",
      source(JSON_TYPE, "", Buffer.from('"x"')),
      { parsedBody: "x", truncated: false },
    ],
    ["empty JSON body", source(JSON_TYPE, ""), { parsedBody: null, truncated: false }],
    [
      "partial body header",
      source({ ...JSON_TYPE, "x-envoy-auth-partial-body": "true" }, "{"),
      { parsedBody: null, truncated: true },
    ],
    [
      "content-length past the body",
      source({ ...JSON_TYPE, "content-length": "3" }, "{}"),
      { parsedBody: null, truncated: true },
    ],
    [
      "content-length counts UTF-8 bytes",
      source({ ...JSON_TYPE, "content-length": "4" }, '"é"'),
      { parsedBody: "é", truncated: false },
    ],
    [
      "form",
      source({ "content-type": "application/x-www-form-urlencoded" }, "a=1&a=2&b=x+y"),
      { parsedBody: { a: ["1", "2"], b: ["x y"] }, truncated: false },
    ],
    [
      "unknown type",
      source({ "content-type": "text/plain" }, "hi"),
      { parsedBody: null, truncated: false },
    ],
    ["no content type", source({}, "{}"), { parsedBody: null, truncated: false }],
  ])("%s", async (_, input, expected) => {
    const result = await parseBody(input);
    expect({ ...result, parsedBody: JSON.parse(JSON.stringify(result.parsedBody)) }).toEqual(
      expected,
    );
  });

  it("keeps numbers a float64 cannot hold", async () => {
    const { parsedBody } = await parseBody(
      source(JSON_TYPE, '{"id":12345678901234567890,"z":-0,"one":1}'),
    );
    expect(parsedBody).toEqual({
      id: new LosslessNumber("12345678901234567890"),
      z: new LosslessNumber("-0"),
      one: 1,
    });
  });

  it("parses multipart parts by name, decoding JSON parts", async () => {
    const body = [
      "--b",
      'Content-Disposition: form-data; name="j"',
      "Content-Type: application/json",
      "",
      '{"x":1}',
      "--b",
      'Content-Disposition: form-data; name="t"; filename="f"',
      "",
      "file",
      "--b--",
      "",
    ].join("\r\n");
    const { parsedBody } = await parseBody(
      source({ "content-type": "multipart/form-data; boundary=b" }, body),
    );
    expect(parsedBody).toEqual({ j: [{ x: 1 }], t: ["file"] });
  });

  it(`reads ${MAX_MULTIPART_PARTS} parts and refuses one more`, async () => {
    const multipart = (parts: number) =>
      source(
        { "content-type": "multipart/form-data; boundary=b" },
        `${'--b\r\nContent-Disposition: form-data; name="p"\r\n\r\nx\r\n'.repeat(parts)}--b--\r\n`,
      );
    const { parsedBody } = await parseBody(multipart(MAX_MULTIPART_PARTS));
    expect((parsedBody as { p: string[] }).p).toHaveLength(MAX_MULTIPART_PARTS);
    await expect(parseBody(multipart(MAX_MULTIPART_PARTS + 1))).rejects.toThrow(
      new BodyParseError("multipart: too many parts"),
    );
  });

  it.each([
    ["invalid JSON", source(JSON_TYPE, "{")],
    ["100k-deep JSON", source(JSON_TYPE, "[".repeat(100_000) + "]".repeat(100_000))],
    ["duplicate keys", source(JSON_TYPE, '{"a":1,"a":2}')],
    ["bad content-length", source({ ...JSON_TYPE, "content-length": "1e3" }, "{}")],
    [
      "huge content-length",
      source({ ...JSON_TYPE, "content-length": "99999999999999999999" }, "{}"),
    ],
    ["bad form escape", source({ "content-type": "application/x-www-form-urlencoded" }, "a=%x")],
    [
      "unterminated multipart",
      source(
        { "content-type": "multipart/form-data; boundary=b" },
        '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
      ),
    ],
    [
      "malformed multipart content type",
      source({ "content-type": "multipart/form-data; boundary" }, "--b--"),
    ],
  ])("rejects %s", async (_, input) => {
    await expect(parseBody(input)).rejects.toBeInstanceOf(BodyParseError);
  });

  const multipartJson = (json: string) =>
    source(
      { "content-type": "multipart/form-data; boundary=b" },
      [
        "--b",
        'Content-Disposition: form-data; name="j"',
        "Content-Type: application/json",
        "",
        json,
        "--b--",
        "",
      ].join("\r\n"),
    );

  it.each([
    ["JSON", (json: string) => source(JSON_TYPE, json)],
    ["a multipart JSON part", multipartJson],
  ])("holds %s to the body limits", async (_, body) => {
    await expect(parseBody(body("[".repeat(8) + "]".repeat(8)))).resolves.toBeTruthy();
    for (const [json, message] of [
      ["[".repeat(9) + "]".repeat(9), "JSON nested deeper than 8"],
      [JSON.stringify(Array(101).fill(0)), "JSON has more than 100 values"],
      [JSON.stringify("x".repeat(65)), "JSON string longer than 64 characters"],
      ['{"a":1,"a":1}', "duplicate key"],
    ] as const) {
      await expect(parseBody(body(json))).rejects.toThrow(message);
    }
  });
});
