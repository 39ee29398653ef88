import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { until } from "../test/support/wait.js";
import { watchFile } from "./watched-file.js";

const INTERVAL_MS = 10;
/** Twenty polls: long enough that a file reported on every poll would be reported many times. */
const TWENTY_POLLS_MS = 20 * INTERVAL_MS;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "oc-watched-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Replaces `path` atomically, as a ConfigMap update does. */
async function replace(path: string, text: string) {
  const temporary = `${path}.${Math.random()}`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

describe("watchFile", () => {
  it("reports a bad version once, however many polls see it, and loads the next good one", async () => {
    const path = join(dir, "keys.json");
    await writeFile(path, '{"n": 1}');
    const errors: string[] = [];
    const watched = await watchFile(
      {
        parse: (text) => JSON.parse(text) as { n: number },
        onError: (error) => errors.push(error.message),
      },
      { path, intervalMs: INTERVAL_MS },
    );
    expect(watched.current()).toEqual({ n: 1 });
    await replace(path, "not json");
    expect(await until(async () => errors.length === 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, TWENTY_POLLS_MS));
    expect(errors).toHaveLength(1);
    expect(watched.current()).toEqual({ n: 1 });
    // A later good version proves the watcher kept polling through the window.
    await replace(path, '{"n": 2}');
    expect(await until(async () => watched.current()?.n === 2)).toBe(true);
    expect(errors).toHaveLength(1);
    watched.close();
  });

  it("reports a file that disappears once, keeps the last content, and picks it up again", async () => {
    const path = join(dir, "bundle.pem");
    await writeFile(path, "first");
    const errors: string[] = [];
    const watched = await watchFile(
      {
        parse: (text) => text,
        onError: (error) => errors.push((error as NodeJS.ErrnoException).code ?? error.message),
      },
      { path, intervalMs: INTERVAL_MS },
    );
    await rm(path);
    expect(await until(async () => errors.length === 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, TWENTY_POLLS_MS));
    expect(errors).toEqual(["ENOENT"]);
    expect(watched.current()).toBe("first");
    await writeFile(path, "second");
    expect(await until(async () => watched.current() === "second")).toBe(true);
    expect(errors).toEqual(["ENOENT"]);
    watched.close();
  });
});
