import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { stringArg } from "./crypto-pem.js";
import type { BuiltinTable } from "./table.js";

const digest = (algorithm: string) => (_context: unknown, input: unknown) =>
  createHash(algorithm).update(stringArg(input, 1), "utf8").digest("hex");

const hmac = (algorithm: string) => (_context: unknown, message: unknown, key: unknown) =>
  createHmac(algorithm, Buffer.from(stringArg(key, 2), "utf8"))
    .update(stringArg(message, 1), "utf8")
    .digest("hex");

/** crypto.md5/sha1/sha256 and crypto.hmac.*: hex digests of the strings' UTF-8 bytes. */
export const cryptoHashBuiltins: BuiltinTable = {
  "crypto.md5": digest("md5"),
  "crypto.sha1": digest("sha1"),
  "crypto.sha256": digest("sha256"),
  "crypto.hmac.md5": hmac("md5"),
  "crypto.hmac.sha1": hmac("sha1"),
  "crypto.hmac.sha256": hmac("sha256"),
  "crypto.hmac.sha512": hmac("sha512"),
  /** hmac.Equal: constant-time comparison of the two strings' bytes. */
  "crypto.hmac.equal": (_context, mac1: unknown, mac2: unknown) => {
    const a = Buffer.from(stringArg(mac1, 1), "utf8");
    const b = Buffer.from(stringArg(mac2, 2), "utf8");
    return a.length === b.length && timingSafeEqual(a, b);
  },
};
