import { z } from "zod";
import { configSchema } from "./schema.js";

/** Top-level sections of the config file, as keys of the schema. */
export type ConfigSection = keyof typeof configSchema.shape;

/**
 * The config file's schema as JSON Schema (draft 7): what a file may hold, before defaults are
 * resolved, unknown keys refused. Checks that JSON Schema cannot state (`refine`s such as
 * `server.maxBufferedBytes >= server.maxRequestBytes`, secret-name patterns) are left out, so a
 * document it accepts may still be refused at start. `without` drops top-level sections (the Helm
 * chart's values.schema.json embeds it without `listen`, which the chart owns).
 */
export function configJsonSchema(without: readonly ConfigSection[] = []): Record<string, unknown> {
  const omitted = Object.fromEntries(without.map((key) => [key, true])) as Partial<
    Record<ConfigSection, true>
  >;
  const { $schema: _, ...schema } = z.toJSONSchema(configSchema.omit(omitted), {
    io: "input",
    target: "draft-7",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return schema;
}
