/**
 * Judges one case's outcome against its expectations the way OPA's wasm SDK e2e runner does
 * (internal/wasm/sdk/test/e2e): an expected result first, result sets compared as sets of binding
 * objects, sets as sorted arrays (JSON), `strict_error` cases expected empty (wasm is non-strict).
 */

/** Canonical text of a JSON value: object keys sorted. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function resultSet(bindings, sortBindings) {
  const texts = (bindings ?? []).map((b) => {
    const copy = {};
    for (const [k, v] of Object.entries(b ?? {})) {
      copy[k] = sortBindings && Array.isArray(v) ? [...v].sort(byCanonical) : v;
    }
    return canonical(copy);
  });
  return [...new Set(texts)].sort();
}

function byCanonical(a, b) {
  const [x, y] = [canonical(a), canonical(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

const CONFLICT = ["var assignment conflict", "object insert conflict", "conflict"];

/**
 * `outcome` is `{compileError}` | `{evalError}` | `{bindings}`. Returns `{pass: true}` or
 * `{pass: false, reason}`.
 */
export function judge(c, outcome) {
  // As OPA's e2e runner orders them: an expected result (or definedness) wins over an expected
  // error, which a case may state for topdown's strict mode only.
  if (c.want_defined !== undefined || c.want_result !== undefined) {
    if (outcome.compileError) return fail(`compile error: ${outcome.compileError.message}`);
    if (outcome.evalError) return fail(`eval error: ${outcome.evalError}`);
    if (c.want_defined !== undefined) {
      return outcome.bindings.length > 0 === c.want_defined
        ? { pass: true }
        : fail(`want defined=${c.want_defined}, got ${short(outcome.bindings)}`);
    }
    const want = resultSet(c.want_result, c.sort_bindings);
    const got = resultSet(outcome.bindings, c.sort_bindings);
    return canonical(want) === canonical(got)
      ? { pass: true }
      : fail(`want ${short(c.want_result)}, got ${short(outcome.bindings)}`);
  }
  if (c.want_error_code === undefined && c.want_error === undefined) {
    return fail("case states no expectation");
  }
  if (c.strict_error) {
    // The error shows only in strict mode; non-strict (wasm) it is undefined.
    if (outcome.compileError) return fail(`compile error: ${outcome.compileError.message}`);
    if (outcome.evalError) return fail(`eval error: ${outcome.evalError}`);
    return outcome.bindings.length === 0
      ? { pass: true }
      : fail(`strict_error: want empty, got ${short(outcome.bindings)}`);
  }
  const code = c.want_error_code ?? "";
  if (outcome.compileError) {
    if (!code || outcome.compileError.code === code) return { pass: true };
    return fail(`want ${code}, got compile error ${outcome.compileError.message}`);
  }
  if (outcome.evalError) {
    if (code.startsWith("rego_")) return fail(`want ${code}, got ${outcome.evalError}`);
    if (code === "eval_conflict_error" && !CONFLICT.some((s) => outcome.evalError.includes(s))) {
      return fail(`want ${code}, got ${outcome.evalError}`);
    }
    return { pass: true };
  }
  return fail(`want error ${code || c.want_error}, got ${short(outcome.bindings)}`);
}

const fail = (reason) => ({ pass: false, reason });

function short(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
