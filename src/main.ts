#!/usr/bin/env node
import { runCli } from "./cli/index.js";

// The only place that reads process.env and decides the exit code.
const code = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
});
if (code !== "serving") process.exitCode = code;
