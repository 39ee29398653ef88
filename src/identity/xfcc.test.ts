import { describe, expect, it } from "vitest";
import { intermediatesFromXfcc } from "./xfcc.js";

describe("intermediatesFromXfcc", () => {
  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["an element without a Chain", "By=spiffe://a.org/x;Hash=abc;URI=spiffe://a.org/y"],
    [
      "a Chain in an earlier element only (the last one is this hop's)",
      "Chain=x,URI=spiffe://a.org/y",
    ],
    ["an empty quoted Chain", 'Chain="";URI=spiffe://a.org/y'],
    ["a Chain key in any case, escaped quotes inside its value", 'CHAIN="a\\"b;c";URI=x'],
  ])("finds no intermediates in %s", (_, header) => {
    expect(intermediatesFromXfcc(header)).toEqual([]);
  });

  it.each([
    ["an unterminated quote", 'Chain="abc;URI=x', "unterminated quote"],
    [
      "a Chain that is not percent-encoding",
      "Chain=%E0%A4%A",
      "malformed x-forwarded-client-cert Chain",
    ],
    [
      "a PEM block that is not a certificate",
      `Chain=${encodeURIComponent("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".repeat(2))}`,
      "malformed x-forwarded-client-cert Chain",
    ],
  ])("refuses %s", (_, header, reason) => {
    expect(() => intermediatesFromXfcc(header)).toThrow(reason);
  });
});
