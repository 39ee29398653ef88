import { describe, expect, it } from "vitest";
import { pemCertificates } from "./pem.js";
import { intermediatesFromXfcc } from "./xfcc.js";

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";
// What the two modules matched before, for equivalence on ordinary inputs.
const LAZY = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

describe("pemCertificates", () => {
  it.each([
    ["", []],
    [`${BEGIN}\nAAA\n${END}\n`, [`${BEGIN}\nAAA\n${END}`]],
    [
      `junk${BEGIN}\nA\n${END}\n${BEGIN}\nB\n${END}x`,
      [`${BEGIN}\nA\n${END}`, `${BEGIN}\nB\n${END}`],
    ],
    [`${BEGIN}${END}\n${BEGIN}\nA\n${END}`, [`${BEGIN}${END}\n${BEGIN}\nA\n${END}`]],
    [`${BEGIN}\nA\n${BEGIN}\nB\n${END}`, [`${BEGIN}\nA\n${BEGIN}\nB\n${END}`]],
    [`${BEGIN}\nno end`, []],
    [`${END}${BEGIN}x${END}`, [`${BEGIN}x${END}`]],
  ])("blocks of %j", (text, blocks) => {
    expect(pemCertificates(text)).toEqual(blocks);
    expect(pemCertificates(text)).toEqual(text.match(LAZY) ?? []);
  });

  // The lazy regex rescanned to the end from each BEGIN: ~n²/54 steps, hours at these sizes.
  it("scans 4M characters of BEGIN lines without an END once", () => {
    const text = BEGIN.repeat(Math.ceil(4_000_000 / BEGIN.length));
    expect(pemCertificates(text)).toEqual([]);
    expect(pemCertificates(`${text}x${END}`)).toEqual([`${text}x${END}`]);
  });

  it("reads an XFCC Chain of 2M characters of BEGIN lines as no intermediates", () => {
    const chain = encodeURIComponent(BEGIN.repeat(Math.ceil(2_000_000 / BEGIN.length)));
    const header = `By=spiffe://prod.openclaw.internal/envoy;Chain="${chain}";Subject=""`;
    expect(intermediatesFromXfcc(header)).toEqual([]);
  });
});
