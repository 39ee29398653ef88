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
