export { loadConfig, resolveConfig } from "./load.js";
export { type Config, configSchema, type IdentityConfig } from "./schema.js";
