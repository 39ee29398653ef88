/** An OPA decision-log collector on loopback: gunzips POSTed JSON arrays; can hang instead. */
import { createServer, type IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";

export interface Collector {
  url: string;
  /** Every event received, in order. */
  events: Array<Record<string, unknown>>;
  /** Raw decompressed bodies and their authorization headers. */
  requests: Array<{ body: string; authorization?: string; encoding?: string }>;
  /** From now on, hang (`true`: requests are held unanswered) or answer (`false`). */
  hang(on: boolean): void;
  stop(): Promise<void>;
}

export async function startCollector(mode: "ok" | "hang" = "ok"): Promise<Collector> {
  const collector: Pick<Collector, "events" | "requests"> = { events: [], requests: [] };
  const pending = new Set<IncomingMessage>();
  let hanging = mode === "hang";
  const server = createServer((request, response) => {
    if (hanging) {
      pending.add(request);
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body =
        request.headers["content-encoding"] === "gzip"
          ? gunzipSync(raw).toString("utf8")
          : raw.toString("utf8");
      collector.requests.push({
        body,
        authorization: request.headers.authorization,
        encoding: request.headers["content-encoding"],
      });
      collector.events.push(...(JSON.parse(body) as Array<Record<string, unknown>>));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    ...collector,
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/logs`,
    hang: (on) => {
      hanging = on;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
