import { describe, expect, it } from "vitest";
import { tarGz } from "../../test/support/bundles.js";
import { bundlePath, unpackBundle } from "./bundle-files.js";

const limits = { maxFileBytes: 1024, maxTotalBytes: 4096, maxFiles: 5 };

describe("unpackBundle", () => {
  it("reads regular files, normalizing leading slashes", async () => {
    const files = await unpackBundle(
      tarGz([
        { name: "/policy.wasm", content: "wasm" },
        { name: "./a/data.json", content: "{}" },
        { name: "a/", type: "5" },
      ]),
      limits,
    );
    expect([...files.keys()]).toEqual(["policy.wasm", "a/data.json"]);
    expect(files.get("policy.wasm")?.toString()).toBe("wasm");
  });

  it.each([
    ["path traversal", [{ name: "../../etc/passwd", content: "x" }], "not a plain relative path"],
    ["traversal inside a path", [{ name: "a/../../b", content: "x" }], "not a plain relative path"],
    [
      "a symlink",
      [{ name: "link", type: "2" as const, linkname: "/etc/passwd" }],
      "is a SymbolicLink",
    ],
    [
      "a file twice",
      [
        { name: "a", content: "1" },
        { name: "/a", content: "2" },
      ],
      "twice",
    ],
    ["an oversized file", [{ name: "big", content: "x".repeat(2048) }], "larger than 1024 bytes"],
    [
      "a zip bomb (total unpacked size)",
      Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: "0".repeat(1000) })),
      "larger than 4096 bytes unpacked",
    ],
    [
      "too many files",
      Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, content: "" })),
      "more than 5 files",
    ],
  ])("refuses %s", async (_, entries, message) => {
    await expect(unpackBundle(tarGz(entries), limits)).rejects.toThrow(message);
  });

  it("refuses what is not a gzip'd tar", async () => {
    await expect(unpackBundle(Buffer.from("hello"), limits)).rejects.toThrow("bundle");
  });
});

describe("bundlePath", () => {
  it.each(["/x", "./x", "x"])("%s is x", (name) => expect(bundlePath(name)).toBe("x"));
  it.each(["", "/", "a//b", "a\\\\b", "a/./b"])("%j is refused", (name) =>
    expect(() => bundlePath(name)).toThrow(),
  );
});
