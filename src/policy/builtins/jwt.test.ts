import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { jwtBuiltins } from "./jwt.js";

const NOW_NS = 1_700_000_000_000_000_000n;
const context = createContextSource({ nowNs: () => NOW_NS, print: () => {} }).current;

/** A builtin's result, or "error" where topdown reports a builtin error (undefined in Rego). */
function call(name: string, ...args: unknown[]): unknown {
  const builtin = jwtBuiltins[name];
  if (builtin === undefined) throw new Error(`no ${name}`);
  try {
    return builtin(context, ...args);
  } catch {
    return "error";
  }
}

// jwt.io's example token (HS256, secret "your-256-bit-secret").
const T =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const SECRET = "your-256-bit-secret";
const HEADER = { alg: "HS256", typ: "JWT" };
const CLAIMS = { iat: 1516239022, name: "John Doe", sub: "1234567890" };
const b64 = (s: string) => Buffer.from(s).toString("base64url");

describe("io.jwt builtins (expected values from opa eval)", () => {
  // .tools/bin/opa eval -f json 'io.jwt.decode("<T>")', 'io.jwt.verify_hs256("<T>", "<secret>")',
  // 'io.jwt.decode_verify("<T>", {...})', 'io.jwt.encode_sign({...}, {...}, {...})'
  it.each<[string, string, unknown[], unknown]>([
    [
      "decode",
      "io.jwt.decode",
      [T],
      [HEADER, CLAIMS, "49f94ac7044948c78a285d904f87f0a4c7897f7e8f3a4eb2255fda750b2cc397"],
    ],
    ["decode of a non-token", "io.jwt.decode", ["abc"], "error"],
    ["verify_hs256 right secret", "io.jwt.verify_hs256", [T, SECRET], true],
    ["verify_hs256 wrong secret", "io.jwt.verify_hs256", [T, "x"], false],
    ["verify_hs384 of an HS256 token", "io.jwt.verify_hs384", [T, SECRET], false],
    [
      "decode_verify secret",
      "io.jwt.decode_verify",
      [T, { secret: SECRET }],
      [true, HEADER, CLAIMS],
    ],
    [
      "decode_verify aud absent from token",
      "io.jwt.decode_verify",
      [T, { secret: SECRET, aud: "a" }],
      [false, {}, {}],
    ],
    [
      "decode_verify alg mismatch",
      "io.jwt.decode_verify",
      [T, { secret: SECRET, alg: "RS256" }],
      [false, {}, {}],
    ],
    ["decode_verify no key constraint", "io.jwt.decode_verify", [T, {}], "error"],
    [
      "decode_verify unknown constraint",
      "io.jwt.decode_verify",
      [T, { secret: SECRET, x: 1 }],
      "error",
    ],
    [
      "encode_sign: Go's JSON (sorted keys, HTML escaped)",
      "io.jwt.encode_sign",
      [{ typ: "JWT", alg: "HS256" }, { sub: "<a&b>" }, { kty: "oct", k: "c2VjcmV0" }],
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJcdTAwM2NhXHUwMDI2Ylx1MDAzZSJ9.cI-7o9XWjhKKG9xa_xnIRM-FNtwZ1ME9YrG75uppYII",
    ],
  ])("%s", (_label, name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it("decode_verify defaults its time to the evaluation's clock (context.nowNs)", () => {
    // exp is compared in seconds with nowNs / 1e9 = 1.7e9: exp at that second has expired.
    const token = (exp: number) => {
      const signed = call(
        "io.jwt.encode_sign",
        { alg: "HS256" },
        { exp },
        { kty: "oct", k: b64(SECRET) },
      );
      return signed as string;
    };
    expect(call("io.jwt.decode_verify", token(1_700_000_000), { secret: SECRET })).toEqual([
      false,
      {},
      {},
    ]);
    expect(call("io.jwt.decode_verify", token(1_700_000_001), { secret: SECRET })).toEqual([
      true,
      { alg: "HS256" },
      { exp: 1_700_000_001 },
    ]);
  });

  it("verifies a token signed by encode_sign_raw with the matching public key only", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const token = call(
      "io.jwt.encode_sign_raw",
      '{"alg":"ES256"}',
      '{"a":1}',
      JSON.stringify(privateKey.export({ format: "jwk" })),
    );
    const pem = (key: typeof publicKey) => key.export({ format: "pem", type: "spki" }).toString();
    expect(call("io.jwt.verify_es256", token, pem(publicKey))).toBe(true);
    expect(call("io.jwt.verify_es256", token, pem(other))).toBe(false);
    expect(
      call("io.jwt.verify_es256", token, JSON.stringify(publicKey.export({ format: "jwk" }))),
    ).toBe(true);
  });

  it("is undefined (not a crash) where topdown panics: a non-string iss under an iss constraint", () => {
    const token = call(
      "io.jwt.encode_sign",
      { alg: "HS256" },
      { iss: 1 },
      { kty: "oct", k: b64(SECRET) },
    );
    expect(call("io.jwt.decode_verify", token, { secret: SECRET, iss: "x" })).toBe("error");
  });

  it("decode_verify checked the same token before: claims still at each call's time; any other token or key checked anew", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = (key: typeof publicKey, kid: string) => ({ ...key.export({ format: "jwk" }), kid });
    const jwks = JSON.stringify({ keys: [jwk(publicKey, "k1")] });
    const token = call(
      "io.jwt.encode_sign",
      { alg: "RS256", kid: "k1" },
      { exp: 1_700_000_010 },
      jwk(privateKey, "k1"),
    ) as string;
    const at = (seconds: number) => ({ cert: jwks, time: seconds * 1e9 });
    const verified = [true, { alg: "RS256", kid: "k1" }, { exp: 1_700_000_010 }];
    expect(call("io.jwt.decode_verify", token, at(1_700_000_000))).toEqual(verified);
    // The same token again, now past its exp: the cached signature check does not keep it valid.
    expect(call("io.jwt.decode_verify", token, at(1_700_000_020))).toEqual([false, {}, {}]);
    expect(call("io.jwt.decode_verify", token, at(1_700_000_000))).toEqual(verified);
    // A token differing in one signature character (inside it: the last one also holds padding
    // bits, which decoders ignore), and the same token against another key.
    const at10 = token.length - 10;
    const changed = `${token.slice(0, at10)}${token[at10] === "A" ? "B" : "A"}${token.slice(at10 + 1)}`;
    expect(call("io.jwt.decode_verify", changed, at(1_700_000_000))).toEqual([false, {}, {}]);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const otherJwks = JSON.stringify({ keys: [jwk(other, "k1")] });
    expect(
      call("io.jwt.decode_verify", token, { cert: otherJwks, time: 1_700_000_000 * 1e9 }),
    ).toEqual([false, {}, {}]);
  });
});
