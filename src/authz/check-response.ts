/**
 * The CheckResponse as plain data (protobuf JSON field names, Struct as plain JSON), built from a
 * policy decision exactly as opa-envoy-plugin v1.19.1-envoy maps it (docs/contract.md §3).
 */

/** `google.rpc.Code` values used here. */
export const RpcCode = { OK: 0, PERMISSION_DENIED: 7 } as const;

export interface HeaderValueOption {
  header: { key: string; value: string };
}

export interface CheckResponse {
  status: { code: number; message?: string };
  okResponse?: {
    headers?: HeaderValueOption[];
    headersToRemove?: string[];
    responseHeadersToAdd?: HeaderValueOption[];
    queryParametersToRemove?: string[];
    queryParametersToSet?: Array<{ key: string; value: string }>;
  };
  deniedResponse?: { status: { code: number }; headers?: HeaderValueOption[]; body?: string };
  dynamicMetadata?: Record<string, unknown>;
}

/** A decision object or boolean that does not follow the contract; the pipeline denies. */
export class DecisionShapeError extends Error {
  override readonly name = "DecisionShapeError";
}

/**
 * HTTP statuses a decision may set: those Go's `http.StatusText` knows that are also in Envoy's
 * `envoy.type.v3.StatusCode` enum (the peer checks both).
 */
const VALID_HTTP_STATUS = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421,
  422, 423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * Maps a policy result to the CheckResponse. Throws {@link DecisionShapeError} for anything the
 * peer would reject (it returns gRPC UNKNOWN there; the pipeline turns it into a deny), and for a
 * deny whose `http_status` is 1xx or 2xx, which the peer would send on to Envoy.
 */
export function decisionToResponse(decision: unknown): {
  allowed: boolean;
  response: CheckResponse;
} {
  if (typeof decision === "boolean") {
    return { allowed: decision, response: { status: { code: statusFor(decision) } } };
  }
  if (!isObject(decision)) {
    throw new DecisionShapeError(
      `illegal value for policy evaluation result: ${goTypeName(decision)}`,
    );
  }
  if (!("allowed" in decision)) {
    throw new DecisionShapeError(
      'unable to determine evaluation result due to missing "allowed" key',
    );
  }
  const allowed = decision.allowed;
  if (typeof allowed !== "boolean") {
    throw new DecisionShapeError("expected allowed to be of type 'boolean'");
  }
  const response: CheckResponse = { status: { code: statusFor(allowed) } };
  const headers = headerOptions(decision, "headers");
  if ("dynamic_metadata" in decision) {
    if (!isObject(decision.dynamic_metadata)) {
      throw new DecisionShapeError("expected dynamic_metadata to be of type 'object'");
    }
    response.dynamicMetadata = { ...decision.dynamic_metadata };
  }
  if (allowed) {
    response.okResponse = {
      headers,
      headersToRemove: stringList(decision, "request_headers_to_remove"),
      responseHeadersToAdd: headerOptions(decision, "response_headers_to_add"),
      queryParametersToRemove: stringList(decision, "query_parameters_to_remove"),
      queryParametersToSet: queryParameters(decision),
    };
  } else {
    response.deniedResponse = {
      headers,
      body: body(decision),
      status: { code: httpStatus(decision) },
    };
  }
  return { allowed, response };
}

function statusFor(allowed: boolean): number {
  return allowed ? RpcCode.OK : RpcCode.PERMISSION_DENIED;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return "[]interface {}";
  if (value === null) return "<nil>";
  return typeof value === "number" ? "json.Number" : typeof value;
}

function headerOptions(decision: Record<string, unknown>, key: string): HeaderValueOption[] {
  if (!(key in decision)) return [];
  const value = decision[key];
  const maps = Array.isArray(value) ? value : [value];
  return maps.flatMap((map) => {
    if (!isObject(map)) throw new DecisionShapeError(`expected ${key} to be of type 'object'`);
    return pairs(map, `header in ${key}`).map(([name, v]) => ({ header: { key: name, value: v } }));
  });
}

/** `{name: "v" | ["v1", "v2"]}` as name/value pairs; anything but strings is a shape error. */
function pairs(map: Record<string, unknown>, what: string): Array<[string, string]> {
  return Object.entries(map).flatMap(([name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v !== "string")) {
      throw new DecisionShapeError(`${what} '${name}' must be a string or a list of strings`);
    }
    return values.map((v): [string, string] => [name, v as string]);
  });
}

function stringList(decision: Record<string, unknown>, key: string): string[] {
  if (!(key in decision)) return [];
  const value = decision[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new DecisionShapeError(`expected ${key} to be of type '[]string'`);
  }
  return value as string[];
}

function queryParameters(decision: Record<string, unknown>): Array<{ key: string; value: string }> {
  if (!("query_parameters_to_set" in decision)) return [];
  const params = decision.query_parameters_to_set;
  if (!isObject(params)) {
    throw new DecisionShapeError("expected query_parameters_to_set to be a map");
  }
  return pairs(params, "query parameter").map(([key, value]) => ({ key, value }));
}

function body(decision: Record<string, unknown>): string {
  if (!("body" in decision)) return "";
  if (typeof decision.body !== "string")
    throw new DecisionShapeError("expected body to be of type 'string'");
  return decision.body;
}

function httpStatus(decision: Record<string, unknown>): number {
  if (!("http_status" in decision)) return 403;
  const status = decision.http_status;
  if (typeof status !== "number")
    throw new DecisionShapeError("expected http_status to be of type 'number'");
  if (!Number.isInteger(status) || !VALID_HTTP_STATUS.has(status)) {
    throw new DecisionShapeError(`invalid HTTP status code ${status}`);
  }
  // Envoy answers the client with this status: a 2xx denial reads as success, a 1xx as an interim
  // answer. The peer passes both through; we fail closed (docs/differences.md). A 3xx stays: a
  // redirect to a login page (`location` in `headers`) is a common ext_authz deny.
  if (status < 300) {
    throw new DecisionShapeError(
      `http_status ${status} on a deny: a denial must carry a 3xx, 4xx or 5xx status`,
    );
  }
  return status;
}
