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

/**
 * `${VAR}` in `text` replaced by the environment variable VAR, as OPA substitutes its config
 * file (internal/config: the raw text, before parsing; `${` to the first `}` on the same line;
 * `${}` is empty). An unset variable is replaced by the empty string, as OPA's configuration
 * documentation says (OPA 1.19.1 itself leaves an unset one as written).
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>) {
  return text.replace(/\$\{([^}\n]*)\}/g, (_, name: string) => env[name] ?? "");
}

/**
 * Reads a YAML config file, substitutes `${VAR}` from `env` ({@link substituteEnv}), validates
 * it; no file means all defaults. Throws `AuthzError`: `file_unreadable` when the file cannot be
 * read, `config_invalid` for bad YAML or a bad key.
 */
export async function loadConfig(
  path: string | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<Config> {
  if (path === undefined) return resolveConfig({});
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new AuthzError("file_unreadable", `cannot read ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(substituteEnv(text, env));
  } catch (error) {
    throw new AuthzError(
      "config_invalid",
      `${path} is not valid YAML: ${(error as Error).message}`,
    );
  }
  return resolveConfig(document);
}
