/**
 * Prints the corpus run: counts per directory (builtin family), each failure not excepted, the
 * exceptions that no longer fail, and the closing line. Returns how many failures count.
 */
export function report(cases, outcomes, exceptions, { verbose, seconds }) {
  const families = new Map();
  const unexpected = [];
  const stale = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const notProvided = new Map();
  for (const c of cases) {
    const outcome = outcomes.get(c.id) ?? { status: "fail", reason: "never ran (runner bug)" };
    const row = families.get(c.family) ?? { pass: 0, fail: 0, skip: 0, excepted: 0 };
    families.set(c.family, row);
    const reason = exceptions[c.note];
    if (outcome.status === "pass") {
      passed++;
      row.pass++;
      if (reason !== undefined) stale.push(c.note);
    } else if (outcome.status === "skip") {
      skipped++;
      row.skip++;
      const m = /^builtin not provided \((.*)\)$/.exec(outcome.reason);
      if (m)
        for (const name of m[1].split(", "))
          notProvided.set(name, (notProvided.get(name) ?? 0) + 1);
      if (verbose) console.log(`SKIP ${c.file} ${c.note}: ${outcome.reason}`);
    } else if (reason !== undefined) {
      skipped++;
      row.excepted++;
      if (verbose) console.log(`EXCEPTED ${c.file} ${c.note}: ${reason}`);
    } else {
      failed++;
      row.fail++;
      unexpected.push(`FAIL ${c.file} ${JSON.stringify(c.note)}: ${outcome.reason}`);
    }
  }
  console.log("family                                  pass  fail  skip  excepted");
  for (const [family, r] of [...families].sort()) {
    const cells = [r.pass, r.fail, r.skip, r.excepted].map((n) => String(n).padStart(5)).join(" ");
    console.log(`${family.padEnd(38)} ${cells}`);
  }
  for (const line of unexpected) console.log(line);
  if (notProvided.size > 0) {
    const names = [...notProvided].sort().map(([name, n]) => `${name} ×${n}`);
    console.log(`skipped: builtin not provided: ${names.join(", ")}`);
  }
  for (const note of stale)
    console.log(`exception no longer needed (passes): ${JSON.stringify(note)}`);
  console.log(`opa-cases: ${seconds.toFixed(0)} s`);
  console.log(`opa-cases: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed;
}
