import {
  asn1Value,
  bitString,
  children,
  type Der,
  integer,
  oid,
  oidText,
  readDer,
  readOnly,
} from "./crypto-der.js";
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
  // The attributes' [0] is not optional in Go's certificateRequest struct.
  if (!version || !subject || !spki || attributesDer?.tag !== 0xa0) {
    throw new Error("x509: malformed certificate request");
  }
  const attributes: unknown[] = [];
  const extensions: Record<string, unknown>[] = [];
  const out: Record<string, unknown> = {
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
  };
  const seen = new Set<string>();
  for (const attribute of children(attributesDer)) {
    const parsed = attributeValueSet(attribute);
    if (parsed) attributes.push(parsed);
    const [type, values] = children(attribute);
    if (type?.tag !== 0x06 || values?.tag !== 0x31 || values.body.length === 0) continue;
    if (oidText(type) !== "1.2.840.113549.1.9.14") continue;
    for (const extension of requestedExtensions(children(values)[0] as Der)) {
      const id = (extension.Id as number[]).join(".");
      if (seen.has(id)) {
        throw new Error("x509: certificate request contains duplicate requested extensions");
      }
      seen.add(id);
      extensions.push(extension);
      if (id === "2.5.29.17") {
        const names = generalNames(readDer(extension.Value as Buffer).der);
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
    Subject: pkixName(subject, false),
    Attributes: attributes.length > 0 ? attributes : null,
    Extensions: extensions.length > 0 ? extensions : null,
    ExtraExtensions: null,
    ...out,
  };
}

/**
 * parseRawAttributes: an attribute as pkix.AttributeTypeAndValueSET (a type and a SET OF
 * SEQUENCE OF AttributeTypeAndValue), or undefined where encoding/asn1 cannot read it that way
 * (challengePassword, for one), which Go skips.
 */
function attributeValueSet(attribute: Der): Record<string, unknown> | undefined {
  try {
    const [type, values, ...rest] = children(attribute);
    if (attribute.tag !== 0x30 || type?.tag !== 0x06 || values?.tag !== 0x31 || rest.length > 0) {
      return undefined;
    }
    const sets = children(values).map((sequence) => {
      if (sequence.tag !== 0x30) throw new Error("not a SEQUENCE");
      return children(sequence).map((atv) => {
        const [atvType, atvValue] = children(atv);
        if (atv.tag !== 0x30 || !atvType || !atvValue) throw new Error("not an ATV");
        return { Type: oid(atvType), Value: asn1Value(atvValue) };
      });
    });
    return { Type: oid(type), Value: sets };
  } catch {
    return undefined;
  }
}

/** The extensionRequest's value as []pkix.Extension (an error where Go's Unmarshal fails). */
function requestedExtensions(der: Der): Record<string, unknown>[] {
  if (der.tag !== 0x30) throw new Error("asn1: structure error: tags don't match");
  return children(der).map((extension) => {
    const [id, second, third] = children(extension);
    const critical = second?.tag === 0x01;
    const value = critical ? third : second;
    if (extension.tag !== 0x30 || !id || value?.tag !== 0x04) {
      throw new Error("asn1: structure error: malformed extension");
    }
    return { Id: oid(id), Critical: critical && asn1Value(second) === true, Value: value.body };
  });
}
