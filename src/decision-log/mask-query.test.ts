import { describe, expect, it } from "vitest";
import { maskQuery, maskUrl } from "./mask-query.js";
import { compileNames } from "./secret-names.js";

const isSecret = compileNames(["*token", "key"]);
const M = "**REDACTED**";

describe("maskUrl", () => {
  it.each([
    ["/p?access_token=abc&page=2", `/p?access_token=${M}&page=2`],
    ["/p?page=2&Access-Token=abc", `/p?page=2&Access-Token=${M}`],
    ["/p?access%5Ftoken=abc", `/p?access%5Ftoken=${M}`],
    ["/p?access+token=abc", `/p?access+token=${M}`],
    ["/p?%zzaccess%5Ftoken=abc", `/p?%zzaccess%5Ftoken=${M}`],
    ["/p?a=1;token=abc", `/p?a=1;token=${M}`],
    ["/p?key=abc&key=def", `/p?key=${M}&key=${M}`],
    ["/cb#access_token=abc&state=s", `/cb#access_token=${M}&state=s`],
    ["/cb?token=a#token=b", `/cb?token=${M}#token=${M}`],
    ["/cb#x?token=b", `/cb#x?token=${M}`],
    ["https://app.test/cb?id_token=abc", `https://app.test/cb?id_token=${M}`],
  ])("%s → %s", (url, masked) => {
    expect(maskUrl(url, isSecret, M)).toBe(masked);
  });

  it.each(["/p", "/p?page=2", "/p?token", "/p?token=", "/p?tokens=abc", "/p/token=abc"])(
    "%s is unchanged",
    (url) => {
      expect(maskUrl(url, isSecret, M)).toBeUndefined();
    },
  );
});

describe("maskQuery", () => {
  it("masks a bare query string", () => {
    expect(maskQuery("token=a&b=c", isSecret, M)).toBe(`token=${M}&b=c`);
    expect(maskQuery("b=c", isSecret, M)).toBeUndefined();
  });
});
