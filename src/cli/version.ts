import { COMMIT, OPA_VERSION, OPA_WASM_VERSION, VERSION } from "../version.js";

/** `openclaw-authz --version`: this build, and the OPA pieces its decisions rest on. */
export function versionText(): string {
  return [
    `openclaw-authz ${VERSION}`,
    `commit    ${COMMIT}`,
    `opa-wasm  ${OPA_WASM_VERSION} (the loader forked for evaluation; wasm ABI 1.2 and later)`,
    `opa       ${OPA_VERSION} (opa build -t wasm; builtins follow its topdown)`,
    `node      ${process.version}`,
    "",
  ].join("\n");
}
