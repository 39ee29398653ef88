/**
 * The crypto builtins end to end: a policy built by the real `opa build -t wasm` that calls them
 * on a test PKI, served by the sidecar, answers with the values topdown (`opa eval`) gives.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "./support/bundles.js";
import { checkClient } from "./support/client.js";
import { tool } from "./support/paths.js";
import { run, type Sidecar, startSidecar } from "./support/processes.js";

// openssl 3 test PKI: P-256 root, RSA-2048 leaf (SAN DNS/URI/IP/email), valid 2026-12-01..2036-11-28.
const PKI = {
  ca: "-----BEGIN CERTIFICATE-----\nMIIB1DCCAXqgAwIBAgIUJqFSjx1w7eowSvmKr5f0+VD552gwCgYIKoZIzj0EAwIw\nNjELMAkGA1UEBhMCR0IxEDAOBgNVBAoMB0V4YW1wbGUxFTATBgNVBAMMDEV4YW1w\nbGUgUm9vdDAeFw0yNjEyMDEyMjQ4NTRaFw0zNjExMjgyMjQ4NTRaMDYxCzAJBgNV\nBAYTAkdCMRAwDgYDVQQKDAdFeGFtcGxlMRUwEwYDVQQDDAxFeGFtcGxlIFJvb3Qw\nWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARwLxo4lrC3rI+QipSAXKS62qKUQOWO\nWDAZECz33JOPPHMAjnB0G13VnR4+WTkbqH6kI25bfKn8c+B+DtCkLn9go2YwZDAd\nBgNVHQ4EFgQUM9UNCFDdh/mtWZTTqGJuMf38c+0wHwYDVR0jBBgwFoAUM9UNCFDd\nh/mtWZTTqGJuMf38c+0wEgYDVR0TAQH/BAgwBgEB/wIBATAOBgNVHQ8BAf8EBAMC\nAQYwCgYIKoZIzj0EAwIDSAAwRQIgAn3WLHrCFmEbDsS5K7kv+o2NyPRBheL6pCKI\nfnSC24kCIQD2CgYCHlTItsOsA06zTKESTh2fkTxr2ZI1qVLLCW0Aug==\n-----END CERTIFICATE-----\n",
  leaf: "-----BEGIN CERTIFICATE-----\nMIIDKjCCAtCgAwIBAgIUJvqd/VFUBGbfz02V3YYJLFWZjqUwCgYIKoZIzj0EAwIw\nNjELMAkGA1UEBhMCR0IxEDAOBgNVBAoMB0V4YW1wbGUxFTATBgNVBAMMDEV4YW1w\nbGUgUm9vdDAeFw0yNjEyMDEyMjQ4NTRaFw0zNjExMjgyMjQ4NTRaMF4xCzAJBgNV\nBAYTAlVTMQswCQYDVQQIDAJDQTELMAkGA1UEBwwCU0YxDTALBgNVBAoMBEFjbWUx\nDDAKBgNVBAsMA0VuZzEYMBYGA1UEAwwPc3ZjLmV4YW1wbGUuY29tMIIBIjANBgkq\nhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxXBQJ4lyNh5rj8QRkMg/3Th7iuXpw2up\ns73UNVBF4k3gmI2mKteCOEqLGOHJmgeALUwcWHjn4u0hWO+XWTXSGn27r/OLpcqH\nit5UOtCD+7ax0fwmXeE1qG6fWCPE30DI6atAKZwIlYXRfsrKy1aRKLDjQ7YJq8WA\nmPGJc9c6sE37aX4iTaAVDNSx9RmtG1Zo14gHmxar1vo13LU6gli6QyqZvc3F5mW1\nAq+ebMZ84BdccEwSqakSQr2xXrzgZocYaLPettsrnikhpY0yDFcvOlTVzhF7xcje\nJm9bpPK/VoxYrNERbAXIs1YGSEw5K9N6Uc/QuPC7UfoGoH9dUpyVuQIDAQABo4HI\nMIHFMAkGA1UdEwQCMAAwDgYDVR0PAQH/BAQDAgWgMB0GA1UdJQQWMBQGCCsGAQUF\nBwMBBggrBgEFBQcDAjBJBgNVHREEQjBAgg9zdmMuZXhhbXBsZS5jb22GGHNwaWZm\nZTovL2V4YW1wbGUuY29tL3N2Y4cEfwAAAYENYUBleGFtcGxlLmNvbTAdBgNVHQ4E\nFgQU0xQ6MGAztian7E7fjA4m6peHv+IwHwYDVR0jBBgwFoAUM9UNCFDdh/mtWZTT\nqGJuMf38c+0wCgYIKoZIzj0EAwIDSAAwRQIgS3W8x9TQIFKquNitwKKwJQf9NB+n\n3YiRKSw3YPAKS8UCIQCx3KMJOdPYFb6Hypn4oDMDa4jr3wqmqDmAjkrMyQIeFQ==\n-----END CERTIFICATE-----\n",
  key: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDFcFAniXI2HmuP\nxBGQyD/dOHuK5enDa6mzvdQ1UEXiTeCYjaYq14I4SosY4cmaB4AtTBxYeOfi7SFY\n75dZNdIafbuv84ulyoeK3lQ60IP7trHR/CZd4TWobp9YI8TfQMjpq0ApnAiVhdF+\nysrLVpEosONDtgmrxYCY8Ylz1zqwTftpfiJNoBUM1LH1Ga0bVmjXiAebFqvW+jXc\ntTqCWLpDKpm9zcXmZbUCr55sxnzgF1xwTBKpqRJCvbFevOBmhxhos9622yueKSGl\njTIMVy86VNXOEXvFyN4mb1uk8r9WjFis0RFsBcizVgZITDkr03pRz9C48LtR+gag\nf11SnJW5AgMBAAECggEAYhv7WIouHMJlBJ2TdPRs98q3aT/yN09qlox/xLZM47V7\nI5NPvP42ES7Ji+W2vjl38gpeE4CRCex3o6/67zOVYeCUwUwuWoYXcGQmSsuOqigQ\nmJ3JmuDsPvQpbizoCWAx9htI2ORWR6algXHX787mduffJqhwidCspFNx0ARlf3GA\nA1IArwYGT4Iaei3EFO1ZZ0ndPFRE0KEgBgcOO9xETIT0yniTMUFOJ8qZzJ0VHani\nqkbShicktegGcvbhAJMTKKj7oU3q6YPN7g+tNAfXXmBtdrih4OL1sBYs/sqQc47N\n6JEemHod0yvugQ5xTzDf8vfclAzqc+bJ2ZCZ7ROdmQKBgQD6Oz+eW5Oz3+Ruo7Ol\nZh8szKiTNfKllezUWP2z/kFYNkEObL1kE3KSaScquwGfhbffNYrA6PC19HB44/sb\n9yfrLrzYdb+2PRr7c26B3Xx22fToaThEH4WsasLSZWV2Rds4ffWQChpgRBF+RkWK\nb9YChYoYWAFF48FvpmIK1ze14wKBgQDJ/YGRwcrPBzvuw2VyQ/2wkX1cixzwyWCj\nmbQQiBCnHFNbrwn0Woga3yTLPX+cmrMAXWD8H6LQk7FBozr7y9TvmT0YQPAYg6NK\nq/O94Q3aRW3Pn5Gxk6QhkA/8BsCHcuWYDUh3AlssNaYWnRmDuNgimiL6dWTBiK/f\nuDRn7eJ4swKBgCaAn1Vaeeufc6Kiha3ZfMqD4xxjnKZl3z79QmxDnwJXtsLlcG7J\nn0Nv8prck29cP+KUdnkgXolgxz2Stryi1v2U/3G/DHSaCmDObh6FWfVfrBNmvUWe\nJA9XjgqZl3cPYJ/cocA8DbrqPlbTsTeP5boVmh4MzIVYehcX3tYUL3pJAoGBAJfx\nhc0yPTB9HZ1fCOnqsWRoHShHUU7j/Tkz/xrMb9J1YVM/mbphe67TGudz7JHOYUat\n963Q0nYaE6XvdwhAbX6LBEVBXBrksyoRrXmxWO1PeupK+5rcGARTTWLlZWC+km1N\n2KwFbrYT6Utrg+ztWFC3KAbF1jQrcTlWZL2lWc43AoGACWOU0Gb53Y/aGIvc/Hjw\n1W5NEBaNoDYIz/qPM1nvgy6JL3llTTrzvIFHdxABNlW6/f6y1F6Lhl5vqW5/niI6\n8I0Vktf9qeJCaNsWXeqxxDR7Ye0ejmWmrQuKdkZtMa8OPFqyIqJPvQNtRlR8blnR\nTyGjN/fd20d+rRoqUUPcqWc=\n-----END PRIVATE KEY-----\n",
  csr: "-----BEGIN CERTIFICATE REQUEST-----\nMIIC/zCCAecCAQAwXjELMAkGA1UEBhMCVVMxCzAJBgNVBAgMAkNBMQswCQYDVQQH\nDAJTRjENMAsGA1UECgwEQWNtZTEMMAoGA1UECwwDRW5nMRgwFgYDVQQDDA9zdmMu\nZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDFcFAn\niXI2HmuPxBGQyD/dOHuK5enDa6mzvdQ1UEXiTeCYjaYq14I4SosY4cmaB4AtTBxY\neOfi7SFY75dZNdIafbuv84ulyoeK3lQ60IP7trHR/CZd4TWobp9YI8TfQMjpq0Ap\nnAiVhdF+ysrLVpEosONDtgmrxYCY8Ylz1zqwTftpfiJNoBUM1LH1Ga0bVmjXiAeb\nFqvW+jXctTqCWLpDKpm9zcXmZbUCr55sxnzgF1xwTBKpqRJCvbFevOBmhxhos962\n2yueKSGljTIMVy86VNXOEXvFyN4mb1uk8r9WjFis0RFsBcizVgZITDkr03pRz9C4\n8LtR+gagf11SnJW5AgMBAAGgXDBaBgkqhkiG9w0BCQ4xTTBLMEkGA1UdEQRCMECC\nD3N2Yy5leGFtcGxlLmNvbYYYc3BpZmZlOi8vZXhhbXBsZS5jb20vc3ZjhwR/AAAB\ngQ1hQGV4YW1wbGUuY29tMA0GCSqGSIb3DQEBCwUAA4IBAQB7CbD3B9xqyUMRaWLT\ncoNZxyoUOYlAJ6DyafRRNf8pcFdmWrs68aJkdIBgI3BU3IXQnaj/Lct5i4fiZFLr\nRZOiwr/OAVyvOAwKyfqciE5bIHiKjvUsVx1FKgnMCh81XBRUAYzVCNZbEfvpwGpO\nFK8ZwEL1zrqflV5YFMRVi5pPgpTiM4yALpORygzS4XK61Acjq4UHIvXdBR1arX1t\nEboEvLdkAgh2vzz7DsMHkEnGam0rSn8hZmx56FkL1GSAq9XqZrL28IfLIeOFy+LS\nTkFWvEp3nX5IpAgxT3IlVarpkTO5zrH4Fe/3C6GjqA1Rtgifrfu3r2cJNhTiGmWq\nHAfO\n-----END CERTIFICATE REQUEST-----\n",
};

const RESULTS = `{
    "md5": crypto.md5(input.attributes.request.http.path),
    "hmac": crypto.hmac.sha256(input.attributes.request.http.path, "secret"),
    "equal": crypto.hmac.equal(crypto.sha1("a"), crypto.sha1("a")),
    "leaf": object.remove(crypto.x509.parse_certificates(data.pki.leaf)[0], ["Raw", "RawTBSCertificate"]),
    "verified": [c.Subject.CommonName | some c in crypto.x509.parse_and_verify_certificates_with_options(
      concat("", [data.pki.ca, data.pki.leaf]),
      {"DNSName": "svc.example.com", "CurrentTime": 1893456000000000000, "KeyUsages": ["KeyUsageServerAuth"]},
    )[1]],
    "csr_uris": [u | some u in crypto.x509.parse_certificate_request(data.pki.csr).URIs],
    "key_kty": crypto.x509.parse_rsa_private_key(data.pki.key).kty,
    "key_e": crypto.parse_private_keys(data.pki.key)[0].E,
    "pair_cn": crypto.x509.parse_keypair(data.pki.leaf, data.pki.key).Leaf.Subject.CommonName,
    "bad": bad,
  }`;

const POLICY = `package envoy.authz

import rego.v1

default bad := "undefined"

bad := crypto.x509.parse_certificates("foobar")

results := ${RESULTS}

allow := {"allowed": true, "dynamic_metadata": results}
`;

describe("crypto builtins through the sidecar", () => {
  let sidecar: Sidecar;
  let client: ReturnType<typeof checkClient>;
  beforeAll(async () => {
    const bundle = await buildPolicy(POLICY, { pki: PKI });
    sidecar = await startSidecar({
      policy: { bundle },
      cache: { enabled: false },
      decisionLog: { console: true },
    });
    client = checkClient(sidecar.grpc);
  });
  afterAll(async () => {
    client?.close();
    expect(await sidecar?.stop()).toBe(0);
  });

  it("gives the dynamic metadata topdown computes for the same request and data", async () => {
    const request = { attributes: { request: { http: { method: "GET", path: "/orders/7" } } } };
    const dir = await mkdtemp(join(tmpdir(), "oc-crypto-"));
    await writeFile(join(dir, "policy.rego"), POLICY);
    await writeFile(join(dir, "data.json"), JSON.stringify({ pki: PKI }));
    await writeFile(join(dir, "input.json"), JSON.stringify(request));
    const { stdout } = await run(tool("opa"), [
      "eval",
      "-f",
      "raw",
      "-d",
      join(dir, "policy.rego"),
      "-d",
      join(dir, "data.json"),
      "-i",
      join(dir, "input.json"),
      "data.envoy.authz.results",
    ]);
    const want = JSON.parse(stdout) as Record<string, unknown>;
    expect(want.verified).toEqual(["svc.example.com", "Example Root"]);
    expect(want.bad).toBe("undefined");

    const result = await client.check(request);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((result.response.status as { code?: number }).code).toBeUndefined();
    const { decision_id: _, ...got } = result.response.dynamicMetadata as Record<string, unknown>;
    expect(got).toEqual(want);
  });
});
