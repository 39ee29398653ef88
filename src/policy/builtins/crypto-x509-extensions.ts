import {
  bitString,
  children,
  type Der,
  integer,
  oid,
  oidText,
  readDer,
  readOnly,
} from "./crypto-der.js";
import { generalNames, goUrl, ipString } from "./crypto-x509-names.js";

const EXT_KEY_USAGES: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

const orNull = <T>(list: T[]): T[] | null => (list.length > 0 ? list : null);

/**
 * The x509.Certificate fields Go fills from the extensions (from KeyUsage on, in struct order),
 * the raw list as `Extensions`, and the SAN URIs as strings (OPA's URIStrings).
 */
export function certificateExtensions(list: Der[]): {
  fields: Record<string, unknown>;
  uriStrings: string[] | null;
} {
  const f: Record<string, unknown> = {
    KeyUsage: 0,
    Extensions: null,
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    Policies: null,
    InhibitAnyPolicy: 0,
    InhibitAnyPolicyZero: false,
    InhibitPolicyMapping: 0,
    InhibitPolicyMappingZero: false,
    RequireExplicitPolicy: 0,
    RequireExplicitPolicyZero: false,
    PolicyMappings: null,
  };
  let uriStrings: string[] | null = null;
  const extensions: Record<string, unknown>[] = [];
  const unhandled: number[][] = [];
  for (const extension of list) {
    const parts = children(extension);
    const id = oid(parts[0] as Der);
    const critical = parts[1]?.tag === 0x01 ? (parts[1].body[0] ?? 0) !== 0 : false;
    const valueDer = parts[parts.length - 1] as Der;
    if (valueDer.tag !== 0x04) throw new Error("x509: malformed extension value");
    const value = valueDer.body;
    extensions.push({ Id: id, Critical: critical, Value: value });
    const handled = applyExtension(f, id.join("."), critical, value, (uris) => {
      uriStrings = orNull(uris);
    });
    if (!handled && critical) unhandled.push(id);
  }
  f.Extensions = orNull(extensions);
  f.UnhandledCriticalExtensions = orNull(unhandled);
  return { fields: f, uriStrings };
}

/** The element an extension's value starts with: Go's readers leave what follows it unread. */
const first = (value: Buffer): Der => readDer(value).der;

function applyExtension(
  f: Record<string, unknown>,
  id: string,
  critical: boolean,
  value: Buffer,
  setUris: (uris: string[]) => void,
): boolean {
  switch (id) {
    case "2.5.29.15": {
      const bits = bitString(first(value));
      let usage = 0;
      for (let i = 0; i < 9; i++) {
        if (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) usage |= 1 << i;
      }
      f.KeyUsage = usage;
      return true;
    }
    case "2.5.29.19": {
      const items = children(first(value));
      let index = 0;
      f.IsCA = false;
      if (items[0]?.tag === 0x01) {
        f.IsCA = (items[0].body[0] ?? 0) !== 0;
        index++;
      }
      f.MaxPathLen = items[index]?.tag === 0x02 ? Number(integer(items[index] as Der)) : -1;
      f.BasicConstraintsValid = true;
      f.MaxPathLenZero = f.MaxPathLen === 0;
      return true;
    }
    case "2.5.29.17": {
      const names = generalNames(first(value));
      f.DNSNames = orNull(names.dns);
      f.EmailAddresses = orNull(names.email);
      f.IPAddresses = orNull(names.ip);
      f.URIs = orNull(names.uri.map(goUrl));
      setUris(names.uri);
      return true;
    }
    case "2.5.29.37": {
      const known: number[] = [];
      const unknown: number[][] = [];
      for (const purpose of children(first(value))) {
        const usage = EXT_KEY_USAGES[oidText(purpose)];
        if (usage === undefined) unknown.push(oid(purpose));
        else known.push(usage);
      }
      f.ExtKeyUsage = orNull(known);
      f.UnknownExtKeyUsage = orNull(unknown);
      return true;
    }
    case "2.5.29.14":
      f.SubjectKeyId = first(value).body;
      return true;
    case "2.5.29.35": {
      const keyId = children(first(value)).find((c) => c.tag === 0x80);
      if (keyId) f.AuthorityKeyId = keyId.body;
      return true;
    }
    case "1.3.6.1.5.5.7.1.1": {
      const ocsp: string[] = [];
      const issuers: string[] = [];
      for (const description of children(first(value))) {
        const [method, location] = children(description);
        if (!method || location?.tag !== 0x86) continue;
        const text = oidText(method);
        if (text === "1.3.6.1.5.5.7.48.1") ocsp.push(location.body.toString("latin1"));
        else if (text === "1.3.6.1.5.5.7.48.2") issuers.push(location.body.toString("latin1"));
      }
      f.OCSPServer = orNull(ocsp);
      f.IssuingCertificateURL = orNull(issuers);
      return true;
    }
    case "2.5.29.31": {
      const points: string[] = [];
      for (const point of children(first(value))) {
        const name = children(point).find((c) => c.tag === 0xa0);
        const full = name ? children(name).find((c) => c.tag === 0xa0) : undefined;
        if (!full) continue;
        for (const general of children(full)) {
          if (general.tag === 0x86) points.push(general.body.toString("latin1"));
        }
      }
      f.CRLDistributionPoints = orNull(points);
      return true;
    }
    case "2.5.29.32": {
      const ids = children(first(value)).map((info) => oid(children(info)[0] as Der));
      f.PolicyIdentifiers = orNull(ids);
      f.Policies = orNull(ids.map((i) => i.join(".")));
      return true;
    }
    case "2.5.29.30":
      nameConstraints(f, critical, readOnly(value)); // the one value Go reads to its end
      return true;
    case "2.5.29.54": {
      const n = Number(integer(first(value)));
      f.InhibitAnyPolicy = n;
      f.InhibitAnyPolicyZero = n === 0;
      return true;
    }
    case "2.5.29.36": {
      for (const item of children(first(value))) {
        const n = Number(integer({ ...item, tag: 0x02 }));
        if (item.tag === 0x80) {
          f.RequireExplicitPolicy = n;
          f.RequireExplicitPolicyZero = n === 0;
        } else if (item.tag === 0x81) {
          f.InhibitPolicyMapping = n;
          f.InhibitPolicyMappingZero = n === 0;
        }
      }
      return true;
    }
    case "2.5.29.33": {
      f.PolicyMappings = orNull(
        children(first(value)).map((mapping) => {
          const [issuer, subject] = children(mapping);
          return {
            IssuerDomainPolicy: oidText(issuer as Der),
            SubjectDomainPolicy: oidText(subject as Der),
          };
        }),
      );
      return true;
    }
    default:
      return false;
  }
}

function nameConstraints(f: Record<string, unknown>, critical: boolean, der: Der): void {
  f.PermittedDNSDomainsCritical = critical;
  for (const subtrees of children(der)) {
    const prefix = subtrees.tag === 0xa0 ? "Permitted" : "Excluded";
    const dns: string[] = [];
    const email: string[] = [];
    const uri: string[] = [];
    const ip: { IP: string; Mask: Buffer }[] = [];
    for (const subtree of children(subtrees)) {
      const base = children(subtree)[0];
      if (!base) continue;
      const text = base.body.toString("latin1");
      if (base.tag === 0x82) dns.push(text);
      else if (base.tag === 0x81) email.push(text);
      else if (base.tag === 0x86) uri.push(text);
      else if (base.tag === 0x87) {
        const half = base.body.length / 2;
        ip.push({ IP: ipString(base.body.subarray(0, half)), Mask: base.body.subarray(half) });
      }
    }
    f[`${prefix}DNSDomains`] = orNull(dns);
    f[`${prefix}EmailAddresses`] = orNull(email);
    f[`${prefix}URIDomains`] = orNull(uri);
    f[`${prefix}IPRanges`] = orNull(ip);
  }
}
