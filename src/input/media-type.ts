/**
 * Go's `mime.ParseMediaType`, which the peer uses to find a multipart boundary. The npm parsers
 * differ from it (they accept `x multipart/form-data`, ignore duplicate or empty parameters), and
 * a request the peer refuses must be refused here too. RFC 2231 continuations are not decoded.
 */

/** Throws Error with Go's message for a malformed media type or parameter. */
export function parseMediaType(value: string): { type: string; params: Record<string, string> } {
  const cut = value.indexOf(";");
  const base = (cut === -1 ? value : value.slice(0, cut)).trim().toLowerCase();
  checkMediaType(base);
  const params: Record<string, string> = Object.create(null);
  let rest = cut === -1 ? "" : value.slice(cut).replace(/^[ \t]+/, "");
  while (rest !== "") {
    const param = consumeParam(rest);
    if (!param) {
      if (rest.trim() === ";") break; // a trailing semicolon is allowed
      throw new Error("mime: invalid media parameter");
    }
    if (param.key in params) throw new Error("mime: duplicate parameter name");
    params[param.key] = param.value;
    rest = param.rest.replace(/^[ \t]+/, "");
  }
  return { type: base, params };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function checkMediaType(base: string) {
  const type = TOKEN.exec(base)?.[0] ?? "";
  if (type === "") throw new Error("mime: no media type");
  let rest = base.slice(type.length);
  if (rest === "") return;
  if (!rest.startsWith("/")) throw new Error("mime: expected slash after first token");
  const subtype = TOKEN.exec(rest.slice(1))?.[0] ?? "";
  if (subtype === "") throw new Error("mime: expected token after slash");
  rest = rest.slice(1 + subtype.length);
  if (rest !== "") throw new Error("mime: unexpected content after media subtype");
}

function consumeParam(text: string): { key: string; value: string; rest: string } | undefined {
  let rest = text.replace(/^[ \t]+/, "");
  if (!rest.startsWith(";")) return undefined;
  rest = rest.slice(1).replace(/^[ \t]+/, "");
  const key = TOKEN.exec(rest)?.[0] ?? "";
  if (key === "") return undefined;
  rest = rest.slice(key.length).replace(/^[ \t]+/, "");
  if (!rest.startsWith("=")) return undefined;
  rest = rest.slice(1).replace(/^[ \t]+/, "");
  const value = consumeValue(rest);
  if (!value) return undefined;
  return { key: key.toLowerCase(), value: value.value, rest: value.rest };
}

function consumeValue(text: string): { value: string; rest: string } | undefined {
  if (!text.startsWith('"')) {
    const token = TOKEN.exec(text)?.[0] ?? "";
    return token === "" ? undefined : { value: token, rest: text.slice(token.length) };
  }
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return { value, rest: text.slice(i + 1) };
    if (c === "\\" && i + 1 < text.length && isTSpecial(text[i + 1] as string)) {
      value += text[++i];
    } else if (c === "\r" || c === "\n") {
      return undefined;
    } else {
      value += c;
    }
  }
  return undefined;
}

function isTSpecial(c: string): boolean {
  return '()<>@,;:\\"/[]?='.includes(c);
}
