export { createPipeline, type Pipeline, systemClock } from "./pipeline.js";
export { openPolicy, poolOptions } from "./policy.js";
export { openRedis, type RedisConnections } from "./redis.js";
export { runSidecar } from "./sidecar.js";
export { isWorker, supervise } from "./workers.js";
