#!/usr/bin/env node
// Writes envoy/sidecar-loopback.yaml from envoy/sidecar.yaml, its one source: the same bootstrap
// with ext_authz over loopback TCP (127.0.0.1:9191, `npm start`'s listener) instead of the
// pod-local Unix socket. Edit envoy/sidecar.yaml, then run `node scripts/envoy-loopback.mjs`;
// test/deployment.test.ts fails while the committed file differs from what this writes.
// Usage: node scripts/envoy-loopback.mjs [OUT]   (default envoy/sidecar-loopback.yaml)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ENVOY = join(dirname(fileURLToPath(import.meta.url)), "../envoy");
const EDITS = [
  [
    "# over a pod-local Unix socket before it reaches OpenClaw on loopback. Fails closed.\n",
    "# over loopback TCP (127.0.0.1:9191) before it reaches OpenClaw on loopback. Fails closed.\n" +
      "# Generated from envoy/sidecar.yaml by scripts/envoy-loopback.mjs: edit that file, not this one.\n",
  ],
  [
    "endpoint: {address: {pipe: {path: /run/openclaw-authz/authz.sock}}}",
    "endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9191}}}",
  ],
];

let text = readFileSync(join(ENVOY, "sidecar.yaml"), "utf8");
for (const [from, to] of EDITS) {
  // Exactly once, so a change to sidecar.yaml that this edit no longer fits stops here.
  const count = text.split(from).length - 1;
  if (count !== 1)
    throw new Error(`envoy/sidecar.yaml has ${count} of ${JSON.stringify(from)}, want 1`);
  text = text.replace(from, to);
}
writeFileSync(process.argv[2] ?? join(ENVOY, "sidecar-loopback.yaml"), text);
