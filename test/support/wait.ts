/**
 * Polls `condition` until it holds or `ms` pass; resolves whether it held. Tests assert on the
 * result (or on what the condition looked at), never on a fixed sleep.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  ms = 10_000,
  stepMs = 20,
): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return condition();
}

/**
 * The first of `lines` (a child process's output, still growing) containing `text`, parsed as
 * JSON; polled until it appears. Throws after `ms`, naming what it waited for.
 */
export async function jsonLineWith<T = Record<string, unknown>>(
  lines: readonly string[],
  text: string,
  ms = 10_000,
): Promise<T> {
  const found = () => lines.find((line) => line.includes(text));
  if (!(await until(() => found() !== undefined, ms))) {
    throw new Error(`no output line with ${text} within ${ms} ms`);
  }
  return JSON.parse(found() as string) as T;
}
