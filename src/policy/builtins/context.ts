import { LRUCache } from "lru-cache";

/**
 * What one evaluation's builtins share, as OPA's topdown has it: one `time.now_ns` for the whole
 * evaluation, memoized results for non-deterministic builtins called with equal arguments
 * (`rand.intn`, `uuid.rfc4122`), and where `print()` output goes. Beyond one evaluation, the
 * compiled forms of deterministic arguments (regexes), which cost more to build than to use.
 */
export interface EvaluationContext {
  /** Nanoseconds since the epoch, fixed when the evaluation began. */
  readonly nowNs: bigint;
  /** The value `compute` gave for `key` earlier in this evaluation, else computes and keeps it. */
  memo<T>(key: string, compute: () => T): T;
  /**
   * The value `compute` gave for `key` in this or an earlier evaluation, else computes and keeps
   * it (the {@link COMPILED_KEYS} most recently used). For values that depend on `key` alone and
   * that callers never change. A `compute` that throws keeps nothing.
   */
  compiled<T extends object>(key: string, compute: () => T): T;
  /** One line of `print()` output. */
  print(line: string): void;
}

/** The context of the evaluation under way; `begin` starts the next one. */
export interface ContextSource {
  readonly current: EvaluationContext;
  /** Starts a new evaluation: a new clock reading, an empty memo. */
  begin(): void;
  /** How many compiled values are kept (`EvaluationContext.compiled`), at most {@link COMPILED_KEYS}. */
  readonly compiledKeys: number;
}

/**
 * How many compiled values a context source keeps: a policy's regexes number in the tens to
 * hundreds; one that builds a pattern per input (from a header, say) is not cached for long.
 */
export const COMPILED_KEYS = 1024;

/** A context source reading the clock once per evaluation, printing through `print`. */
export function createContextSource(deps: {
  nowNs(): bigint;
  print(line: string): void;
}): ContextSource {
  let memo = new Map<string, unknown>();
  const compiled = new LRUCache<string, object>({ max: COMPILED_KEYS });
  let nowNs = deps.nowNs();
  const current: EvaluationContext = {
    get nowNs() {
      return nowNs;
    },
    memo<T>(key: string, compute: () => T): T {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as T;
    },
    compiled<T extends object>(key: string, compute: () => T): T {
      const known = compiled.get(key);
      if (known !== undefined) return known as T;
      const value = compute();
      compiled.set(key, value);
      return value;
    },
    print: (line) => deps.print(line),
  };
  return {
    current,
    begin() {
      memo = new Map();
      nowNs = deps.nowNs();
    },
    get compiledKeys() {
      return compiled.size;
    },
  };
}

/**
 * A builtin's result as raw JSON text: opa-wasm parses it inside wasm, so integers beyond 2^53
 * (nanosecond timestamps) keep every digit.
 */
export function rawJson(text: string): ArrayBuffer {
  return new TextEncoder().encode(text).buffer as ArrayBuffer;
}
