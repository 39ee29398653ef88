import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { AuthzError } from "../errors.js";
import { type Config, configSchema } from "./schema.js";

/**
 * Validates a parsed config document and resolves every default.
 * Throws `AuthzError("config_invalid")` whose message names each bad key path.
 */
export function resolveConfig(document: unknown): Config {
  const result = configSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys =
      issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return keys.map((path) => `${path.join(".") || "(root)"}: ${issue.message}`).join("\n");
  });
  throw new AuthzError("config_invalid", problems.join("\n"));
}

/** Reads and validates a YAML config file; no file means all defaults. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (path === undefined) return resolveConfig({});
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new AuthzError("file_unreadable", `cannot read ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AuthzError(
      "config_invalid",
      `${path} is not valid YAML: ${(error as Error).message}`,
    );
  }
  return resolveConfig(document);
}
