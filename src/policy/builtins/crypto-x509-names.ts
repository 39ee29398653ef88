import { asn1Value, children, type Der, oid, oidText, text } from "./crypto-der.js";

/**
 * pkix.Name as Go fills it from an RDNSequence and marshals it. A certificate's names are read by
 * crypto/x509's parseName (`strict`: a value that is not a supported string is an error); a
 * request's by encoding/asn1, which decodes other values too (asn1Value).
 */
export function pkixName(der: Der, strict = true): Record<string, unknown> {
  const lists: Record<string, string[] | null> = {
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
  };
  let serialNumber = "";
  let commonName = "";
  const names: { Type: number[]; Value: unknown }[] = [];
  const byOid: Record<string, string> = {
    "2.5.4.6": "Country",
    "2.5.4.10": "Organization",
    "2.5.4.11": "OrganizationalUnit",
    "2.5.4.7": "Locality",
    "2.5.4.8": "Province",
    "2.5.4.9": "StreetAddress",
    "2.5.4.17": "PostalCode",
  };
  for (const rdn of children(der)) {
    for (const atv of children(rdn)) {
      const [type, valueDer] = children(atv);
      if (!type || !valueDer) throw new Error("x509: invalid RDNSequence");
      const id = oid(type);
      const decoded = strict ? text(valueDer) : asn1Value(valueDer);
      if (decoded === undefined) {
        throw new Error("x509: invalid RDNSequence: invalid attribute value");
      }
      names.push({ Type: id, Value: decoded });
      // FillFromRDNSequence takes string values only (not times, which asn1Value writes as text).
      const value = text(valueDer);
      if (value === undefined) continue;
      const key = id.join(".");
      const field = byOid[key];
      if (key === "2.5.4.3") commonName = value;
      else if (key === "2.5.4.5") serialNumber = value;
      else if (field) {
        const list = lists[field] ?? [];
        list.push(value);
        lists[field] = list;
      }
    }
  }
  return {
    Country: lists.Country,
    Organization: lists.Organization,
    OrganizationalUnit: lists.OrganizationalUnit,
    Locality: lists.Locality,
    Province: lists.Province,
    StreetAddress: lists.StreetAddress,
    PostalCode: lists.PostalCode,
    SerialNumber: serialNumber,
    CommonName: commonName,
    Names: names.length > 0 ? names : [],
    ExtraNames: null,
  };
}

/** A net.IP as Go prints it. */
export function ipString(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) return `?${bytes.toString("hex")}`;
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return [...bytes.subarray(12)].join(".");
  }
  const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** url.URL as Go's url.Parse fills it and json.Marshal writes it (User: {} when present). */
export function goUrl(input: string): Record<string, unknown> {
  let rest = input;
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let scheme = "";
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (schemeMatch) {
    scheme = (schemeMatch[1] as string).toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  }
  let rawQuery = "";
  let forceQuery = false;
  const question = rest.indexOf("?");
  if (question >= 0) {
    rawQuery = rest.slice(question + 1);
    forceQuery = rawQuery === "";
    rest = rest.slice(0, question);
  }
  let opaque = "";
  let host = "";
  let user: unknown = null;
  let path = "";
  if (scheme && !rest.startsWith("/")) opaque = rest;
  else if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    let authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    path = slash < 0 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      user = {};
      authority = authority.slice(at + 1);
    }
    host = safeDecode(authority);
  } else path = rest;
  const decodedPath = safeDecode(path);
  return {
    Scheme: scheme,
    Opaque: opaque,
    User: user,
    Host: host,
    Path: decodedPath,
    RawPath: decodedPath !== path && encodeURI(decodedPath) !== path ? path : "",
    OmitHost: false,
    ForceQuery: forceQuery,
    RawQuery: rawQuery,
    Fragment: safeDecode(fragment),
    RawFragment: "",
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** GeneralNames (SAN, CRL distribution points) split as Go does. */
export function generalNames(der: Der): {
  dns: string[];
  email: string[];
  ip: string[];
  uri: string[];
} {
  const out = {
    dns: [] as string[],
    email: [] as string[],
    ip: [] as string[],
    uri: [] as string[],
  };
  for (const name of children(der)) {
    const value = name.body;
    switch (name.tag) {
      case 0x81:
        out.email.push(value.toString("latin1"));
        break;
      case 0x82:
        out.dns.push(value.toString("latin1"));
        break;
      case 0x86:
        out.uri.push(value.toString("latin1"));
        break;
      case 0x87:
        if (value.length !== 4 && value.length !== 16) {
          throw new Error(`x509: cannot parse IP address of length ${value.length}`);
        }
        out.ip.push(ipString(value));
        break;
    }
  }
  return out;
}

export { oidText };
