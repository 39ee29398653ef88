export { loadConfig, resolveConfig } from "./load.js";
export { type Config, configSchema, duration, type IdentityConfig } from "./schema.js";
