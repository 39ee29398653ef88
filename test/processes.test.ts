/**
 * The test suite's own process handling (test/support/processes.ts): a child that never becomes
 * ready is killed, and one that ignores SIGTERM is killed after the grace period.
 */
import { describe, expect, it } from "vitest";
import { runToEnd, startProcess } from "./support/processes.js";

const alive = (pid: number | undefined) => {
  try {
    process.kill(pid ?? -1, 0);
    return true;
  } catch {
    return false;
  }
};

describe("test child processes", () => {
  it("are killed when they do not become ready in time", async () => {
    const started = startProcess(
      "node",
      ["-e", "console.error('pid', process.pid); setInterval(() => {}, 1000)"],
      /never/,
      1_000,
    );
    const error = await started.catch((e: Error) => e);
    expect(String(error)).toContain("did not become ready in 1000 ms (killed)");
    const pid = Number(/pid (\d+)/.exec(String(error))?.[1] ?? NaN);
    expect(Number.isInteger(pid)).toBe(true);
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it("that ignore SIGTERM are killed after the grace period", async () => {
    const child = await startProcess(
      "node",
      ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      /^ready$/,
    );
    const code = await child.stop("SIGTERM", 300);
    expect(code).toBeNull();
    expect(child.process.signalCode).toBe("SIGKILL");
    expect(alive(child.process.pid)).toBe(false);
  });
});

describe("commands run to their end", () => {
  it("report the exit status and what they printed, with stdin written and env added", async () => {
    const script =
      "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => {" +
      " process.stdout.write(s.toUpperCase()); process.stderr.write(String(process.env.OC_X));" +
      " process.exit(3); })";
    expect(await runToEnd("node", ["-e", script], "abc", { env: { OC_X: "set" } })).toEqual({
      code: 3,
      stdout: "ABC",
      stderr: "set",
    });
  });

  it("remove a variable set to undefined, and report a signal as a null status", async () => {
    const printed = await runToEnd(
      "node",
      ["-e", "process.stdout.write(String(process.env.HOME))"],
      undefined,
      { env: { HOME: undefined } },
    );
    expect(printed.stdout).toBe("undefined");
    const killed = await runToEnd("node", ["-e", "process.kill(process.pid, 'SIGKILL')"]);
    expect(killed.code).toBeNull();
  });

  it("are killed when they outlast their timeout", async () => {
    // Never exits by itself: only the timeout's SIGKILL ends it.
    const hung = await runToEnd("node", ["-e", "setInterval(() => {}, 1000)"], undefined, {
      timeoutMs: 500,
    });
    expect(hung).toEqual({ code: null, stdout: "", stderr: "" });
  });
});
