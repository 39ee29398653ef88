export { loadConfig, resolveConfig } from "./load.js";
export { type Config, configSchema } from "./schema.js";
