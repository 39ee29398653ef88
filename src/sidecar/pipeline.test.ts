import pino from "pino";
import type { Message } from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import { es256Issuer, jwksFile, sign, signingKey } from "../../test/support/idp.js";
import { createAuthorizer } from "../authz/index.js";
import { resolveConfig } from "../config/index.js";
import { fromProtoJson } from "../grpc/index.js";
import { createPipeline, type Pipeline } from "./pipeline.js";

/** Every object in `value`, frozen: a step that edits the document throws (ESM is strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

let pipeline: Pipeline | undefined;
afterEach(() => pipeline?.close());

describe("the wired pipeline", () => {
  it("builds the input document once: frozen after building, the real identity, cache and sink read it unchanged", async () => {
    const key = await signingKey("k1", "ES256");
    const config = resolveConfig({
      identity: { jwt: { issuers: [es256Issuer("https://idp/", await jwksFile(key))] } },
    });
    const seen: string[] = [];
    pipeline = await createPipeline(config, {
      policies: {
        current: () => ({
          revision: "r1",
          id: "p1",
          evaluate: async (json: string) => {
            seen.push(json);
            return { defined: true, value: true };
          },
          close: () => {},
        }),
      },
      logger: pino({ level: "silent" }),
      fetch: globalThis.fetch,
    });
    const { steps, protos } = pipeline;
    // The real steps, but the builder's document and credentials frozen as they leave it.
    const authorizer = createAuthorizer(
      {
        ...steps,
        input: { build: async (request: Message) => deepFreeze(await steps.input.build(request)) },
      },
      { dryRun: false },
    );
    const token = await sign(key, { iss: "https://idp/", aud: "openclaw", sub: "sam" });
    const request = () =>
      fromProtoJson(protos.checkRequest, {
        attributes: {
          request: {
            http: {
              method: "GET",
              path: "/api/x",
              headers: { authorization: `Bearer ${token}`, accept: "*/*", "x-request-id": "1" },
            },
          },
        },
      });
    const first = await authorizer.check(request());
    const second = await authorizer.check(request());
    expect([first.allowed, first.record.cache, second.record.cache]).toEqual([true, "miss", "hit"]);
    // The record is what the decision log is given.
    const input = first.record.input as Record<string, unknown>;
    expect(input.identity).toMatchObject({ authenticated: true, subject: "sam" });
    expect(JSON.parse(seen[0] as string)).toEqual(JSON.parse(JSON.stringify(input)));
    expect(seen[0]).not.toContain(token);
    expect(JSON.stringify(input)).toContain('"x-request-id":"1"'); // ignored by the key, not removed
  });
});
