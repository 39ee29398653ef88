import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type Call, ours, topdown, UNDEFINED } from "../../../test/support/topdown.js";

/**
 * The x509 and key builtins against topdown on certificates, requests and keys built here, DER
 * element by element (keys are made per run; both sides get the same text). Every certificate
 * is valid from 2000 to 2049, so no result depends on topdown's clock; verification passes its
 * CurrentTime.
 */

// --- DER writing (this test's own: the shared support has none) ---

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
const ctx = (n: number, ...parts: Buffer[]) => tlv(0xa0 + n, ...parts);
const prim = (n: number, body: Buffer | string) => tlv(0x80 + n, Buffer.from(body));
const octet = (body: Buffer) => tlv(0x04, body);
const bits = (body: Buffer) => tlv(0x03, Buffer.from([0]), body);
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const NULL = Buffer.from([0x05, 0x00]);
const str = (tag: number, text: string, encoding: BufferEncoding = "utf8") =>
  tlv(tag, Buffer.from(text, encoding));
const utf8 = (text: string) => str(0x0c, text);
const utc = (text: string) => str(0x17, text, "latin1");
const generalized = (text: string) => str(0x18, text, "latin1");

function int(value: bigint | number): Buffer {
  let v = BigInt(value);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (
    !(v === 0n && !((bytes[0] as number) & 0x80)) &&
    !(v === -1n && (bytes[0] as number) & 0x80)
  );
  return tlv(0x02, Buffer.from(bytes));
}

function oid(text: string): Buffer {
  const [a = 0, b = 0, ...rest] = text.split(".").map(Number);
  const out = [a * 40 + b];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A Name: one attribute per RDN unless an entry is itself a list (a multi-valued RDN). */
type Attribute = [type: string, value: Buffer];
function name(...rdns: (Attribute | Attribute[])[]): Buffer {
  return seq(
    ...rdns.map((rdn) => {
      const list = (typeof rdn[0] === "string" ? [rdn] : rdn) as Attribute[];
      return set(...list.map(([type, value]) => seq(oid(type), value)));
    }),
  );
}
const cn = (text: string) => name(["2.5.4.3", utf8(text)]);

const ext = (id: string, value: Buffer, critical?: boolean) =>
  seq(oid(id), ...(critical === undefined ? [] : [bool(critical)]), octet(value));

const spkiOf = (key: KeyObject) => key.export({ format: "der", type: "spki" });
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");
const pem = (type: string, der: Buffer) =>
  `-----BEGIN ${type}-----\n${b64(der).replace(/.{64}/g, "$&\n")}\n-----END ${type}-----\n`;

function algorithmOf(key: KeyObject, hash = "sha256"): Buffer {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return seq(oid(hash === "sha1" ? "1.2.840.113549.1.1.5" : "1.2.840.113549.1.1.11"), NULL);
    case "ec":
      return seq(oid("1.2.840.10045.4.3.2"));
    default:
      return seq(oid("1.3.101.112"));
  }
}

interface Spec {
  subject?: Buffer;
  issuer?: Buffer;
  /** The [0] version's value (2 is v3); null leaves it out (v1). */
  version?: number | null;
  serial?: Buffer;
  validity?: Buffer;
  spki?: Buffer;
  extensions?: Buffer[];
  signer?: KeyObject;
  hash?: string;
  /** Replaces the outer AlgorithmIdentifier (the inner one stays the signer's). */
  outerAlgorithm?: Buffer;
  /** Replaces the signature BIT STRING element. */
  signature?: Buffer;
  /** Fields after the validity, raw, replacing subject/spki/extensions. */
  tail?: Buffer[];
}

const KEYS = {
  rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  ec: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  ec384: generateKeyPairSync("ec", { namedCurve: "P-384" }),
  ed: generateKeyPairSync("ed25519"),
  other: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  dsa: generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }),
  x25519: generateKeyPairSync("x25519"),
};
const WINDOW = seq(utc("000101000000Z"), utc("491231235959Z"));

function certificate(spec: Spec): Buffer {
  const signer = spec.signer ?? KEYS.rsa.privateKey;
  const inner = algorithmOf(signer, spec.hash);
  const version = spec.version === undefined ? 2 : spec.version;
  const tbs = seq(
    ...(version === null ? [] : [ctx(0, int(version))]),
    spec.serial ?? int(1),
    inner,
    spec.issuer ?? cn("Root"),
    spec.validity ?? WINDOW,
    ...(spec.tail ?? [
      spec.subject ?? cn("Leaf"),
      spec.spki ?? spkiOf(KEYS.ec.publicKey),
      ...(spec.extensions ? [ctx(3, seq(...spec.extensions))] : []),
    ]),
  );
  const hash = signer.asymmetricKeyType === "ed25519" ? null : (spec.hash ?? "sha256");
  return seq(tbs, spec.outerAlgorithm ?? inner, spec.signature ?? bits(sign(hash, tbs, signer)));
}

// --- extensions ---
const KU_CERT_SIGN = ext("2.5.29.15", bits(Buffer.from([0x06])), true); // keyCertSign, cRLSign
const KU_DIGITAL = ext("2.5.29.15", bits(Buffer.from([0x80])), true);
const CA = (pathLen?: number) =>
  ext("2.5.29.19", seq(bool(true), ...(pathLen === undefined ? [] : [int(pathLen)])), true);
const NOT_CA = ext("2.5.29.19", seq(), false); // an empty SEQUENCE: not a CA, MaxPathLen -1
const eku = (...ids: string[]) => ext("2.5.29.37", seq(...ids.map(oid)));
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const san = (...names: Buffer[]) => ext("2.5.29.17", seq(...names));
const ip = (...bytes: number[]) => prim(7, Buffer.from(bytes));

const RICH_EXTENSIONS = [
  KU_DIGITAL,
  ext("2.5.29.19", seq(bool(false)), true), // cA FALSE written out: IsCA false, MaxPathLen -1
  san(
    prim(2, "svc.example.com"),
    prim(2, "*.wild.example.com"),
    prim(1, "ops@example.com"),
    ip(10, 0, 0, 1),
    ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), // ::1
    ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1), // IPv4-mapped
    ip(0x20, 1, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6), // no zero run
    ip(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1), // two runs, the first wins
    prim(6, "spiffe://example.com/ns/a%20b?x=1#frag"), // query, fragment, escaped path
    prim(6, "https://user:pw@host.example.com"), // userinfo, no path
    prim(6, "urn:example:opaque"), // opaque
    prim(6, "https://host.example.com/p?"), // empty query: ForceQuery
    prim(6, "relative/path"), // no scheme
    prim(5, Buffer.from([0x30, 0x00])), // another GeneralName kind: ignored
  ),
  eku("2.5.29.37.0", SERVER_AUTH, "1.2.3.4"), // any, server, one unknown
  ext("2.5.29.14", octet(Buffer.from("subject-key-id"))),
  ext("2.5.29.35", seq(prim(0, "authority-key-id"))),
  ext(
    "1.3.6.1.5.5.7.1.1",
    seq(
      seq(oid("1.3.6.1.5.5.7.48.1"), prim(6, "http://ocsp.example.com")),
      seq(oid("1.3.6.1.5.5.7.48.2"), prim(6, "http://ca.example.com/ca.crt")),
      seq(oid("1.3.6.1.5.5.7.48.5"), prim(6, "http://other.example.com")), // other method
      seq(oid("1.3.6.1.5.5.7.48.1"), prim(2, "dns.example.com")), // not a URI: skipped
    ),
  ),
  ext(
    "2.5.29.31",
    seq(
      seq(ctx(0, ctx(0, prim(6, "http://crl.example.com/a.crl")))),
      seq(ctx(1, set())), // no distributionPoint: skipped
    ),
  ),
  ext("2.5.29.32", seq(seq(oid("2.23.140.1.2.1")), seq(oid("1.3.6.1.4.1.44947.1.1.1")))),
  ext(
    "2.5.29.30",
    seq(
      ctx(
        0,
        seq(prim(2, "example.com")),
        seq(prim(1, "example.com")),
        seq(prim(6, "uri.example.com")),
        seq(ip(10, 0, 0, 0, 255, 0, 0, 0)),
      ),
      ctx(1, seq(prim(2, "bad.example.com"))),
    ),
    true,
  ),
  ext("2.5.29.54", int(0)),
  ext("2.5.29.36", seq(prim(0, Buffer.from([2])), prim(1, Buffer.from([0])))),
  ext("2.5.29.33", seq(seq(oid("2.23.140.1.2.1"), oid("2.23.140.1.2.2")))),
  ext("1.2.3.4.5", octet(Buffer.from("x")), false), // unknown, not critical
];

const RICH_SUBJECT = name(
  ["2.5.4.6", str(0x13, "GB")],
  ["2.5.4.8", str(0x14, "Caf\u00e9", "latin1")], // T61String: Latin-1
  ["2.5.4.7", tlv(0x1e, Buffer.from("L\u00f6nd", "utf16le").swap16())], // BMPString
  ["2.5.4.9", str(0x16, "1 Road")],
  ["2.5.4.17", str(0x12, "12345")], // NumericString
  ["2.5.4.10", utf8("Acme")],
  ["2.5.4.11", tlv(0x1e, Buffer.from("Eng\u0000", "utf16le").swap16())], // BMP, NUL-terminated
  ["2.5.4.5", str(0x13, "SN-42")],
  ["1.2.840.113549.1.9.1", str(0x16, "a@example.com")], // other type: Names only
  [
    ["2.5.4.3", utf8("multi")],
    ["2.5.4.10", utf8("Second Org")],
  ],
);

const RICH = certificate({
  subject: RICH_SUBJECT,
  serial: int(0x0123456789abcdefn),
  extensions: RICH_EXTENSIONS,
});

// --- a chain: root (RSA) → intermediate (P-256) → leaf (Ed25519) ---
const ROOT_NAME = cn("Root");
const INTER_NAME = cn("Inter");
const ROOT = certificate({
  subject: ROOT_NAME,
  issuer: ROOT_NAME,
  spki: spkiOf(KEYS.rsa.publicKey),
  extensions: [KU_CERT_SIGN, CA(1)],
});
const INTER = certificate({
  subject: INTER_NAME,
  serial: int(2),
  spki: spkiOf(KEYS.ec.publicKey),
  extensions: [KU_CERT_SIGN, CA()],
});
const leafOf = (extensions: Buffer[], spec: Spec = {}) =>
  certificate({
    issuer: INTER_NAME,
    subject: cn("leaf"),
    serial: int(3),
    signer: KEYS.ec.privateKey,
    spki: spkiOf(KEYS.ed.publicKey),
    extensions,
    ...spec,
  });
const LEAF_SANS = san(prim(2, "svc.example.com"), prim(2, "*.wild.example.com"), ip(10, 0, 0, 1));
const LEAF = leafOf([LEAF_SANS, eku(SERVER_AUTH)]);
const chainPem = (...ders: Buffer[]) => ders.map((d) => pem("CERTIFICATE", d)).join("");
const AT = { CurrentTime: 1_700_000_000_000_000_000 };

const VERIFY = "crypto.x509.parse_and_verify_certificates_with_options";
const PARSE = "crypto.x509.parse_certificates";
const verifyCase = (label: string, ders: Buffer[], options: object = AT): Case => [
  label,
  [VERIFY, [chainPem(...ders), options]],
];

type Case = [label: string, call: Call];

const CERTIFICATE_CASES: Case[] = [
  // crypto-x509-extensions / -names / -der: every extension Go fills a field from, every string type
  ["every handled extension and string type", [PARSE, [b64(RICH)]]],
  ["PEM of the same", [PARSE, [pem("CERTIFICATE", RICH)]]],
  ["base64 of PEM of a chain", [PARSE, [b64(chainPem(ROOT, INTER))]]],
  ["base64 of concatenated DER", [PARSE, [b64(Buffer.concat([ROOT, INTER, LEAF]))]]],
  ["PEM with trailing text after the last block", [PARSE, [`${pem("CERTIFICATE", ROOT)}trailing`]]],
  ["a v1 certificate (no version, no extensions)", [PARSE, [b64(certificate({ version: null }))]]],
  [
    "unhandled critical extension, serial 0x80 (leading zero byte)",
    [
      PARSE,
      [
        b64(
          certificate({
            serial: int(128),
            extensions: [ext("1.2.3.4", octet(Buffer.alloc(1)), true)],
          }),
        ),
      ],
    ],
  ],
  [
    "critical SAN with only other names: an unhandled critical extension",
    [PARSE, [b64(certificate({ extensions: [san(prim(0, Buffer.alloc(0))), CA(0)] }))]],
  ],
  [
    "UTCTime of 1950 to GeneralizedTime of 2050",
    [
      PARSE,
      [b64(certificate({ validity: seq(utc("500101000000Z"), generalized("20500101000000Z")) }))],
    ],
  ],
  [
    "DSA, P-384 and unknown public key algorithms",
    [
      PARSE,
      [
        b64(
          Buffer.concat([
            certificate({ spki: spkiOf(KEYS.dsa.publicKey) }),
            certificate({ spki: spkiOf(KEYS.ec384.publicKey) }),
            certificate({ spki: spkiOf(KEYS.ed.publicKey), signer: KEYS.ed.privateKey }),
            certificate({ spki: seq(seq(oid("1.2.3.4")), bits(Buffer.from("key"))) }),
          ]),
        ),
      ],
    ],
  ],
  [
    "RSA-PSS and unknown signature algorithms (both identifiers alike, signature not checked)",
    [
      PARSE,
      [
        b64(
          Buffer.concat(
            [
              seq(
                oid("1.2.840.113549.1.1.10"),
                seq(
                  ctx(0, seq(oid("2.16.840.1.101.3.4.2.1"))),
                  ctx(1, seq(oid("1.2.840.113549.1.1.8"), seq(oid("2.16.840.1.101.3.4.2.1")))),
                  ctx(2, int(32)),
                ),
              ),
              seq(oid("1.2.840.113549.1.1.10")),
              seq(oid("1.2.3.4")),
            ].map((alg) => {
              const tbs = seq(
                ctx(0, int(2)),
                int(1),
                alg,
                cn("R"),
                WINDOW,
                cn("S"),
                spkiOf(KEYS.ec.publicKey),
              );
              return seq(tbs, alg, bits(Buffer.from("sig")));
            }),
          ),
        ),
      ],
    ],
  ],
  // malformed input: each is an error in Go's parser
  ["one byte", [PARSE, [b64(Buffer.from([0x30]))]]],
  ["high tag number", [PARSE, [b64(Buffer.from([0x1f, 0x01, 0x00]))]]],
  ["indefinite length", [PARSE, [b64(Buffer.from([0x30, 0x80, 0x00, 0x00]))]]],
  ["length of five bytes", [PARSE, [b64(Buffer.from([0x30, 0x85, 1, 0, 0, 0, 0]))]]],
  ["length bytes cut off", [PARSE, [b64(Buffer.from([0x30, 0x82, 0x01]))]]],
  ["not a SEQUENCE", [PARSE, [b64(tlv(0x31, seq(), seq(), bits(Buffer.alloc(1))))]]],
  ["a SEQUENCE of one element", [PARSE, [b64(seq(seq()))]]],
  ["tbs too short", [PARSE, [b64(seq(seq(int(1)), seq(oid("1.2.3")), bits(Buffer.alloc(1))))]]],
  ["serial not an INTEGER", [PARSE, [b64(certificate({ serial: octet(Buffer.from([1])) }))]]],
  ["negative serial", [PARSE, [b64(certificate({ serial: int(-5) }))]]],
  ["empty serial INTEGER", [PARSE, [b64(certificate({ serial: tlv(0x02, Buffer.alloc(0)) }))]]],
  [
    "signature not a BIT STRING",
    [PARSE, [b64(certificate({ signature: octet(Buffer.from("s")) }))]],
  ],
  [
    "inner and outer algorithms differ",
    [PARSE, [b64(certificate({ outerAlgorithm: seq(oid("1.2.840.113549.1.1.12"), NULL) }))]],
  ],
  ["empty AlgorithmIdentifier", [PARSE, [b64(certificate({ outerAlgorithm: seq() }))]]],
  ["validity of one time", [PARSE, [b64(certificate({ validity: seq(utc("000101000000Z")) }))]]],
  ["validity time not a time", [PARSE, [b64(certificate({ validity: seq(int(1), int(2)) }))]]],
  [
    "UTCTime without Z",
    [PARSE, [b64(certificate({ validity: seq(utc("000101000000"), utc("491231235959Z")) }))]],
  ],
  ["spki without a key", [PARSE, [b64(certificate({ spki: seq(seq(oid("1.2.840.10045.2.1"))) }))]]],
  [
    "EC spki whose key does not parse",
    [
      PARSE,
      [
        b64(
          certificate({
            spki: seq(
              seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")),
              bits(Buffer.from([4, 1, 2])),
            ),
          }),
        ),
      ],
    ],
  ],
  [
    "extension value not an OCTET STRING",
    [PARSE, [b64(certificate({ extensions: [seq(oid("2.5.29.19"), seq())] }))]],
  ],
  [
    "extension id not an OBJECT IDENTIFIER",
    [PARSE, [b64(certificate({ extensions: [seq(int(1), octet(seq()))] }))]],
  ],
  ["SAN IP of length 5", [PARSE, [b64(certificate({ extensions: [san(ip(1, 2, 3, 4, 5))] }))]]],
  [
    "extension value with trailing data",
    [PARSE, [b64(certificate({ extensions: [ext("2.5.29.19", Buffer.concat([seq(), seq()]))] }))]],
  ],
  [
    "Name attribute without a value",
    [PARSE, [b64(certificate({ subject: seq(set(seq(oid("2.5.4.3")))) }))]],
  ],
  [
    "Name value an OCTET STRING",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", octet(Buffer.from("x"))]) }))]],
  ],
  [
    "Name value a BMPString of odd length",
    [
      PARSE,
      [b64(certificate({ subject: name(["2.5.4.3", tlv(0x1e, Buffer.from([0, 0x41, 0]))]) }))],
    ],
  ],
  [
    "Name value a VisibleString (Go has no reader for it)",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", str(0x1a, "x")]) }))]],
  ],
  [
    "Name value a BMPString of a surrogate",
    [
      PARSE,
      [b64(certificate({ subject: name(["2.5.4.3", tlv(0x1e, Buffer.from([0xd8, 0x00]))]) }))],
    ],
  ],
  [
    "Name value a UTF8String of invalid UTF-8",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", tlv(0x0c, Buffer.from([0xff]))]) }))]],
  ],
  [
    "Name value an IA5String beyond ASCII",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", tlv(0x16, Buffer.from([0xe9]))]) }))]],
  ],
  [
    "Name value a NumericString with a letter",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", str(0x12, "12a")]) }))]],
  ],
  [
    "PrintableString with a character it excludes",
    [PARSE, [b64(certificate({ subject: name(["2.5.4.3", str(0x13, "a_b")]) }))]],
  ],
  ["a PEM block of another type", [PARSE, [pem("PRIVATE KEY", ROOT)]]],
  ["not base64", [PARSE, ["!!"]]],
];

const VERIFY_CASES: Case[] = [
  // crypto-verify: chain building and each reason a candidate or chain is refused
  verifyCase("root, intermediate, leaf", [ROOT, INTER, LEAF]),
  verifyCase("the intermediate twice", [ROOT, INTER, INTER, LEAF]),
  verifyCase("leaf equal to the root", [ROOT, ROOT]),
  verifyCase("an intermediate of another key but the same name", [
    ROOT,
    certificate({ subject: INTER_NAME, spki: spkiOf(KEYS.other.publicKey), extensions: [CA()] }),
    LEAF,
  ]),
  verifyCase("intermediate missing", [ROOT, LEAF]),
  verifyCase("v1 intermediate: not a CA", [
    ROOT,
    certificate({ subject: INTER_NAME, version: null, spki: spkiOf(KEYS.ec.publicKey) }),
    LEAF,
  ]),
  verifyCase("root with a path length of 0 above an intermediate", [
    certificate({
      subject: ROOT_NAME,
      issuer: ROOT_NAME,
      spki: spkiOf(KEYS.rsa.publicKey),
      extensions: [CA(0)],
    }),
    INTER,
    LEAF,
  ]),
  verifyCase("root whose key usage lacks keyCertSign", [
    certificate({
      subject: ROOT_NAME,
      issuer: ROOT_NAME,
      spki: spkiOf(KEYS.rsa.publicKey),
      extensions: [KU_DIGITAL, CA()],
    }),
    INTER,
    LEAF,
  ]),
  verifyCase("root that is not a CA", [
    certificate({
      subject: ROOT_NAME,
      issuer: ROOT_NAME,
      spki: spkiOf(KEYS.rsa.publicKey),
      extensions: [NOT_CA],
    }),
    INTER,
    LEAF,
  ]),
  verifyCase("intermediate signed with SHA-1", [
    ROOT,
    certificate({
      subject: INTER_NAME,
      hash: "sha1",
      spki: spkiOf(KEYS.ec.publicKey),
      extensions: [CA()],
    }),
    LEAF,
  ]),
  verifyCase("intermediate expired at CurrentTime", [
    ROOT,
    certificate({
      subject: INTER_NAME,
      validity: seq(utc("000101000000Z"), utc("010101000000Z")),
      spki: spkiOf(KEYS.ec.publicKey),
      extensions: [CA()],
    }),
    LEAF,
  ]),
  verifyCase("root of an unknown key algorithm", [
    certificate({
      subject: ROOT_NAME,
      issuer: ROOT_NAME,
      spki: seq(seq(oid("1.2.3.4")), bits(Buffer.from("key"))),
      extensions: [CA()],
    }),
    INTER,
    LEAF,
  ]),
  verifyCase("leaf with an unhandled critical extension", [
    ROOT,
    INTER,
    leafOf([LEAF_SANS, ext("1.2.3.4", octet(Buffer.alloc(0)), true)]),
  ]),
  verifyCase("leaf for client auth only, default usage", [
    ROOT,
    INTER,
    leafOf([LEAF_SANS, eku(CLIENT_AUTH)]),
  ]),
  verifyCase(
    "leaf for client auth only, asked for client auth",
    [ROOT, INTER, leafOf([LEAF_SANS, eku(CLIENT_AUTH)])],
    { ...AT, KeyUsages: ["KeyUsageClientAuth"] },
  ),
  verifyCase(
    "leaf for any usage, asked for code signing",
    [ROOT, INTER, leafOf([LEAF_SANS, eku("2.5.29.37.0")])],
    { ...AT, KeyUsages: ["KeyUsageCodeSigning"] },
  ),
  verifyCase("leaf with only an unknown usage", [ROOT, INTER, leafOf([LEAF_SANS, eku("1.2.3.4")])]),
  verifyCase("asked for any usage", [ROOT, INTER, leafOf([LEAF_SANS, eku(CLIENT_AUTH)])], {
    ...AT,
    KeyUsages: ["KeyUsageAny"],
  }),
  verifyCase("two usages, the leaf has one", [ROOT, INTER, LEAF], {
    ...AT,
    KeyUsages: ["KeyUsageServerAuth", "KeyUsageClientAuth"],
  }),
  verifyCase("wildcard DNS name", [ROOT, INTER, LEAF], { ...AT, DNSName: "a.wild.example.com" }),
  verifyCase("wildcard is one label deep", [ROOT, INTER, LEAF], {
    ...AT,
    DNSName: "a.b.wild.example.com",
  }),
  verifyCase("DNS name in capitals with a trailing dot", [ROOT, INTER, LEAF], {
    ...AT,
    DNSName: "SVC.example.com.",
  }),
  verifyCase("IP address name", [ROOT, INTER, LEAF], { ...AT, DNSName: "10.0.0.1" }),
  verifyCase("IPv6 address name not in the leaf", [ROOT, INTER, LEAF], { ...AT, DNSName: "[::1]" }),
  verifyCase("leaf without SANs", [ROOT, INTER, leafOf([eku(SERVER_AUTH)])], {
    ...AT,
    DNSName: "svc.example.com",
  }),
  verifyCase("DNS name in quotes (OPA trims them)", [ROOT, INTER, LEAF], {
    ...AT,
    DNSName: '"svc.example.com"',
  }),
  // crypto-options: each option's type errors
  verifyCase("DNSName not a string", [ROOT, INTER, LEAF], { DNSName: 1 }),
  verifyCase("CurrentTime not a number", [ROOT, INTER, LEAF], { CurrentTime: "now" }),
  verifyCase("CurrentTime not an integer", [ROOT, INTER, LEAF], { CurrentTime: 1.5 }),
  verifyCase("CurrentTime beyond int64", [ROOT, INTER, LEAF], { CurrentTime: 1e30 }),
  verifyCase("MaxConstraintComparisons", [ROOT, INTER, LEAF], {
    ...AT,
    MaxConstraintComparisons: 10,
  }),
  verifyCase("MaxConstraintComparisons not a number", [ROOT, INTER, LEAF], {
    ...AT,
    MaxConstraintComparisons: "10",
  }),
  verifyCase("MaxConstraintComparisons not an integer", [ROOT, INTER, LEAF], {
    ...AT,
    MaxConstraintComparisons: 1.5,
  }),
  verifyCase("KeyUsages not a list", [ROOT, INTER, LEAF], { ...AT, KeyUsages: "KeyUsageAny" }),
  verifyCase("KeyUsages with a non-string entry (skipped)", [ROOT, INTER, LEAF], {
    ...AT,
    KeyUsages: [1, "KeyUsageServerAuth"],
  }),
  // crypto.ts: operand checks
  ["options not an object", [VERIFY, [chainPem(ROOT, LEAF), [1]]]],
  ["input that does not parse", [VERIFY, ["!!", AT]]],
  // parse_and_verify_certificates: the clock is the evaluation's (the chain is valid 2000–2049)
  ["without options", ["crypto.x509.parse_and_verify_certificates", [chainPem(ROOT, INTER, LEAF)]]],
  ["without options, not base64", ["crypto.x509.parse_and_verify_certificates", ["!!"]]],
];

// --- certificate requests ---
function request(
  attributes: Buffer[] | null,
  spec: { subject?: Buffer; version?: Buffer } = {},
): Buffer {
  const info = seq(
    spec.version ?? int(0),
    spec.subject ?? cn("req"),
    spkiOf(KEYS.ec.publicKey),
    ...(attributes === null ? [] : [ctx(0, ...attributes)]),
  );
  return seq(info, seq(oid("1.2.840.10045.4.3.2")), bits(sign("sha256", info, KEYS.ec.privateKey)));
}
const extensionRequest = (...extensions: Buffer[]) =>
  seq(oid("1.2.840.113549.1.9.14"), set(seq(...extensions)));
const CSR = "crypto.x509.parse_certificate_request";

const REQUEST_CASES: Case[] = [
  // crypto-csr: attributes, requested extensions (critical or not), SANs
  [
    "extension request with SANs, a critical and a plain extension",
    [
      CSR,
      [
        pem(
          "CERTIFICATE REQUEST",
          request([
            extensionRequest(
              san(
                prim(2, "a.example.com"),
                prim(1, "a@example.com"),
                ip(1, 2, 3, 4),
                prim(6, "https://a.example.com/x"),
              ),
              ext("2.5.29.19", seq(bool(true)), true),
              ext("2.5.29.15", bits(Buffer.from([0x80])), false),
            ),
          ]),
        ),
      ],
    ],
  ],
  [
    "SAN with DNS names only",
    [CSR, [b64(request([extensionRequest(san(prim(2, "b.example.com")))]))]],
  ],
  ["no attributes ([0] is required)", [CSR, [b64(request(null))]]],
  [
    "subject values encoding/asn1 decodes: INTEGER, OID, OCTET STRING, BOOLEAN, time, other",
    [
      CSR,
      [
        b64(
          request([], {
            subject: name(
              ["2.5.4.3", int(7)],
              ["2.5.4.10", oid("1.2.3")],
              ["2.5.4.11", octet(Buffer.from("o"))],
              ["2.5.4.6", bool(true)],
              ["2.5.4.7", utc("200101000000Z")],
              ["2.5.4.8", tlv(0x05, Buffer.alloc(0))],
              ["2.5.4.9", str(0x13, "street")],
            ),
          }),
        ),
      ],
    ],
  ],
  [
    "subject value a VisibleString (null to encoding/asn1)",
    [CSR, [b64(request([], { subject: name(["2.5.4.3", str(0x1a, "v")]) }))]],
  ],
  [
    "attribute values of each type",
    [
      CSR,
      [
        b64(
          request([
            seq(
              oid("1.2.3.4"),
              set(
                seq(
                  seq(oid("1.2.3.5"), utf8("v")),
                  seq(oid("1.2.3.6"), int(5)),
                  seq(oid("1.2.3.7"), octet(Buffer.from("o"))),
                ),
              ),
            ),
            seq(oid("1.2.3.8"), set()),
          ]),
        ),
      ],
    ],
  ],
  [
    "the same extension requested twice",
    [
      CSR,
      [
        b64(
          request([
            extensionRequest(ext("2.5.29.19", seq())),
            extensionRequest(ext("2.5.29.19", seq())),
          ]),
        ),
      ],
    ],
  ],
  [
    "extensionRequest not a SEQUENCE of extensions",
    [CSR, [b64(request([seq(oid("1.2.840.113549.1.9.14"), set(set()))]))]],
  ],
  [
    "extensionRequest of an extension without a value",
    [CSR, [b64(request([seq(oid("1.2.840.113549.1.9.14"), set(seq(seq(oid("2.5.29.19")))))]))]],
  ],
  [
    "extensionRequest without values (skipped)",
    [CSR, [b64(request([seq(oid("1.2.840.113549.1.9.14"), set())]))]],
  ],
  ["version not an INTEGER", [CSR, [b64(request([], { version: octet(Buffer.alloc(1)) }))]]],
  ["empty attributes", [CSR, [b64(request([]))]]],
  [
    "challengePassword attribute (skipped by Go)",
    [CSR, [b64(request([seq(oid("1.2.840.113549.1.9.7"), set(utf8("pw")))]))]],
  ],
  [
    "attribute of ATV sets",
    [CSR, [b64(request([seq(oid("1.2.3.4"), set(set(seq(oid("1.2.3.5"), utf8("v")))))]))]],
  ],
  ["attribute without values", [CSR, [b64(request([seq(oid("1.2.3.4"))]))]]],
  ["trailing byte", [CSR, [b64(Buffer.concat([request(null), Buffer.from([0])]))]]],
  ["one element", [CSR, [b64(seq(seq()))]]],
  ["info too short", [CSR, [b64(seq(seq(int(0)), seq(oid("1.2.3")), bits(Buffer.alloc(1))))]]],
  ["a CERTIFICATE PEM block", [CSR, [b64(pem("CERTIFICATE", request(null)))]]],
  [
    "a PEM with the CSR header but another block type first",
    [CSR, [`-----BEGIN CERTIFICATE REQUEST-----\n${pem("CERTIFICATE", request(null))}`]],
  ],
  ["not base64", [CSR, ["!!"]]],
];

// --- key pairs and private keys ---
const pkcs8 = (key: KeyObject) => key.export({ format: "der", type: "pkcs8" });
const RSA_KEY_PEM = KEYS.rsa.privateKey.export({ format: "pem", type: "pkcs1" }).toString();
const EC_KEY_PEM = KEYS.ec.privateKey.export({ format: "pem", type: "sec1" }).toString();
const EC_CERT = certificate({ spki: spkiOf(KEYS.ec.publicKey) });
const PAIR = "crypto.x509.parse_keypair";

const KEY_CASES: Case[] = [
  // crypto-keypair: every input form and each error
  ["PEM certificate, SEC 1 key", [PAIR, [pem("CERTIFICATE", EC_CERT), EC_KEY_PEM]]],
  ["base64 DER of both (PKCS #8 key)", [PAIR, [b64(EC_CERT), b64(pkcs8(KEYS.ec.privateKey))]]],
  ["base64 PEM of both", [PAIR, [b64(pem("CERTIFICATE", EC_CERT)), b64(EC_KEY_PEM)]]],
  [
    "key PEM after another block",
    [PAIR, [pem("CERTIFICATE", EC_CERT), pem("CERTIFICATE", EC_CERT) + EC_KEY_PEM]],
  ],
  [
    "certificate PEM after a key block, trailing text",
    [PAIR, [`${EC_KEY_PEM}${pem("CERTIFICATE", EC_CERT)}junk`, EC_KEY_PEM]],
  ],
  ["no certificate block", [PAIR, [EC_KEY_PEM, EC_KEY_PEM]]],
  ["no key block", [PAIR, [pem("CERTIFICATE", EC_CERT), pem("CERTIFICATE", EC_CERT)]]],
  [
    "a key that does not parse",
    [PAIR, [pem("CERTIFICATE", EC_CERT), pem("PRIVATE KEY", Buffer.from("junk"))]],
  ],
  ["certificate not base64", [PAIR, ["!!", EC_KEY_PEM]]],
  ["key not base64", [PAIR, [pem("CERTIFICATE", EC_CERT), "!!"]]],
  // crypto-keys: each key type Go marshals, and keys that do not parse
  [
    "PKCS #1 RSA, SEC 1 EC, PKCS #8 Ed25519",
    [
      "crypto.parse_private_keys",
      [RSA_KEY_PEM + EC_KEY_PEM + pem("PRIVATE KEY", pkcs8(KEYS.ed.privateKey))],
    ],
  ],
  [
    "PKCS #8 X25519",
    ["crypto.parse_private_keys", [pem("PRIVATE KEY", pkcs8(KEYS.x25519.privateKey))]],
  ],
  ["PKCS #8 DSA", ["crypto.parse_private_keys", [pem("PRIVATE KEY", pkcs8(KEYS.dsa.privateKey))]]],
  [
    "RSA PRIVATE KEY block that does not parse",
    ["crypto.parse_private_keys", [pem("RSA PRIVATE KEY", Buffer.from("junk"))]],
  ],
  [
    "a block of another type (skipped)",
    ["crypto.parse_private_keys", [pem("CERTIFICATE", EC_CERT)]],
  ],
  ["not a string", ["crypto.parse_private_keys", [1]]],
  // crypto.ts: parse_rsa_private_key's forms
  ["RSA key as JWK from base64", ["crypto.x509.parse_rsa_private_key", [b64(RSA_KEY_PEM)]]],
  ["no key block", ["crypto.x509.parse_rsa_private_key", [pem("CERTIFICATE", EC_CERT)]]],
  ["not base64", ["crypto.x509.parse_rsa_private_key", ["!!"]]],
];

// --- crypto-pem: Go's pem.Decode on headers, unterminated and undecodable blocks ---
const ROOT_BODY = b64(ROOT).replace(/.{64}/g, "$&\n");
const PEM_CASES: Case[] = [
  [
    "block with headers",
    [
      PARSE,
      [
        `-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nX: y\n\n${ROOT_BODY}\n-----END CERTIFICATE-----\n`,
      ],
    ],
  ],
  [
    "first BEGIN never ends, the second block does",
    [PARSE, [`-----BEGIN CERTIFICATE-----\nAAAA\n${pem("CERTIFICATE", ROOT)}`]],
  ],
  [
    "first block not base64, the second is",
    [
      PARSE,
      [`-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n${pem("CERTIFICATE", ROOT)}`],
    ],
  ],
  ["only a BEGIN line", [PARSE, ["-----BEGIN CERTIFICATE-----\n"]]],
];

/** Cases built to succeed: a fixture Go refuses would leave the branches they are for untested. */
const DEFINED = new Set([
  "every handled extension and string type",
  "DSA, P-384 and unknown public key algorithms",
  "root, intermediate, leaf",
  "extension request with SANs, a critical and a plain extension",
  "subject values encoding/asn1 decodes: INTEGER, OID, OCTET STRING, BOOLEAN, time, other",
  "attribute values of each type",
  "PEM certificate, SEC 1 key",
  "PKCS #1 RSA, SEC 1 EC, PKCS #8 Ed25519",
]);

const CASES: Case[] = [
  ...CERTIFICATE_CASES,
  ...VERIFY_CASES,
  ...REQUEST_CASES,
  ...KEY_CASES,
  ...PEM_CASES,
];

describe("x509 and key builtins: ours equals topdown", () => {
  let want: unknown[];
  beforeAll(() => {
    want = topdown(CASES.map(([, call]) => call));
  });
  const now = () => BigInt(Date.now()) * 1_000_000n;
  it.each(CASES.map(([label, call], i) => [call[0], label, i] as const))(
    "%s: %s",
    (_name, _label, i) => {
      const [label, call] = CASES[i] as Case;
      if (DEFINED.has(label)) expect(want[i]).not.toBe(UNDEFINED);
      expect(ours(call, now())).toEqual(want[i]);
    },
  );
});
