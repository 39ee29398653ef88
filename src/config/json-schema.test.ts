import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configJsonSchema } from "./json-schema.js";
import { resolveConfig } from "./load.js";

const demo = parse(readFileSync(new URL("../../config/demo.yaml", import.meta.url), "utf8"));
const validator = (without: Parameters<typeof configJsonSchema>[0] = []) =>
  new Ajv({ allErrors: true, strict: false }).compile(configJsonSchema(without));

describe("configJsonSchema", () => {
  it("accepts what the config schema accepts", () => {
    expect(() => resolveConfig(demo)).not.toThrow();
    expect(validator()(demo)).toBe(true);
    expect(validator()({})).toBe(true);
  });

  it.each([
    ["an unknown key", { cache: { ttl: "30s", bogus: 1 } }],
    ["a bad duration", { policy: { pollInterval: "soon" } }],
    ["a number out of range", { server: { workers: 0 } }],
    [
      "a JWKS with two sources",
      {
        identity: {
          jwt: {
            issuers: [
              {
                issuer: "i",
                audiences: ["a"],
                algorithms: ["ES256"],
                jwks: { file: "f", url: "https://k" },
              },
            ],
          },
        },
      },
    ],
  ])("refuses %s, as the config schema does", (_, document) => {
    expect(() => resolveConfig(document)).toThrow();
    expect(validator()(document)).toBe(false);
  });

  it("leaves out the sections asked", () => {
    const { listen: _, ...rest } = demo;
    expect(validator(["listen"])(rest)).toBe(true);
    expect(validator(["listen"])(demo)).toBe(false);
    expect(Object.keys(configJsonSchema(["listen"]).properties as object)).not.toContain("listen");
  });
});
