/** Sums the Prometheus samples of a sidecar's /metrics whose lines match `pattern`. */
export async function metric(admin: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}
