/**
 * Claims of any JSON type fail closed (docs/policy.md): verified ES256 tokens whose `region`,
 * `roles` or `tenant` claim has the wrong type reach the shipped policy through the real sidecar
 * and are denied with 403 naming the claim; before, a non-string `region` skipped the
 * cross-region deny and the request was allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, checkClient } from "./support/client.js";
import { es256Issuer, jwksFile, type SigningKey, sign, signingKey } from "./support/idp.js";
import { built } from "./support/paths.js";
import { type Sidecar, startSidecar } from "./support/processes.js";

const ISSUER = "https://idp.claims.test/";

let sidecar: Sidecar;
let client: ReturnType<typeof checkClient>;
let key: SigningKey;

/** An admin of acme in eu-west-1, with `claims` replacing or adding to that. */
async function read(claims: Record<string, unknown>): Promise<CallResult> {
  const token = await sign(key, {
    iss: ISSUER,
    aud: "openclaw",
    sub: "ada",
    roles: ["admin"],
    tenant: "acme",
    region: "eu-west-1",
    ...claims,
  });
  return client.check({
    attributes: {
      contextExtensions: { region: "eu-west-1" },
      request: {
        http: {
          method: "GET",
          path: "/api/v1/tenants/acme/tickets/1",
          headers: { authorization: `Bearer ${token}` },
        },
      },
    },
  });
}

const denied = (body: string) => ({
  ok: true,
  response: { status: { code: 7 }, deniedResponse: { status: { code: "Forbidden" }, body } },
});

beforeAll(async () => {
  key = await signingKey("claims-1", "ES256");
  sidecar = await startSidecar({
    policy: { bundle: built("build/policy/bundle.tar.gz") },
    identity: { jwt: { issuers: [es256Issuer(ISSUER, await jwksFile(key))] } },
    decisionLog: { console: false },
  });
  client = checkClient(sidecar.grpc);
});

afterAll(async () => {
  client?.close();
  await sidecar?.stop();
});

describe("claim types", () => {
  it("a well-typed caller is allowed, one from another region is not", async () => {
    expect(await read({})).toMatchObject({ ok: true, response: { okResponse: {} } });
    expect(await read({ region: "us-east-1" })).toMatchObject(
      denied("Cross-region request from us-east-1 to eu-west-1 is denied"),
    );
  });

  it.each([
    ["region", ["us-east-1"], "a non-empty string"],
    ["region", { name: "us-east-1" }, "a non-empty string"],
    ["region", 1, "a non-empty string"],
    ["region", true, "a non-empty string"],
    ["region", null, "a non-empty string"],
    ["region", "", "a non-empty string"],
    ["roles", { 0: "admin" }, "an array of strings"],
    ["roles", "admin", "an array of strings"],
    ["roles", ["admin", 1], "an array of strings"],
    ["tenant", ["acme"], "a non-empty string"],
    ["tenant", 0, "a non-empty string"],
  ])("%s = %j is denied", async (claim, value, type) => {
    expect(await read({ [claim]: value })).toMatchObject(
      denied(`identity.jwt.claims.${claim} must be ${type}`),
    );
  });
});
