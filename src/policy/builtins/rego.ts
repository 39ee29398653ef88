import type { RegoParser, RegoParserLimits } from "./rego-parser.js";
import type { BuiltinTable } from "./table.js";

/** The builtin of this family: its Rego name. */
export const REGO_PARSE_MODULE = "rego.parse_module";

/**
 * Bounds of a thread's parser. Measured (scripts/rego-parser, go1.26): the instance starts at
 * 17 MiB; a 64 KiB module needs about 33 MiB and 0.3–1 s, a 256 KiB one about 75 MiB. Past the
 * input bound the builtin is an error at once, past the memory bound when Go runs out.
 */
export const REGO_PARSER_LIMITS: RegoParserLimits = {
  maxInputBytes: 128 * 1024,
  maxMemoryPages: 1024,
  keepMemoryPages: 512,
};

/** `rego.parse_module` for one thread, whose parser is loaded only for a bundle that calls it. */
export interface RegoBuiltins {
  /** The builtins by name (see table.ts); calling one before `prepare` loaded it is an error. */
  readonly table: BuiltinTable;
  /**
   * Loads what the builtins among `required` need, unless loaded: for each that cannot be, why.
   */
  prepare(required: string[]): Record<string, string>;
}

/**
 * `rego.parse_module(filename, text)` as topdown's builtinRegoParseModule (v1/topdown/parse.go):
 * the module parsed by OPA's own parser (`loadParser` loads it, see rego-parser.ts), as its JSON
 * AST. Operands that are not strings, and modules that do not parse, are errors.
 */
export function createRegoBuiltins(loadParser: () => RegoParser): RegoBuiltins {
  let parser: RegoParser | undefined;
  return {
    table: {
      [REGO_PARSE_MODULE]: (_context, filename: unknown, text: unknown) => {
        if (typeof filename !== "string" || typeof text !== "string") {
          throw new TypeError(`${REGO_PARSE_MODULE}: operands must be strings`);
        }
        if (!parser) throw new Error(`${REGO_PARSE_MODULE}: the Rego parser is not loaded`);
        return parser.parseModule(filename, text);
      },
    },
    prepare(required): Record<string, string> {
      if (parser || !required.includes(REGO_PARSE_MODULE)) return {};
      try {
        parser = loadParser();
        return {};
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          [REGO_PARSE_MODULE]: `the Rego parser could not be loaded: ${reason}; scripts/build-rego-parser builds it`,
        };
      }
    },
  };
}
