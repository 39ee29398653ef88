import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ThreadReply, ThreadRequest } from "./evaluation-protocol.js";
import type { ThreadEvents } from "./evaluation-thread.js";

/** Scripted threads: each records what it is sent; the test answers for it. */
interface FakeThread {
  events: ThreadEvents;
  evaluations: Array<Extract<ThreadRequest, { kind: "evaluate" }>>;
  terminated: boolean;
}
const threads: FakeThread[] = [];

vi.mock("./evaluation-thread.js", () => ({
  startThread: (_setup: unknown, events: ThreadEvents) => {
    const thread: FakeThread = { events, evaluations: [], terminated: false };
    threads.push(thread);
    queueMicrotask(() => events.onReply({ kind: "ready" }));
    return {
      post(request: ThreadRequest) {
        if (request.kind === "load") {
          queueMicrotask(() =>
            events.onReply({ kind: "loaded", policy: request.policy, entrypoints: { p: 0 } }),
          );
        } else if (request.kind === "evaluate") {
          thread.evaluations.push(request);
        }
      },
      takeWaiting: () => undefined,
      terminate() {
        thread.terminated = true;
      },
    };
  },
}));

const { createEvaluationPool } = await import("./evaluation-pool.js");

const DEADLINE_MS = 100;
const answer = (thread: FakeThread, index: number) => {
  const request = thread.evaluations[index];
  if (!request) throw new Error(`no evaluation ${index} on this thread`);
  const reply: ThreadReply = { kind: "result", id: request.id, defined: true, value: index };
  thread.events.onReply(reply);
};

describe("the evaluation deadline", () => {
  let replaced: string[];
  let pool: ReturnType<typeof createEvaluationPool>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    threads.length = 0;
    replaced = [];
    pool = createEvaluationPool(
      { threads: 1, timeoutMs: DEADLINE_MS, maxMemoryPages: 16 },
      { onError: () => {}, onPrint: () => {}, onThreadReplaced: (reason) => replaced.push(reason) },
    );
  });

  afterEach(() => {
    pool.close();
    vi.useRealTimers();
  });

  const policy = async () => {
    const loading = pool.load({} as WebAssembly.Module, new ArrayBuffer(0));
    await vi.advanceTimersByTimeAsync(0);
    return loading;
  };
  const input = () => "{}";

  it("answers a check that queued past it with a timeout, and keeps its thread when the evaluation itself is short", async () => {
    const loaded = await policy();
    const first = loaded.evaluate(input(), 0);
    const second = loaded.evaluate(input(), 0).catch((error: Error) => error);
    const thread = threads[0] as FakeThread;
    await vi.advanceTimersByTimeAsync(60);
    answer(thread, 0); // the first took 60 ms; the second starts now
    expect(await first).toEqual({ defined: true, value: 0 });
    await vi.advanceTimersByTimeAsync(40); // the second's deadline: 40 ms into its evaluation
    expect(String(await second)).toContain(`deadline of ${DEADLINE_MS} ms passed while evaluating`);
    expect(thread.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(30);
    answer(thread, 1); // it finished after 70 ms of evaluation, under the deadline
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(thread.terminated).toBe(false);
    expect(replaced).toEqual([]);
    const third = loaded.evaluate(input(), 0);
    answer(thread, 2);
    expect(await third).toEqual({ defined: true, value: 2 });
  });

  it("replaces the thread once a late-started evaluation has itself run for the deadline", async () => {
    const loaded = await policy();
    const first = loaded.evaluate(input(), 0);
    const second = loaded.evaluate(input(), 0).catch((error: Error) => error);
    const thread = threads[0] as FakeThread;
    await vi.advanceTimersByTimeAsync(60);
    answer(thread, 0);
    await first;
    await vi.advanceTimersByTimeAsync(40);
    expect(String(await second)).toContain("while evaluating");
    await vi.advanceTimersByTimeAsync(DEADLINE_MS - 40 - 1);
    expect(thread.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(1); // 100 ms of its own evaluation: a runaway
    expect(thread.terminated).toBe(true);
    expect(replaced).toEqual(["deadline"]);
    expect(threads).toHaveLength(2);
  });

  it("replaces the thread at the deadline of an evaluation that started at once", async () => {
    const loaded = await policy();
    const only = loaded.evaluate(input(), 0).catch((error: Error) => error);
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(String(await only)).toContain("while evaluating");
    expect(threads[0]?.terminated).toBe(true);
    expect(replaced).toEqual(["deadline"]);
  });

  it("times out a check still queued at its deadline without touching the busy thread", async () => {
    const loaded = await policy();
    void loaded.evaluate(input(), 0).catch(() => {});
    const queued = loaded.evaluate(input(), 0).catch((error: Error) => error);
    await vi.advanceTimersByTimeAsync(DEADLINE_MS - 1);
    answer(threads[0] as FakeThread, 0);
    // The queued one started at 99 ms: at 100 ms its deadline passes 1 ms into its evaluation.
    await vi.advanceTimersByTimeAsync(1);
    expect(String(await queued)).toContain("while evaluating");
    expect(threads[0]?.terminated).toBe(false);
  });

  it("gives a thread several checks at once, answered in order, the fifth when a slot frees", async () => {
    const loaded = await policy();
    const checks = [0, 1, 2, 3, 4].map(() => loaded.evaluate(input(), 0));
    const thread = threads[0] as FakeThread;
    expect(thread.evaluations).toHaveLength(4);
    answer(thread, 0);
    expect(thread.evaluations).toHaveLength(5);
    for (const index of [1, 2, 3, 4]) answer(thread, index);
    expect(await Promise.all(checks)).toEqual(
      [0, 1, 2, 3, 4].map((value) => ({ defined: true, value })),
    );
  });

  it("a thread replaced at a deadline hands the checks it held, not yet begun, to its replacement", async () => {
    const loaded = await policy();
    const runaway = loaded.evaluate(input(), 0).catch((error: Error) => error);
    await vi.advanceTimersByTimeAsync(50);
    const held = loaded.evaluate(input(), 0);
    expect(threads[0]?.evaluations).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50); // the runaway's own 100 ms
    expect(String(await runaway)).toContain("while evaluating");
    expect(threads[0]?.terminated).toBe(true);
    await vi.advanceTimersByTimeAsync(0); // the replacement is ready
    const replacement = threads[1] as FakeThread;
    expect(replacement.evaluations).toHaveLength(1);
    answer(replacement, 0);
    expect(await held).toEqual({ defined: true, value: 0 });
    expect(replaced).toEqual(["deadline"]);
  });

  it("a check whose deadline passes while held behind others times out, and the thread that skips it stays", async () => {
    const loaded = await policy();
    const checks = [0, 1, 2].map(() => loaded.evaluate(input(), 0).catch((error: Error) => error));
    const thread = threads[0] as FakeThread;
    await vi.advanceTimersByTimeAsync(90);
    answer(thread, 0); // the second begins at 90 ms
    await vi.advanceTimersByTimeAsync(10); // 100 ms: every deadline
    expect(String(await checks[1])).toContain("while evaluating");
    expect(String(await checks[2])).toContain("while waiting for an evaluation thread");
    await vi.advanceTimersByTimeAsync(20);
    answer(thread, 1); // the second's own evaluation took 30 ms: the thread stays
    const skipped = thread.evaluations[2];
    if (!skipped) throw new Error("the third was not posted");
    // The thread skips the third, whose expiresAt has passed.
    thread.events.onReply({ kind: "expired", id: skipped.id });
    await vi.advanceTimersByTimeAsync(3 * DEADLINE_MS);
    expect(thread.terminated).toBe(false);
    expect(replaced).toEqual([]);
  });

  it("a check its thread skipped as expired is a timeout, even before its own timer fires", async () => {
    const loaded = await policy();
    void loaded.evaluate(input(), 0);
    const skipped = loaded.evaluate(input(), 0).catch((error: Error) => error);
    const thread = threads[0] as FakeThread;
    await vi.advanceTimersByTimeAsync(50);
    answer(thread, 0);
    const request = thread.evaluations[1];
    if (!request) throw new Error("the second was not posted");
    // The thread's clock passed expiresAt a moment before the pool's timer would fire.
    thread.events.onReply({ kind: "expired", id: request.id });
    const error = await skipped;
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe("policy_eval_timeout");
  });
});
