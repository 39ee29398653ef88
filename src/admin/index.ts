import { createServer, type Server } from "node:http";
import { AuthzError } from "../errors.js";

/** What the admin endpoints report on. */
export interface AdminDeps {
  /** What `GET /metrics` serves (a prom-client registry, or the sum over workers). */
  registry: { metrics(): Promise<string>; readonly contentType: string };
  /** Ready: a policy is loaded (and, with identity, keys are warm). */
  isReady(): boolean;
  /** What `GET /status` shows (policy revision serving, last refused bundle, …). */
  status(): unknown;
}

/** The running admin server. */
export interface AdminServer {
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /healthz` (live), `GET /readyz` (200 when ready, 503 otherwise), `GET /status`
 * (JSON) and `GET /metrics` (Prometheus text format). Everything else is 404; request bodies are not read.
 */
export async function startAdminServer(deps: AdminDeps, address: string): Promise<AdminServer> {
  const server: Server = createServer(async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const ready = deps.isReady();
      response
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ready\n" : "not ready\n");
    } else if (path === "/status") {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(`${JSON.stringify(deps.status())}\n`);
    } else if (path === "/metrics") {
      await deps.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": deps.registry.contentType }).end(text),
        () =>
          response.writeHead(503, { "content-type": "text/plain" }).end("metrics unavailable\n"),
      );
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.maxHeadersCount = 100;
  const separator = address.lastIndexOf(":");
  const host = address.slice(0, separator).replace(/^\[|\]$/g, "");
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: Error) =>
      reject(new AuthzError("listen_failed", `cannot listen on ${address}: ${error.message}`)),
    );
    server.listen(Number(address.slice(separator + 1)), host, resolve);
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
