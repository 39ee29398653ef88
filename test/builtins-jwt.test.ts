import { execFileSync } from "node:child_process";
import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextSource } from "../src/policy/builtins/context.js";
import { jwtBuiltins } from "../src/policy/builtins/jwt.js";
import { buildPolicy } from "./support/bundles.js";
import { type CallResult, checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

/**
 * Differential check of the io.jwt builtins against the real topdown (`opa eval`): keys of every
 * family (RSA, RSA-PSS, EC P-256/384/521, Ed25519, HMAC) as JWK, JWK set, PEM public key and PEM
 * certificate; tokens generated here; each case's result (or undefined, for a builtin error)
 * from our table must equal opa's.
 */

/** JSON with object keys sorted, so results compare regardless of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");

interface Case {
  name: string;
  args: unknown[];
  label: string;
}

type Alg = "RS" | "PS" | "ES" | "EdDSA" | "HS";
const HASH = { "256": "sha256", "384": "sha384", "512": "sha512" } as const;

function signToken(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject | string,
  alg: string,
): string {
  const input = `${b64(JSON.stringify(header))}.${b64(typeof payload === "string" ? payload : JSON.stringify(payload))}`;
  const family = alg.replace(/\d+$/, "") as Alg;
  const hash = HASH[alg.slice(2) as keyof typeof HASH];
  let signature: Buffer;
  if (family === "HS")
    signature = createHmac(hash, key as string)
      .update(input)
      .digest();
  else if (family === "EdDSA") signature = sign(null, Buffer.from(input), key as KeyObject);
  else if (family === "RS") signature = sign(hash, Buffer.from(input), key as KeyObject);
  else if (family === "PS")
    signature = sign(hash, Buffer.from(input), {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  else
    signature = sign(hash, Buffer.from(input), {
      key: key as KeyObject,
      dsaEncoding: "ieee-p1363",
    });
  return `${input}.${b64(signature)}`;
}

function certificate(privateKey: KeyObject, dir: string, name: string): string {
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(keyPath, privateKey.export({ format: "pem", type: "pkcs8" }));
  return execFileSync("openssl", [
    "req",
    "-x509",
    "-new",
    "-key",
    keyPath,
    "-subj",
    "/CN=jwt-test",
    "-days",
    "2",
  ]).toString();
}

interface KeyFamily {
  label: string;
  algs: string[];
  privateKey: KeyObject;
  formats: Record<string, string>;
  privateJwk: string;
}

function keyFamilies(dir: string): KeyFamily[] {
  const pairs: [string, string[], ReturnType<typeof generateKeyPairSync>][] = [
    [
      "rsa",
      ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
      generateKeyPairSync("rsa", { modulusLength: 2048 }),
    ],
    ["p256", ["ES256"], generateKeyPairSync("ec", { namedCurve: "P-256" })],
    ["p384", ["ES384"], generateKeyPairSync("ec", { namedCurve: "P-384" })],
    ["p521", ["ES512"], generateKeyPairSync("ec", { namedCurve: "P-521" })],
    ["ed25519", ["EdDSA"], generateKeyPairSync("ed25519")],
  ];
  return pairs.map(([label, algs, { publicKey, privateKey }]) => {
    const jwk = publicKey.export({ format: "jwk" });
    const pem = publicKey.export({ format: "pem", type: "spki" }).toString();
    return {
      label,
      algs,
      privateKey,
      privateJwk: JSON.stringify(privateKey.export({ format: "jwk" })),
      formats: {
        jwk: JSON.stringify(jwk),
        jwks: JSON.stringify({ keys: [{ ...jwk, kid: `${label}-1` }] }),
        jwksWithAlg: JSON.stringify({
          keys: algs.map((alg, i) => ({ ...jwk, kid: `${label}-alg-${i}`, alg })),
        }),
        pem,
        cert: certificate(privateKey, dir, label),
      },
    };
  });
}

const verifyName = (alg: string) =>
  `io.jwt.verify_${alg === "EdDSA" ? "eddsa" : alg.toLowerCase()}`;

function buildCases(dir: string): Case[] {
  const cases: Case[] = [];
  const add = (label: string, name: string, ...args: unknown[]) =>
    cases.push({ label, name, args });
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: "alice",
    iss: "https://issuer",
    aud: "svc",
    exp: now + 3600,
    nbf: now - 60,
  };
  const families = keyFamilies(dir);
  for (const family of families) {
    const other =
      families.find((f) => f !== family && (f.label !== "rsa") === (family.label !== "rsa")) ??
      family;
    for (const alg of family.algs) {
      const token = signToken({ alg, typ: "JWT" }, claims, family.privateKey, alg);
      const kidToken = signToken({ alg, kid: `${family.label}-1` }, claims, family.privateKey, alg);
      const tampered = `${token.slice(0, token.lastIndexOf(".") - 2)}AA${token.slice(token.lastIndexOf("."))}`;
      const expired = signToken({ alg }, { ...claims, exp: now - 10 }, family.privateKey, alg);
      const early = signToken({ alg }, { ...claims, nbf: now + 3600 }, family.privateKey, alg);
      for (const [format, key] of Object.entries(family.formats)) {
        const at = `${family.label} ${alg} ${format}`;
        add(`${at} verify`, verifyName(alg), token, key);
        add(`${at} verify kid`, verifyName(alg), kidToken, key);
        add(`${at} verify tampered`, verifyName(alg), tampered, key);
        add(`${at} verify other key`, verifyName(alg), token, other.formats[format]);
        add(`${at} decode_verify`, "io.jwt.decode_verify", token, {
          cert: key,
          iss: claims.iss,
          aud: "svc",
        });
        add(`${at} decode_verify kid`, "io.jwt.decode_verify", kidToken, { cert: key, aud: "svc" });
        add(`${at} decode_verify no aud`, "io.jwt.decode_verify", token, { cert: key });
        add(`${at} decode_verify tampered`, "io.jwt.decode_verify", tampered, {
          cert: key,
          aud: "svc",
        });
        add(`${at} decode_verify expired`, "io.jwt.decode_verify", expired, {
          cert: key,
          aud: "svc",
        });
        add(`${at} decode_verify nbf`, "io.jwt.decode_verify", early, { cert: key, aud: "svc" });
        add(`${at} decode_verify at time`, "io.jwt.decode_verify", expired, {
          cert: key,
          aud: "svc",
          time: (now - 20) * 1e9,
        });
        add(`${at} decode_verify alg`, "io.jwt.decode_verify", token, {
          cert: key,
          aud: "svc",
          alg: "HS256",
        });
        add(`${at} decode_verify iss`, "io.jwt.decode_verify", token, {
          cert: key,
          aud: "svc",
          iss: "x",
        });
      }
      add(`${family.label} ${alg} private jwk verify`, verifyName(alg), token, family.privateJwk);
      add(`${family.label} ${alg} private jwk decode_verify`, "io.jwt.decode_verify", token, {
        cert: family.privateJwk,
        aud: "svc",
      });
      add(`${family.label} ${alg} decode`, "io.jwt.decode", token);
      add(
        `${family.label} ${alg} encode_sign_raw`,
        "io.jwt.encode_sign_raw",
        JSON.stringify({ alg }),
        JSON.stringify(claims),
        family.privateJwk,
      );
    }
  }
  const secret = "s3cret-with-ünïcode";
  for (const alg of ["HS256", "HS384", "HS512"]) {
    const token = signToken({ alg, typ: "JWT" }, claims, secret, alg);
    add(`${alg} verify`, verifyName(alg), token, secret);
    add(`${alg} verify wrong`, verifyName(alg), token, "other");
    add(`${alg} decode_verify`, "io.jwt.decode_verify", token, { secret, aud: "svc" });
    add(`${alg} decode_verify wrong`, "io.jwt.decode_verify", token, {
      secret: "nope",
      aud: "svc",
    });
    const oct = JSON.stringify({ kty: "oct", k: b64(secret) });
    add(`${alg} decode_verify oct jwk`, "io.jwt.decode_verify", token, { cert: oct, aud: "svc" });
    add(`${alg} encode_sign`, "io.jwt.encode_sign", { alg, typ: "JWT" }, claims, {
      kty: "oct",
      k: b64(secret),
    });
  }
  edgeCases(add, families, claims, secret);
  return cases;
}

/** Malformed input and the corners of topdown's rules (errors are undefined on both sides). */
function edgeCases(
  add: (label: string, name: string, ...args: unknown[]) => void,
  families: KeyFamily[],
  claims: Record<string, unknown>,
  secret: string,
): void {
  const rsa = families[0] as KeyFamily;
  const p256 = families[1] as KeyFamily;
  const pem = rsa.formats.pem as string;
  const token = signToken({ alg: "RS256" }, claims, rsa.privateKey, "RS256");
  const dv = (label: string, jwt: unknown, constraints: unknown) =>
    add(label, "io.jwt.decode_verify", jwt, constraints);
  add("pem trailing blank line", "io.jwt.verify_rs256", token, `${pem}\n`);
  add("pem leading text", "io.jwt.verify_rs256", token, `junk\n${pem}`);
  add("pem two blocks", "io.jwt.verify_rs256", token, `${pem}${pem}`);
  add(
    "pem rsa public key type",
    "io.jwt.verify_rs256",
    token,
    pem.replace(/PUBLIC KEY/g, "RSA PUBLIC KEY"),
  );
  add("garbage key", "io.jwt.verify_rs256", token, "not a key");
  add("empty jwks", "io.jwt.verify_rs256", token, JSON.stringify({ keys: [] }));
  dv("empty jwks decode_verify", token, { cert: JSON.stringify({ keys: [] }), aud: "svc" });
  const jwk = JSON.parse(rsa.formats.jwk as string) as Record<string, unknown>;
  add(
    "jwks unknown alg skipped",
    "io.jwt.verify_rs256",
    token,
    JSON.stringify({ keys: [{ ...jwk, alg: "RSA-OAEP" }] }),
  );
  add(
    "jwks alg mismatch",
    "io.jwt.verify_rs256",
    token,
    JSON.stringify({ keys: [{ ...jwk, alg: "RS384" }] }),
  );
  const kidOther = signToken({ alg: "RS256", kid: "other" }, claims, rsa.privateKey, "RS256");
  add("kid not in set", "io.jwt.verify_rs256", kidOther, rsa.formats.jwks);
  const wrongKid = signToken({ alg: "RS256", kid: "p256-1" }, claims, rsa.privateKey, "RS256");
  add(
    "kid names wrong key",
    "io.jwt.verify_rs256",
    wrongKid,
    JSON.stringify({
      keys: [
        JSON.parse(p256.formats.jwk as string),
        { ...JSON.parse(p256.formats.jwk as string), kid: "p256-1" },
        jwk,
      ],
    }),
  );
  add("two parts", "io.jwt.verify_rs256", "a.b", pem);
  add("no dots", "io.jwt.decode", "abc");
  add("not a string", "io.jwt.decode", 42);
  add(
    "bad signature base64",
    "io.jwt.verify_rs256",
    `${token.slice(0, token.lastIndexOf("."))}.a+b`,
    pem,
  );
  add("bad header base64 hs", "io.jwt.verify_hs256", `%%.${b64("{}")}.${b64("x")}`, secret);
  add("padded segments", "io.jwt.decode", `${b64('{"alg":"x"}')}=.${b64("{}")}.`);
  const enc = signToken({ alg: "RS256", enc: "A256GCM" }, claims, rsa.privateKey, "RS256");
  add("jwe decode", "io.jwt.decode", enc);
  add("jwe verify", "io.jwt.verify_rs256", enc, pem);
  const crit = signToken(
    { alg: "RS256", crit: ["x"], x: 1 },
    { ...claims, aud: undefined },
    rsa.privateKey,
    "RS256",
  );
  dv("crit unknown", crit, { cert: pem });
  const critKnown = signToken(
    { alg: "RS256", crit: ["exp"] },
    { ...claims, aud: undefined },
    rsa.privateKey,
    "RS256",
  );
  dv("crit not present", critKnown, { cert: pem });
  const critBad = signToken({ alg: "RS256", crit: [1] }, claims, rsa.privateKey, "RS256");
  dv("crit not strings", critBad, { cert: pem });
  const noAlg = signToken({ typ: "JWT" }, claims, secret, "HS256");
  dv("no alg", noAlg, { secret });
  const none = `${b64('{"alg":"none"}')}.${b64(JSON.stringify(claims))}.`;
  dv("alg none", none, { secret });
  const inner = signToken({ alg: "HS256" }, { sub: "inner", aud: "svc" }, secret, "HS256");
  const nested = signToken({ alg: "HS256", cty: "JWT" }, inner, secret, "HS256");
  dv("nested", nested, { secret, aud: "svc" });
  add("nested decode", "io.jwt.decode", nested);
  const quoted = signToken({ alg: "HS256", cty: "JWT" }, `"${inner}"`, secret, "HS256");
  add("nested quoted decode", "io.jwt.decode", quoted);
  dv("nested quoted decode_verify", quoted, { secret, aud: "svc" });
  const hs = signToken({ alg: "HS256" }, claims, secret, "HS256");
  dv("unknown constraint", hs, { secret, foo: 1 });
  dv("cert and secret", hs, { secret, cert: pem });
  dv("empty secret", hs, { secret: "" });
  dv("no key", hs, { aud: "svc" });
  dv("negative time", hs, { secret, time: -1 });
  dv("string time", hs, { secret, time: "1" });
  dv("constraints not object", hs, "x");
  dv("hs token with rsa cert", hs, { cert: pem, aud: "svc" });
  dv("rs token with secret", token, { secret, aud: "svc" });
  const t = (extra: Record<string, unknown>) =>
    signToken({ alg: "HS256" }, { ...claims, ...extra }, secret, "HS256");
  // A non-string iss under an iss constraint panics topdown (tokens.go); ours is undefined.
  dv("iss number unconstrained", t({ iss: 1 }), { secret, aud: "svc" });
  dv("exp string", t({ exp: "1" }), { secret, aud: "svc" });
  dv("nbf string", t({ nbf: "1" }), { secret, aud: "svc" });
  dv("exp equals time", t({ exp: 1000, nbf: 0 }), { secret, aud: "svc", time: 1000e9 });
  dv("nbf equals time", t({ nbf: 1000, exp: 2000 }), { secret, aud: "svc", time: 1000e9 });
  dv("fractional exp", t({ exp: 1000.5, nbf: 0 }), { secret, aud: "svc", time: 1000.4e9 });
  dv("aud array", t({ aud: ["a", "svc"] }), { secret, aud: "svc" });
  dv("aud array miss", t({ aud: ["a", 1] }), { secret, aud: "svc" });
  dv("aud number", t({ aud: 1 }), { secret, aud: "svc" });
  dv("aud empty string no constraint", t({ aud: "" }), { secret });
  dv("payload not object", signToken({ alg: "HS256" }, "[1]", secret, "HS256"), { secret });
  add(
    "payload not object decode",
    "io.jwt.decode",
    signToken({ alg: "HS256" }, "[1]", secret, "HS256"),
  );
  dv("alg constraint with bad signature", `${hs.slice(0, hs.lastIndexOf("."))}.%%`, {
    secret,
    alg: "RS256",
  });
  dv("bad signature", `${hs.slice(0, hs.lastIndexOf("."))}.%%`, { secret });
  // verify_ps* accept any salt length; decode_verify wants the hash's.
  const salt0Input = `${b64('{"alg":"PS256"}')}.${b64(JSON.stringify({ aud: "svc" }))}`;
  const salt0 = `${salt0Input}.${b64(sign("sha256", Buffer.from(salt0Input), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 }))}`;
  add("ps salt 0 verify", "io.jwt.verify_ps256", salt0, pem);
  dv("ps salt 0 decode_verify", salt0, { cert: pem, aud: "svc" });
  const es = signToken({ alg: "ES256" }, claims, p256.privateKey, "ES256");
  add("es256 token with verify_es384", "io.jwt.verify_es384", es, p256.formats.pem);
  add(
    "es odd signature",
    "io.jwt.verify_es256",
    `${es.slice(0, es.lastIndexOf("."))}.${b64(Buffer.alloc(63, 1))}`,
    p256.formats.pem,
  );
  add("rsa token with verify_es256", "io.jwt.verify_es256", token, pem);
  add("encode_sign public key", "io.jwt.encode_sign", { alg: "RS256" }, claims, jwk);
  add(
    "encode_sign html and sorting",
    "io.jwt.encode_sign",
    { typ: "JWT", alg: "HS256", z: "<&>", a: "\u2028\b\u0001é😀" },
    { b: [1, 2.5, true, null], a: { y: 1, x: "q" } },
    { kty: "oct", k: b64(secret) },
  );
  add("encode_sign jwks", "io.jwt.encode_sign", { alg: "HS384" }, claims, {
    keys: [{ kty: "oct", k: b64(secret) }],
  });
  add(
    "encode_sign rs256",
    "io.jwt.encode_sign",
    { alg: "RS256" },
    claims,
    JSON.parse(rsa.privateJwk),
  );
  add("encode_sign unknown alg", "io.jwt.encode_sign", { alg: "none" }, claims, {
    kty: "oct",
    k: b64(secret),
  });
  add("encode_sign no alg", "io.jwt.encode_sign", {}, claims, { kty: "oct", k: b64(secret) });
  add(
    "encode_sign hs with rsa key",
    "io.jwt.encode_sign",
    { alg: "HS256" },
    claims,
    JSON.parse(rsa.privateJwk),
  );
  add(
    "encode_sign_raw non-json payload",
    "io.jwt.encode_sign_raw",
    '{"alg":"HS256"}',
    "plain",
    JSON.stringify({ kty: "oct", k: b64(secret) }),
  );
  add(
    "encode_sign_raw non-json typed",
    "io.jwt.encode_sign_raw",
    '{"alg":"HS256","typ":"text"}',
    "plain",
    JSON.stringify({ kty: "oct", k: b64(secret) }),
  );
  add(
    "encode_sign_raw spacing kept",
    "io.jwt.encode_sign_raw",
    '{ "alg" : "HS256" }',
    '{ "a" : 1 }',
    JSON.stringify({ kty: "oct", k: b64(secret) }),
  );
  add(
    "encode_sign_raw bad header",
    "io.jwt.encode_sign_raw",
    "{",
    "{}",
    JSON.stringify({ kty: "oct", k: b64(secret) }),
  );
  add(
    "encode_sign eddsa",
    "io.jwt.encode_sign_raw",
    '{"alg":"EdDSA"}',
    "{}",
    (families[4] as KeyFamily).privateJwk,
  );
}

const OPERAND_COUNTS: Record<string, number> = {
  "io.jwt.decode": 1,
  "io.jwt.decode_verify": 2,
  "io.jwt.encode_sign": 3,
  "io.jwt.encode_sign_raw": 3,
};

/** One rule per builtin: results[i] is {"v": value} for case i, absent when it is undefined. */
function differentialPolicy(): string {
  const rules = Object.keys(jwtBuiltins).map((name) => {
    const count = OPERAND_COUNTS[name] ?? 2;
    const args = Array.from({ length: count }, (_, i) => `c.args[${i}]`).join(", ");
    return `results[i] := {"v": ${name}(${args})} if {\n  some i\n  c := input.cases[i]\n  c.name == "${name}"\n}`;
  });
  return `package jwtdiff\n\n${rules.join("\n\n")}\n`;
}

function ours(c: Case): unknown {
  const builtin = jwtBuiltins[c.name];
  if (builtin === undefined) throw new Error(`no builtin ${c.name}`);
  const context = createContextSource({
    nowNs: () => BigInt(Date.now()) * 1_000_000n,
    print: () => {},
  }).current;
  try {
    const value = builtin(context, ...c.args);
    return value === undefined ? undefined : { v: value };
  } catch {
    return undefined;
  }
}

function runDifferential(
  cases: Case[],
  dir: string,
): { label: string; opa: unknown; ours: unknown }[] {
  writeFileSync(join(dir, "policy.rego"), differentialPolicy());
  writeFileSync(join(dir, "input.json"), JSON.stringify({ cases }));
  const out = execFileSync(
    tool("opa"),
    [
      "eval",
      "-f",
      "json",
      "-d",
      join(dir, "policy.rego"),
      "-i",
      join(dir, "input.json"),
      "data.jwtdiff.results",
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  ).toString();
  const parsed = JSON.parse(out) as {
    result: { expressions: { value: Record<string, unknown> }[] }[];
  };
  const results = parsed.result[0]?.expressions[0]?.value ?? {};
  return cases.map((c, i) => ({ label: c.label, opa: results[String(i)], ours: ours(c) }));
}

describe("io.jwt builtins against opa eval (topdown)", () => {
  it("agree on generated tokens for every key family and format", () => {
    const dir = mkdtempSync(join(tmpdir(), "oc-jwt-diff-"));
    const cases = buildCases(dir);
    const compared = runDifferential(cases, dir);
    const randomized = (label: string) => /(PS|ES)\d+ encode_sign/.test(label);
    const mismatches = compared.filter(
      (c) => !randomized(c.label) && canonical(c.opa) !== canonical(c.ours),
    );
    expect(
      mismatches.map((c) => `${c.label}: opa ${canonical(c.opa)} ours ${canonical(c.ours)}`),
    ).toEqual([]);
    // Some cases must verify and some must not, or the comparison proves little.
    expect(
      compared.filter((c) => canonical(c.ours).startsWith('{"v":true')).length,
    ).toBeGreaterThan(50);
    expect(
      compared.filter((c) => canonical(c.ours).startsWith('{"v":[false')).length,
    ).toBeGreaterThan(50);
  });

  it("sign with PS and ES (randomized) as tokens topdown verifies", () => {
    const dir = mkdtempSync(join(tmpdir(), "oc-jwt-sign-"));
    const families = keyFamilies(dir);
    const cases: Case[] = [];
    for (const family of families) {
      for (const alg of family.algs.filter((a) => /^(PS|ES)/.test(a))) {
        const signed = ours({
          label: "",
          name: "io.jwt.encode_sign_raw",
          args: [JSON.stringify({ alg }), '{"aud":"svc"}', family.privateJwk],
        }) as { v: string };
        expect(typeof signed.v).toBe("string");
        for (const key of [family.formats.pem, family.formats.jwks])
          cases.push({
            label: `${family.label} ${alg}`,
            name: "io.jwt.decode_verify",
            args: [signed.v, { cert: key, aud: "svc" }],
          });
      }
    }
    const compared = runDifferential(cases, dir);
    expect(compared.map((c) => [c.label, canonical(c.opa)])).toEqual(
      compared.map((c) => [
        c.label,
        `{"v":[true,{"alg":"${c.label.split(" ")[1]}"},{"aud":"svc"}]}`,
      ]),
    );
  });
});

/**
 * The opa-envoy-plugin quick start, end to end: the JWT of the Authorization header verified in
 * Rego by io.jwt.decode_verify against a JWKS (and an HMAC secret) from data, at the evaluation's
 * own time (decode_verify's default); the decision and its dynamic_metadata must be what topdown
 * (`opa eval`, same policy, data and input) gives.
 */
const QUICK_START = `package envoy.authz

import rego.v1

default allow := {"allowed": false, "dynamic_metadata": {"reason": "no token"}}

bearer := t if {
  [kind, t] := split(input.attributes.request.http.headers.authorization, " ")
  kind == "Bearer"
}

verified := io.jwt.decode_verify(bearer, {"cert": data.jwks, "iss": "https://issuer", "aud": "svc"})

allow := {"allowed": verified[0], "dynamic_metadata": {
  "verified": verified,
  "decoded": io.jwt.decode(bearer),
  "rs256_pem": io.jwt.verify_rs256(bearer, data.pem),
  "hs256": io.jwt.verify_hs256(data.hs_token, data.secret),
  "hs_verified": io.jwt.decode_verify(data.hs_token, {"secret": data.secret}),
  "signed": io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"sub": verified[2].sub}, data.oct),
}} if bearer
`;

describe("quick-start policy through the sidecar", () => {
  let sidecar: Sidecar | undefined;
  let client: ReturnType<typeof checkClient> | undefined;
  let dir: string;
  let data: Record<string, unknown>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "oc-jwt-e2e-"));
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = publicKey.export({ format: "jwk" });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: "alice",
      iss: "https://issuer",
      aud: "svc",
      exp: now + 3600,
      nbf: now - 60,
    };
    tokens.good = signToken({ alg: "RS256", kid: "k1" }, claims, privateKey, "RS256");
    tokens.expired = signToken(
      { alg: "RS256", kid: "k1" },
      { ...claims, exp: now - 5 },
      privateKey,
      "RS256",
    );
    tokens.otherAudience = signToken(
      { alg: "RS256" },
      { ...claims, aud: "other" },
      privateKey,
      "RS256",
    );
    const secret = "quick-start-secret";
    data = {
      jwks: JSON.stringify({ keys: [{ ...jwk, kid: "k1", alg: "RS256", use: "sig" }] }),
      pem: publicKey.export({ format: "pem", type: "spki" }).toString(),
      secret,
      oct: { kty: "oct", k: b64(secret) },
      hs_token: signToken({ alg: "HS256" }, { sub: "svc-account", n: 1.5 }, secret, "HS256"),
    };
    const bundle = await buildPolicy(QUICK_START, data);
    writeFileSync(join(dir, "policy.rego"), QUICK_START);
    writeFileSync(join(dir, "data.json"), JSON.stringify(data));
    sidecar = await startSidecar({ policy: { bundle }, decisionLog: { console: false } });
    client = checkClient(sidecar.grpc);
  });

  afterAll(async () => {
    client?.close();
    await sidecar?.stop();
  });

  const request = (authorization: string) => ({
    attributes: { request: { http: { method: "GET", path: "/", headers: { authorization } } } },
  });

  async function topdown(authorization: string): Promise<Record<string, unknown>> {
    const inputPath = join(dir, `input-${Math.random()}.json`);
    writeFileSync(inputPath, JSON.stringify(request(authorization)));
    const { stdout } = await run(tool("opa"), [
      "eval",
      "-f",
      "json",
      "-d",
      join(dir, "policy.rego"),
      "-d",
      join(dir, "data.json"),
      "-i",
      inputPath,
      "data.envoy.authz.allow",
    ]);
    return (
      JSON.parse(stdout) as { result: { expressions: { value: Record<string, unknown> }[] }[] }
    ).result[0]?.expressions[0]?.value as Record<string, unknown>;
  }

  function decision(result: CallResult): Record<string, unknown> {
    if (!result.ok) throw new Error(`gRPC error ${result.code}: ${result.details}`);
    const { decision_id: _, ...metadata } = (result.response.dynamicMetadata ?? {}) as Record<
      string,
      unknown
    >;
    const status = result.response.status as { code?: number } | undefined;
    return { allowed: (status?.code ?? 0) === 0, dynamic_metadata: metadata };
  }

  it.each([
    ["a valid token", "good", true],
    ["an expired token", "expired", false],
    ["a token for another audience", "otherAudience", false],
  ])("decides %s as topdown does", async (_name, which, allowed) => {
    const authorization = `Bearer ${tokens[which]}`;
    const expected = await topdown(authorization);
    expect(expected.allowed).toBe(allowed);
    const got = decision(
      await (client as ReturnType<typeof checkClient>).check(request(authorization)),
    );
    expect(canonical(got)).toBe(canonical(expected));
  });
});
