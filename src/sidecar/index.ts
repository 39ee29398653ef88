export { createPipeline, type Pipeline } from "./pipeline.js";
export { openPolicy, poolOptions } from "./policy.js";
export { type CommandRedis, connectRedisOnce, openRedis } from "./redis.js";
export { runSidecar } from "./sidecar.js";
export { isWorker, supervise } from "./workers.js";
