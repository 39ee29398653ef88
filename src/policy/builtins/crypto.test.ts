import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createContextSource } from "./context.js";
import { cryptoBuiltins } from "./crypto.js";

// Test PKI made with openssl 3 (P-256 root, RSA-2048 leaf with SAN DNS/URI/IP/email, EKU
// serverAuth+clientAuth), valid 2026-12-01 to 2036-11-28. Keys are test-only.
const CA_PEM =
  "-----BEGIN CERTIFICATE-----\nMIIB1DCCAXqgAwIBAgIUJqFSjx1w7eowSvmKr5f0+VD552gwCgYIKoZIzj0EAwIw\nNjELMAkGA1UEBhMCR0IxEDAOBgNVBAoMB0V4YW1wbGUxFTATBgNVBAMMDEV4YW1w\nbGUgUm9vdDAeFw0yNjEyMDEyMjQ4NTRaFw0zNjExMjgyMjQ4NTRaMDYxCzAJBgNV\nBAYTAkdCMRAwDgYDVQQKDAdFeGFtcGxlMRUwEwYDVQQDDAxFeGFtcGxlIFJvb3Qw\nWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARwLxo4lrC3rI+QipSAXKS62qKUQOWO\nWDAZECz33JOPPHMAjnB0G13VnR4+WTkbqH6kI25bfKn8c+B+DtCkLn9go2YwZDAd\nBgNVHQ4EFgQUM9UNCFDdh/mtWZTTqGJuMf38c+0wHwYDVR0jBBgwFoAUM9UNCFDd\nh/mtWZTTqGJuMf38c+0wEgYDVR0TAQH/BAgwBgEB/wIBATAOBgNVHQ8BAf8EBAMC\nAQYwCgYIKoZIzj0EAwIDSAAwRQIgAn3WLHrCFmEbDsS5K7kv+o2NyPRBheL6pCKI\nfnSC24kCIQD2CgYCHlTItsOsA06zTKESTh2fkTxr2ZI1qVLLCW0Aug==\n-----END CERTIFICATE-----\n";
const LEAF_PEM =
  "-----BEGIN CERTIFICATE-----\nMIIDKjCCAtCgAwIBAgIUJvqd/VFUBGbfz02V3YYJLFWZjqUwCgYIKoZIzj0EAwIw\nNjELMAkGA1UEBhMCR0IxEDAOBgNVBAoMB0V4YW1wbGUxFTATBgNVBAMMDEV4YW1w\nbGUgUm9vdDAeFw0yNjEyMDEyMjQ4NTRaFw0zNjExMjgyMjQ4NTRaMF4xCzAJBgNV\nBAYTAlVTMQswCQYDVQQIDAJDQTELMAkGA1UEBwwCU0YxDTALBgNVBAoMBEFjbWUx\nDDAKBgNVBAsMA0VuZzEYMBYGA1UEAwwPc3ZjLmV4YW1wbGUuY29tMIIBIjANBgkq\nhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxXBQJ4lyNh5rj8QRkMg/3Th7iuXpw2up\ns73UNVBF4k3gmI2mKteCOEqLGOHJmgeALUwcWHjn4u0hWO+XWTXSGn27r/OLpcqH\nit5UOtCD+7ax0fwmXeE1qG6fWCPE30DI6atAKZwIlYXRfsrKy1aRKLDjQ7YJq8WA\nmPGJc9c6sE37aX4iTaAVDNSx9RmtG1Zo14gHmxar1vo13LU6gli6QyqZvc3F5mW1\nAq+ebMZ84BdccEwSqakSQr2xXrzgZocYaLPettsrnikhpY0yDFcvOlTVzhF7xcje\nJm9bpPK/VoxYrNERbAXIs1YGSEw5K9N6Uc/QuPC7UfoGoH9dUpyVuQIDAQABo4HI\nMIHFMAkGA1UdEwQCMAAwDgYDVR0PAQH/BAQDAgWgMB0GA1UdJQQWMBQGCCsGAQUF\nBwMBBggrBgEFBQcDAjBJBgNVHREEQjBAgg9zdmMuZXhhbXBsZS5jb22GGHNwaWZm\nZTovL2V4YW1wbGUuY29tL3N2Y4cEfwAAAYENYUBleGFtcGxlLmNvbTAdBgNVHQ4E\nFgQU0xQ6MGAztian7E7fjA4m6peHv+IwHwYDVR0jBBgwFoAUM9UNCFDdh/mtWZTT\nqGJuMf38c+0wCgYIKoZIzj0EAwIDSAAwRQIgS3W8x9TQIFKquNitwKKwJQf9NB+n\n3YiRKSw3YPAKS8UCIQCx3KMJOdPYFb6Hypn4oDMDa4jr3wqmqDmAjkrMyQIeFQ==\n-----END CERTIFICATE-----\n";
const LEAF_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDFcFAniXI2HmuP\nxBGQyD/dOHuK5enDa6mzvdQ1UEXiTeCYjaYq14I4SosY4cmaB4AtTBxYeOfi7SFY\n75dZNdIafbuv84ulyoeK3lQ60IP7trHR/CZd4TWobp9YI8TfQMjpq0ApnAiVhdF+\nysrLVpEosONDtgmrxYCY8Ylz1zqwTftpfiJNoBUM1LH1Ga0bVmjXiAebFqvW+jXc\ntTqCWLpDKpm9zcXmZbUCr55sxnzgF1xwTBKpqRJCvbFevOBmhxhos9622yueKSGl\njTIMVy86VNXOEXvFyN4mb1uk8r9WjFis0RFsBcizVgZITDkr03pRz9C48LtR+gag\nf11SnJW5AgMBAAECggEAYhv7WIouHMJlBJ2TdPRs98q3aT/yN09qlox/xLZM47V7\nI5NPvP42ES7Ji+W2vjl38gpeE4CRCex3o6/67zOVYeCUwUwuWoYXcGQmSsuOqigQ\nmJ3JmuDsPvQpbizoCWAx9htI2ORWR6algXHX787mduffJqhwidCspFNx0ARlf3GA\nA1IArwYGT4Iaei3EFO1ZZ0ndPFRE0KEgBgcOO9xETIT0yniTMUFOJ8qZzJ0VHani\nqkbShicktegGcvbhAJMTKKj7oU3q6YPN7g+tNAfXXmBtdrih4OL1sBYs/sqQc47N\n6JEemHod0yvugQ5xTzDf8vfclAzqc+bJ2ZCZ7ROdmQKBgQD6Oz+eW5Oz3+Ruo7Ol\nZh8szKiTNfKllezUWP2z/kFYNkEObL1kE3KSaScquwGfhbffNYrA6PC19HB44/sb\n9yfrLrzYdb+2PRr7c26B3Xx22fToaThEH4WsasLSZWV2Rds4ffWQChpgRBF+RkWK\nb9YChYoYWAFF48FvpmIK1ze14wKBgQDJ/YGRwcrPBzvuw2VyQ/2wkX1cixzwyWCj\nmbQQiBCnHFNbrwn0Woga3yTLPX+cmrMAXWD8H6LQk7FBozr7y9TvmT0YQPAYg6NK\nq/O94Q3aRW3Pn5Gxk6QhkA/8BsCHcuWYDUh3AlssNaYWnRmDuNgimiL6dWTBiK/f\nuDRn7eJ4swKBgCaAn1Vaeeufc6Kiha3ZfMqD4xxjnKZl3z79QmxDnwJXtsLlcG7J\nn0Nv8prck29cP+KUdnkgXolgxz2Stryi1v2U/3G/DHSaCmDObh6FWfVfrBNmvUWe\nJA9XjgqZl3cPYJ/cocA8DbrqPlbTsTeP5boVmh4MzIVYehcX3tYUL3pJAoGBAJfx\nhc0yPTB9HZ1fCOnqsWRoHShHUU7j/Tkz/xrMb9J1YVM/mbphe67TGudz7JHOYUat\n963Q0nYaE6XvdwhAbX6LBEVBXBrksyoRrXmxWO1PeupK+5rcGARTTWLlZWC+km1N\n2KwFbrYT6Utrg+ztWFC3KAbF1jQrcTlWZL2lWc43AoGACWOU0Gb53Y/aGIvc/Hjw\n1W5NEBaNoDYIz/qPM1nvgy6JL3llTTrzvIFHdxABNlW6/f6y1F6Lhl5vqW5/niI6\n8I0Vktf9qeJCaNsWXeqxxDR7Ye0ejmWmrQuKdkZtMa8OPFqyIqJPvQNtRlR8blnR\nTyGjN/fd20d+rRoqUUPcqWc=\n-----END PRIVATE KEY-----\n";
const CA_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgd3corcXJpGYvp1Lz\np5oobHvx77iRb8gGw9Uvorb8lMmhRANCAARwLxo4lrC3rI+QipSAXKS62qKUQOWO\nWDAZECz33JOPPHMAjnB0G13VnR4+WTkbqH6kI25bfKn8c+B+DtCkLn9g\n-----END PRIVATE KEY-----\n";
const LEAF_CSR =
  "-----BEGIN CERTIFICATE REQUEST-----\nMIIC/zCCAecCAQAwXjELMAkGA1UEBhMCVVMxCzAJBgNVBAgMAkNBMQswCQYDVQQH\nDAJTRjENMAsGA1UECgwEQWNtZTEMMAoGA1UECwwDRW5nMRgwFgYDVQQDDA9zdmMu\nZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDFcFAn\niXI2HmuPxBGQyD/dOHuK5enDa6mzvdQ1UEXiTeCYjaYq14I4SosY4cmaB4AtTBxY\neOfi7SFY75dZNdIafbuv84ulyoeK3lQ60IP7trHR/CZd4TWobp9YI8TfQMjpq0Ap\nnAiVhdF+ysrLVpEosONDtgmrxYCY8Ylz1zqwTftpfiJNoBUM1LH1Ga0bVmjXiAeb\nFqvW+jXctTqCWLpDKpm9zcXmZbUCr55sxnzgF1xwTBKpqRJCvbFevOBmhxhos962\n2yueKSGljTIMVy86VNXOEXvFyN4mb1uk8r9WjFis0RFsBcizVgZITDkr03pRz9C4\n8LtR+gagf11SnJW5AgMBAAGgXDBaBgkqhkiG9w0BCQ4xTTBLMEkGA1UdEQRCMECC\nD3N2Yy5leGFtcGxlLmNvbYYYc3BpZmZlOi8vZXhhbXBsZS5jb20vc3ZjhwR/AAAB\ngQ1hQGV4YW1wbGUuY29tMA0GCSqGSIb3DQEBCwUAA4IBAQB7CbD3B9xqyUMRaWLT\ncoNZxyoUOYlAJ6DyafRRNf8pcFdmWrs68aJkdIBgI3BU3IXQnaj/Lct5i4fiZFLr\nRZOiwr/OAVyvOAwKyfqciE5bIHiKjvUsVx1FKgnMCh81XBRUAYzVCNZbEfvpwGpO\nFK8ZwEL1zrqflV5YFMRVi5pPgpTiM4yALpORygzS4XK61Acjq4UHIvXdBR1arX1t\nEboEvLdkAgh2vzz7DsMHkEnGam0rSn8hZmx56FkL1GSAq9XqZrL28IfLIeOFy+LS\nTkFWvEp3nX5IpAgxT3IlVarpkTO5zrH4Fe/3C6GjqA1Rtgifrfu3r2cJNhTiGmWq\nHAfO\n-----END CERTIFICATE REQUEST-----\n";

// 2030-01-01T00:00:00Z: inside every fixture's validity.
const NOW_NS = 1_893_456_000_000_000_000n;
const context = createContextSource({ nowNs: () => NOW_NS, print: () => {} }).current;

/** A builtin's result as a JSON value (raw JSON text parsed with big integers as strings). */
function call(name: string, ...args: unknown[]): unknown {
  const builtin = cryptoBuiltins[name];
  if (!builtin) throw new Error(`no builtin ${name}`);
  const result = builtin(context, ...args);
  if (!(result instanceof ArrayBuffer)) return result;
  return exact(new TextDecoder().decode(result));
}

/** JSON text with every number as its digit string, so big integers compare exactly. */
function exact(text: string): unknown {
  return JSON.parse(
    text.replace(/("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (m, s) =>
      s ? s : JSON.stringify(`#${m}`),
    ),
  );
}

/** What the real topdown gives for `query` with `input` (`opa eval -f raw --stdin-input`). */
function opaEval(query: string, input: unknown): unknown {
  const out = execFileSync(".tools/bin/opa", ["eval", "-f", "raw", "--stdin-input", query], {
    input: JSON.stringify(input),
  });
  const text = out.toString().trim();
  return text === "" ? undefined : exact(text);
}

describe("hashes and HMACs", () => {
  // opa eval -f raw '[crypto.md5("hello"), crypto.sha1("hello"), crypto.sha256("héllo"),
  //   crypto.hmac.md5("msg","key"), crypto.hmac.sha1("msg","key"), crypto.hmac.sha256("msg","key"),
  //   crypto.hmac.sha512("msg","key"), crypto.hmac.equal("abc","abc"),
  //   crypto.hmac.equal("abc","abd"), crypto.md5("")]'
  it.each([
    ["crypto.md5", ["hello"], "5d41402abc4b2a76b9719d911017c592"],
    ["crypto.md5", [""], "d41d8cd98f00b204e9800998ecf8427e"],
    ["crypto.sha1", ["hello"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"],
    [
      "crypto.sha256",
      ["héllo"],
      "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179",
    ],
    ["crypto.hmac.md5", ["msg", "key"], "18e3548c59ad40dd03907b7aeee71d67"],
    ["crypto.hmac.sha1", ["msg", "key"], "102900b72b7bf1031eec76b4804b66052376896b"],
    [
      "crypto.hmac.sha256",
      ["msg", "key"],
      "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628",
    ],
    [
      "crypto.hmac.sha512",
      ["msg", "key"],
      "1e4b55b925ccc28ed90d9d18fc2393fcbe164c0d84e67e173cc5aa486b7afc106633c66bdc309076f5f8d9fdbbb62456f894f2c23377fbcc12f4ab2940eb6d70",
    ],
    ["crypto.hmac.equal", ["abc", "abc"], true],
    ["crypto.hmac.equal", ["abc", "abd"], false],
    ["crypto.hmac.equal", ["abc", "abcd"], false],
  ])("%s(%j) = %j", (name, args, want) => {
    expect(call(name, ...args)).toEqual(want);
  });

  it("throws (an undefined expression) on a non-string operand", () => {
    expect(() => call("crypto.sha256", 1)).toThrow("operand 1 must be string");
    expect(() => call("crypto.hmac.sha256", "m", ["k"])).toThrow("operand 2 must be string");
  });
});

// Every case here is compared with the real topdown on the same arguments, run at test time:
// opa eval -f raw --stdin-input 'crypto.x509.parse_certificates(input[0])' (and so on).
describe("x509 and key builtins against opa eval", () => {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const der = (pem: string) =>
    Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64").toString("base64");
  const verifyAt = { CurrentTime: Number(NOW_NS) };
  it.each<[string, string, unknown[]]>([
    ["crypto.x509.parse_certificates", "PEM leaf (RSA, SANs, EKU)", [LEAF_PEM]],
    ["crypto.x509.parse_certificates", "PEM chain", [LEAF_PEM + CA_PEM]],
    ["crypto.x509.parse_certificates", "base64 of PEM", [b64(CA_PEM)]],
    ["crypto.x509.parse_certificates", "base64 of DER", [der(CA_PEM)]],
    ["crypto.x509.parse_certificate_request", "PEM CSR", [LEAF_CSR]],
    ["crypto.x509.parse_certificate_request", "base64 DER CSR", [der(LEAF_CSR)]],
    ["crypto.parse_private_keys", "PKCS#8 RSA", [LEAF_KEY]],
    ["crypto.parse_private_keys", "two keys, base64", [b64(LEAF_KEY + CA_KEY)]],
    ["crypto.parse_private_keys", "no key", ["not a key"]],
    ["crypto.x509.parse_rsa_private_key", "RSA as JWK", [LEAF_KEY]],
    ["crypto.x509.parse_rsa_private_key", "EC as JWK", [CA_KEY]],
    ["crypto.x509.parse_keypair", "RSA leaf", [LEAF_PEM, LEAF_KEY]],
    ["crypto.x509.parse_keypair", "base64 DER", [der(CA_PEM), der(CA_KEY)]],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "valid",
      [CA_PEM + LEAF_PEM, verifyAt],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "DNS name and client usage",
      [
        CA_PEM + LEAF_PEM,
        { ...verifyAt, DNSName: "svc.example.com", KeyUsages: ["KeyUsageClientAuth"] },
      ],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "wrong DNS name",
      [CA_PEM + LEAF_PEM, { ...verifyAt, DNSName: "other.example.com" }],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "usage the leaf lacks",
      [CA_PEM + LEAF_PEM, { ...verifyAt, KeyUsages: ["KeyUsageCodeSigning"] }],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "before NotBefore",
      [CA_PEM + LEAF_PEM, { CurrentTime: 1_700_000_000_000_000_000 }],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "reversed chain",
      [LEAF_PEM + CA_PEM, verifyAt],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "one certificate",
      [LEAF_PEM, verifyAt],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "bad option",
      [CA_PEM + LEAF_PEM, { Nope: 1 }],
    ],
    [
      "crypto.x509.parse_and_verify_certificates_with_options",
      "bad key usage",
      [CA_PEM + LEAF_PEM, { KeyUsages: ["KeyUsageNope"] }],
    ],
    ["crypto.x509.parse_certificates", "malformed DER", [b64("badstring")]],
    ["crypto.x509.parse_certificates", "not base64", ["foobar"]],
    ["crypto.x509.parse_certificates", "a key where a certificate goes", [LEAF_KEY]],
    ["crypto.x509.parse_keypair", "key of another certificate", [LEAF_PEM, CA_KEY]],
  ])("%s: %s", (name, _label, args) => {
    const query = `${name}(${args.map((_, i) => `input[${i}]`).join(", ")})`;
    const want = opaEval(query, args);
    if (want === undefined) expect(() => call(name, ...args)).toThrow();
    else expect(call(name, ...args)).toEqual(want);
  });

  it("parse_and_verify_certificates uses the evaluation clock and adds URIStrings", () => {
    // opa eval: the same chain verifies now (2026-12-01 or later) with URIStrings on each cert.
    const [ok, chain] = call("crypto.x509.parse_and_verify_certificates", CA_PEM + LEAF_PEM) as [
      boolean,
      { Subject: { CommonName: string }; URIStrings: string[] | null }[],
    ];
    expect(ok).toBe(true);
    expect(chain.map((c) => [c.Subject.CommonName, c.URIStrings])).toEqual([
      ["svc.example.com", ["spiffe://example.com/svc"]],
      ["Example Root", null],
    ]);
    const past = createContextSource({
      nowNs: () => 1_700_000_000_000_000_000n,
      print: () => {},
    }).current;
    const result = cryptoBuiltins["crypto.x509.parse_and_verify_certificates"]?.(
      past,
      CA_PEM + LEAF_PEM,
    );
    expect(new TextDecoder().decode(result as ArrayBuffer)).toBe("[false,[]]");
  });

  it("returns the cached parse for equal input, and the same error again for bad input", () => {
    const first = call("crypto.x509.parse_certificates", LEAF_PEM);
    expect(call("crypto.x509.parse_certificates", LEAF_PEM)).toEqual(first);
    expect(() => call("crypto.x509.parse_certificates", "foobar")).toThrow("illegal base64");
    expect(() => call("crypto.x509.parse_certificates", "foobar")).toThrow("illegal base64");
  });

  it("keeps empty inputs as topdown does", () => {
    // opa eval 'crypto.parse_private_keys("")' → null; crypto.x509.parse_rsa_private_key("") → error
    expect(call("crypto.parse_private_keys", "")).toBeNull();
    expect(() => call("crypto.x509.parse_rsa_private_key", "")).toThrow("input PEM data was empty");
  });
});
