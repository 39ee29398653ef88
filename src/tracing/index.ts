export { checkRequestContext, checkRequestHeader } from "./headers.js";
export { parseTraceparent } from "./trace-context.js";
export { type CheckTracing, createCheckTracer, type TracingOptions } from "./tracer.js";
