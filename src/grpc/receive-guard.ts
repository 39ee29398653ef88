import { constants as http2, type ServerHttp2Stream } from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { createReceiveBudget } from "./receive-budget.js";

/** Limits on calls still receiving their request, resolved from `server.*`. */
export interface ReceiveGuardOptions {
  /** Longest a call may take to deliver its request (message and end of stream), ms. */
  receiveTimeoutMs: number;
  /** Bytes all calls still receiving may hold together; over it, the oldest are shed. */
  maxBufferedBytes: number;
}

/** What the guard reports. */
export interface ReceiveGuardDeps {
  /** Told about each call the guard ends: `receive_timeout`, `receive_buffers_full`, `transport_unobservable`. */
  onRejected(reason: string): void;
  /** Told the status each call ends with (once per call; a cancelled call: CANCELLED). */
  onStatus?(path: string, code: grpc.status): void;
}

/**
 * A grpc-js server interceptor bounding what calls may hold while their request arrives.
 * grpc-js buffers a partial message in the call until its last byte comes, with no limit on
 * time or on the sum over calls; the public interceptor API only sees whole messages. So the
 * guard counts the DATA bytes on the call's HTTP/2 stream and, to end a call, sends a gRPC status
 * and resets the stream (RST_STREAM NO_ERROR, RFC 9113 §8.1): a status alone leaves a stalled
 * stream open, and with it the buffered bytes. A call that has not delivered its request within
 * `receiveTimeoutMs` gets DEADLINE_EXCEEDED; when the bytes held by all receiving calls pass
 * `maxBufferedBytes`, the calls receiving longest get RESOURCE_EXHAUSTED.
 * Unary and server-streaming calls are receiving until the client half-closes; client-streaming
 * ones from each message to the next. One guard shares one budget across every server it is on.
 */
export function createReceiveGuard(
  deps: ReceiveGuardDeps,
  options: ReceiveGuardOptions,
): grpc.ServerInterceptor {
  const budget = createReceiveBudget(options.maxBufferedBytes);
  const timeoutStatus = {
    code: grpc.status.DEADLINE_EXCEEDED,
    details: `request not received within ${options.receiveTimeoutMs} ms`,
  };
  const fullStatus = {
    code: grpc.status.RESOURCE_EXHAUSTED,
    details: "receive buffers full",
  };
  return (method, call) => {
    const stream = http2StreamOf(call);
    if (!stream) return unobservable(deps, method.path, call);
    let guarded: grpc.ServerInterceptingCall | undefined;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const report = (code: grpc.status) => {
      if (ended) return;
      ended = true;
      deps.onStatus?.(method.path, code);
    };
    const end = (reason: string, status: { code: grpc.status; details: string }) => {
      finish();
      deps.onRejected(reason);
      guarded?.sendStatus(status);
      if (!stream.destroyed) stream.close(http2.NGHTTP2_NO_ERROR);
    };
    const ticket = budget.enter(() => end("receive_buffers_full", fullStatus));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => end("receive_timeout", timeoutStatus), options.receiveTimeoutMs);
    };
    const onData = (chunk: Buffer) => ticket.charge(chunk.length);
    const finish = () => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("close", finish);
      ticket.leave();
    };
    // grpc-js has paused the stream; a second `data` listener does not resume it.
    stream.on("data", onData);
    stream.once("close", finish);
    arm();
    guarded = new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage(message, next) {
            if (method.requestStream) {
              ticket.reset();
              arm();
            }
            next(message);
          },
          onReceiveHalfClose(next) {
            finish();
            next();
          },
          onCancel() {
            finish();
            report(grpc.status.CANCELLED);
          },
        }),
      sendStatus(status, next) {
        finish();
        report(status.code);
        next(status);
      },
    });
    return guarded;
  };
}

/**
 * The HTTP/2 stream under a call. grpc-js keeps it in a private field of the innermost call
 * (`BaseServerInterceptingCall.stream`, grpc-js 1.14); nothing public reaches it.
 */
function http2StreamOf(call: grpc.ServerInterceptingCallInterface): ServerHttp2Stream | undefined {
  const stream = (call as { stream?: unknown }).stream;
  if (typeof stream !== "object" || stream === null) return undefined;
  const candidate = stream as Partial<ServerHttp2Stream>;
  return typeof candidate.on === "function" && typeof candidate.close === "function"
    ? (stream as ServerHttp2Stream)
    : undefined;
}

/** Without the stream nothing bounds the call's buffer, so the call is refused (fail closed). */
function unobservable(
  deps: ReceiveGuardDeps,
  path: string,
  call: grpc.ServerInterceptingCallInterface,
) {
  const refused = new grpc.ServerInterceptingCall(call, {
    start: (next) => {
      next();
      deps.onRejected("transport_unobservable");
      deps.onStatus?.(path, grpc.status.INTERNAL);
      refused.sendStatus({ code: grpc.status.INTERNAL, details: "transport guard unavailable" });
    },
  });
  return refused;
}
