#!/usr/bin/env -S node --no-regexp-tier-up
import { runCli } from "./cli/index.js";

// Reads process.env and turns the CLI's result into the exit code; `serve` keeps running and
// exits from its signal handler (sidecar/sidecar.ts). A command that has returned is done: it
// exits once what it wrote is out, whatever it left open (a `serve` that could not listen has
// Redis connections reconnecting, which would keep the process alive with its error printed).
const code = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
});
if (code !== "serving") {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
