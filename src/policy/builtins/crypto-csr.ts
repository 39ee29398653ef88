import { bitString, children, type Der, integer, oid, oidText, readOnly } from "./crypto-der.js";
import { publicKey, signatureAlgorithm } from "./crypto-x509.js";
import { generalNames, goUrl, pkixName } from "./crypto-x509-names.js";

/** x509.ParseCertificateRequest's result as Go's json.Marshal writes it. */
export function parseCertificateRequest(der: Buffer): Record<string, unknown> {
  let request: Der;
  try {
    request = readOnly(der);
  } catch {
    throw new Error("x509: malformed certificate request");
  }
  const [info, algorithm, signature] = children(request);
  if (!info || !algorithm || !signature) throw new Error("x509: malformed certificate request");
  const [version, subject, spki, attributesDer] = children(info);
  if (!version || !subject || !spki) throw new Error("x509: malformed certificate request");
  const attributes: Record<string, unknown>[] = [];
  const extensions: Record<string, unknown>[] = [];
  const out: Record<string, unknown> = {
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
  };
  for (const attribute of attributesDer?.tag === 0xa0 ? children(attributesDer) : []) {
    const [type, values] = children(attribute);
    if (!type || !values) continue;
    const sets = children(values).map((set) =>
      children(set).map((atv) => {
        const [atvType, atvValue] = children(atv);
        return {
          Type: oid(atvType as Der),
          Value: atvValue?.tag === 0x01 ? atvValue.body[0] !== 0 : atvValue?.body,
        };
      }),
    );
    attributes.push({ Type: oid(type), Value: sets });
    if (oidText(type) !== "1.2.840.113549.1.9.14") continue;
    for (const extension of children(children(values)[0] as Der)) {
      const parts = children(extension);
      const id = oid(parts[0] as Der);
      const critical = parts.length === 3 && (parts[1]?.body[0] ?? 0) !== 0;
      const value = (parts[parts.length - 1] as Der).body;
      extensions.push({ Id: id, Critical: critical, Value: value });
      if (id.join(".") === "2.5.29.17") {
        const names = generalNames(readOnly(value));
        const orNull = <T>(l: T[]) => (l.length > 0 ? l : null);
        out.DNSNames = orNull(names.dns);
        out.EmailAddresses = orNull(names.email);
        out.IPAddresses = orNull(names.ip);
        out.URIs = orNull(names.uri.map(goUrl));
      }
    }
  }
  const key = publicKey(spki);
  return {
    Raw: request.raw,
    RawTBSCertificateRequest: info.raw,
    RawSubjectPublicKeyInfo: spki.raw,
    RawSubject: subject.raw,
    Version: Number(integer(version)),
    Signature: bitString(signature),
    SignatureAlgorithm: signatureAlgorithm(algorithm),
    PublicKeyAlgorithm: key.algorithm,
    PublicKey: key.key,
    Subject: pkixName(subject),
    Attributes: attributes.length > 0 ? attributes : null,
    Extensions: extensions.length > 0 ? extensions : null,
    ExtraExtensions: null,
    ...out,
  };
}
