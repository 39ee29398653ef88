import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { OVER_BUDGET, withinBudget } from "./budget.js";

/** Keeps the event loop from turning for `ms`, as a burst of checks does. */
function busy(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("withinBudget", () => {
  it("gives the work's value, or OVER_BUDGET when nothing came in time", async () => {
    expect(await withinBudget(Promise.resolve("on time"), 1_000)).toBe("on time");
    expect(await withinBudget(new Promise(() => {}), 1)).toBe(OVER_BUDGET);
  });

  it("rejects as the work does", async () => {
    await expect(withinBudget(Promise.reject(new Error("refused")), 1_000)).rejects.toThrow(
      "refused",
    );
  });

  it("takes an answer that was already waiting when a busy event loop let the timer fire", async () => {
    // From the check phase (after a setImmediate) the loop's next phases are timers, then poll.
    await new Promise((resolve) => setImmediate(resolve));
    const { port1, port2 } = new MessageChannel();
    const answer = new Promise((resolve) => port1.once("message", resolve));
    const result = withinBudget(answer, 1);
    port2.postMessage("on time");
    // When the loop turns again, the timer is due and the message is waiting to be read.
    busy(20);
    expect(await result).toBe("on time");
    port1.close();
  });
});
