import type { NameTest } from "./secret-names.js";

/**
 * Replaces the values of secret parameters in a query string (`a=1&access_token=…`), leaving
 * every other byte as it was. Pairs split on `&` and `;` (Go refuses `;`, but a log must not
 * show what follows one); names are percent-decoded, `+` as space, before the test.
 * Returns undefined when nothing changed.
 */
export function maskQuery(query: string, isSecret: NameTest, masked: string): string | undefined {
  let changed = false;
  const pairs = query.split(/([&;])/);
  for (let i = 0; i < pairs.length; i += 2) {
    const pair = pairs[i] as string;
    const eq = pair.indexOf("=");
    if (eq === -1 || eq === pair.length - 1) continue;
    if (!isSecret(decodeName(pair.slice(0, eq)))) continue;
    pairs[i] = `${pair.slice(0, eq + 1)}${masked}`;
    changed = true;
  }
  return changed ? pairs.join("") : undefined;
}

/**
 * Masks the query (after the first `?`) and the fragment (after `#`, where OAuth's implicit flow
 * puts `access_token`) of a path or URL. Returns undefined when nothing changed.
 */
export function maskUrl(url: string, isSecret: NameTest, masked: string): string | undefined {
  const hash = url.indexOf("#");
  const head = hash === -1 ? url : url.slice(0, hash);
  const query = head.indexOf("?");
  const maskedQuery = query === -1 ? undefined : maskQuery(head.slice(query + 1), isSecret, masked);
  const maskedFragment = hash === -1 ? undefined : maskQuery(url.slice(hash + 1), isSecret, masked);
  if (maskedQuery === undefined && maskedFragment === undefined) return undefined;
  const path = maskedQuery === undefined ? head : `${head.slice(0, query + 1)}${maskedQuery}`;
  if (hash === -1) return path;
  return `${path}#${maskedFragment ?? url.slice(hash + 1)}`;
}

function decodeName(name: string): string {
  const spaced = name.includes("+") ? name.replaceAll("+", " ") : name;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A bad escape: decode what can be decoded, so `access%5Ftoken%zz` is still recognised.
    return spaced.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}
