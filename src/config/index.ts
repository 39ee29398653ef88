export { type ConfigSection, configJsonSchema } from "./json-schema.js";
export { loadConfig, resolveConfig, substituteEnv } from "./load.js";
export { type Config, duration, type IdentityConfig, type RedisTarget } from "./schema.js";
