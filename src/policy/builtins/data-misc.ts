import { createHash, createHmac } from "node:crypto";
import { VERSION } from "../../version.js";
import { escapedPath, parseUrlBytes, urlText } from "./data-goUrl.js";
import { compareStrings, goJson, isObject, objectOperand, setOf } from "./data-value.js";
import type { RegoSet } from "./rego-set.js";
import type { BuiltinTable } from "./table.js";

/**
 * graph.Get(node): the edges of `node`, an array (a set arrives as one) or none; undefined when
 * `node` is not a key, which only a string can be (a JSON object's keys), and only an own one.
 */
function edgesOf(graph: Record<string, unknown>, node: unknown): unknown[] | undefined {
  if (typeof node !== "string" || !Object.hasOwn(graph, node)) return undefined;
  const edges = graph[node];
  return Array.isArray(edges) ? edges : [];
}

/**
 * graph.reachable_paths (topdown/reachable.go): every path from the roots, cut at a cycle. The
 * nodes reached are keys of the graph, so strings: a neighbour of another type is never one.
 */
function reachablePaths(graph: unknown, initial: unknown): RegoSet {
  const g = objectOperand(graph, 1);
  if (!Array.isArray(initial)) throw new Error("operand 2 must be one of {array, set}");
  const out: unknown[][] = [];
  const walk = (root: unknown, path: unknown[], reached: ReadonlySet<unknown>) => {
    const edges = edgesOf(g, root);
    if (!edges) return void out.push(path);
    const here = [...path, root];
    if (edges.length === 0) return void out.push(here);
    const seen = new Set(reached).add(root);
    for (const next of edges) {
      if (seen.has(next)) out.push(here);
      else walk(next, here, seen);
    }
  };
  for (const node of initial) {
    const edges = edgesOf(g, node);
    if (!edges) continue;
    if (edges.length === 0) out.push([node]);
    for (const next of edges) walk(next, [node], new Set([node]));
  }
  return setOf(out);
}

const REQUEST_KEYS = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);
const AWS_KEYS = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

const text = (value: unknown) => (typeof value === "string" ? value : "");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data).digest();
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** providers.aws.sign_req (topdown/providers.go, internal/providers/aws/signing_v4.go). */
function signRequest(request: unknown, config: unknown, timeNs: unknown): unknown {
  const req = objectOperand(request, 1);
  const aws = objectOperand(config, 2);
  const missing = AWS_KEYS.filter((k) => !(k in aws));
  if (missing.length > 0) throw new Error(`missing required AWS config parameters(s): ${missing}`);
  if (AWS_KEYS.some((k) => typeof aws[k] !== "string"))
    throw new Error("invalid AWS config parameters");
  if (typeof timeNs !== "number" || !Number.isInteger(timeNs))
    throw new Error("operand 3 must be an integer");
  const invalid = Object.keys(req).filter((k) => !REQUEST_KEYS.has(k));
  if (invalid.length > 0) throw new Error(`invalid request parameters(s): ${invalid}`);
  if (!("method" in req) || !("url" in req))
    throw new Error("missing required request parameters(s)");
  if (typeof req.url !== "string" || typeof req.method !== "string")
    throw new Error("invalid values for required request parameters(s)");
  const headers = req.headers === undefined ? {} : req.headers;
  if (!isObject(headers)) throw new Error("operand 0 must be object");
  let unsigned = false;
  if ("disable_payload_signing" in aws) {
    if (typeof aws.disable_payload_signing !== "boolean")
      throw new Error("invalid value for 'disable_payload_signing' in AWS config");
    unsigned = aws.disable_payload_signing;
  }
  const bytes = parseUrlBytes(req.url);
  const url = urlText(bytes);
  const body = "raw_body" in req ? text(req.raw_body) : "body" in req ? goJson(req.body) : "";
  const service = aws.aws_service as string;
  const region = aws.aws_region as string;
  // Float64 nanoseconds: exact to the second for any date a signature can carry.
  const iso = new Date(Math.floor(timeNs / 1e6)).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = iso.slice(0, 8);
  const payloadHash = unsigned ? "UNSIGNED-PAYLOAD" : sha256(Buffer.from(body, "utf8"));
  const awsHeaders: Record<string, string> = { host: url.host, "x-amz-date": iso };
  if (service === "s3" || service === "glacier") awsHeaders["x-amz-content-sha256"] = payloadHash;
  if (text(aws.aws_session_token) !== "")
    awsHeaders["x-amz-security-token"] = text(aws.aws_session_token);
  const toSign = new Map(Object.entries(awsHeaders));
  for (const [k, v] of Object.entries(headers))
    if (!IGNORED_HEADERS.has(k.toLowerCase())) toSign.set(k.toLowerCase(), text(v));
  const names = [...toSign.keys()].sort(compareStrings);
  const canonical = [
    req.method,
    escapedPath(bytes),
    url.rawQuery,
    ...names.map((k) => `${k}:${toSign.get(k)}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${iso}\n${scope}\n${sha256(canonical)}`;
  let signingKey = hmac(`AWS4${aws.aws_secret_access_key}`, date);
  for (const part of [region, service, "aws4_request"]) signingKey = hmac(signingKey, part);
  const signature = hmac(signingKey, stringToSign).toString("hex");
  const signed: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) signed[k] = text(v);
  signed.Authorization = `AWS4-HMAC-SHA256 Credential=${aws.aws_access_key}/${scope},SignedHeaders=${names.join(";")},Signature=${signature}`;
  Object.assign(signed, awsHeaders);
  return { ...req, headers: signed };
}

/**
 * What opa.runtime() returns here: no environment (the sidecar's variables hold secrets and
 * opa-envoy-plugin's would differ anyway), this sidecar's version, no commit, no config.
 */
export const RUNTIME = { env: {}, version: VERSION, commit: "" } as const;

export const miscBuiltins: BuiltinTable = {
  "graph.reachable_paths": (_, graph: unknown, initial: unknown) => reachablePaths(graph, initial),
  "providers.aws.sign_req": (_, request: unknown, config: unknown, timeNs: unknown) =>
    signRequest(request, config, timeNs),
  "opa.runtime": () => structuredClone(RUNTIME),
};
