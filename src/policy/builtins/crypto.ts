import { rawJson } from "./context.js";
import { certificatesFromString } from "./crypto-certs.js";
import { parseCertificateRequest } from "./crypto-csr.js";
import { goJson } from "./crypto-der.js";
import { cryptoHashBuiltins } from "./crypto-hash.js";
import { keyPair } from "./crypto-keypair.js";
import { privateJwk, privateKeysFromPem } from "./crypto-keys.js";
import { verifyOptions } from "./crypto-options.js";
import { base64OrThrow, cached, pemDecode, stringArg } from "./crypto-pem.js";
import { verifyChain } from "./crypto-verify.js";
import { certificatesJson, type ParsedCertificate } from "./crypto-x509.js";
import type { BuiltinTable } from "./table.js";

/**
 * Builtins of this family, by Rego name (see table.ts for the calling convention). The x509 and
 * key builtins return Go's structs as encoding/json writes them (big integers exact, byte slices
 * base64), parsed once per distinct input (crypto-pem.ts's cache).
 */
export const cryptoBuiltins: BuiltinTable = {
  ...cryptoHashBuiltins,

  "crypto.x509.parse_certificates": (_context, input: unknown) => {
    const text = stringArg(input, 1);
    return rawJson(
      cached("parse_certificates.json", text, () => goJson(certificatesJson(certs(text), true))),
    );
  },

  "crypto.x509.parse_and_verify_certificates": (context, input: unknown) => {
    const text = stringArg(input, 1);
    const chain = verifiedOrUndefined(text, verifyOptions({}, context.nowNs));
    return rawJson(chain ? goJson([true, certificatesJson(chain, true)]) : "[false,[]]");
  },

  "crypto.x509.parse_and_verify_certificates_with_options": (
    context,
    input: unknown,
    options: unknown,
  ) => {
    const text = stringArg(input, 1);
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new Error("operand 2 must be object");
    }
    let parsed: ParsedCertificate[];
    try {
      parsed = certs(text);
    } catch {
      return rawJson("[false,[]]");
    }
    const chain = verifyChain(
      parsed,
      verifyOptions(options as Record<string, unknown>, context.nowNs),
    );
    return rawJson(chain ? goJson([true, certificatesJson(chain, false)]) : "[false,[]]");
  },

  "crypto.x509.parse_certificate_request": (_context, input: unknown) => {
    const text = stringArg(input, 1);
    return rawJson(
      cached("parse_certificate_request", text, () => {
        let bytes = text.startsWith("-----BEGIN CERTIFICATE REQUEST-----")
          ? Buffer.from(text, "latin1")
          : base64OrThrow(text);
        const block = pemBlock(bytes.toString("latin1"));
        if (block && block.type !== "CERTIFICATE REQUEST") {
          throw new Error("invalid PEM-encoded certificate signing request");
        }
        if (block) bytes = block.bytes;
        return goJson(parseCertificateRequest(bytes));
      }),
    );
  },

  "crypto.x509.parse_keypair": (_context, certificate: unknown, key: unknown) => {
    const certText = stringArg(certificate, 1);
    const keyText = stringArg(key, 1);
    return rawJson(
      cached("parse_keypair", `${certText}\u0000${keyText}`, () =>
        goJson(keyPair(certText, keyText)),
      ),
    );
  },

  "crypto.x509.parse_rsa_private_key": (_context, input: unknown) => {
    const text = stringArg(input, 1);
    if (text === "") throw new Error("input PEM data was empty");
    return cached("parse_rsa_private_key", text, () => {
      const pem = text.startsWith("-----BEGIN") ? text : base64OrThrow(text).toString("latin1");
      const [first] = privateKeysFromPem(pem);
      return first ? privateJwk(first.key) : null;
    });
  },

  "crypto.parse_private_keys": (_context, input: unknown) => {
    const text = stringArg(input, 1);
    if (text === "") return null;
    return rawJson(
      cached("parse_private_keys", text, () => goJson(privateKeysFromPem(text).map((k) => k.go))),
    );
  },
};

function certs(text: string): ParsedCertificate[] {
  return cached("certificates", text, () => certificatesFromString(text));
}

function verifiedOrUndefined(
  text: string,
  options: ReturnType<typeof verifyOptions>,
): ParsedCertificate[] | undefined {
  try {
    return verifyChain(certs(text), options);
  } catch {
    return undefined;
  }
}

function pemBlock(text: string) {
  return pemDecode(text).block;
}
