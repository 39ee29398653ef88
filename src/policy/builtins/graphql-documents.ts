import { LRUCache } from "lru-cache";
import { isObject } from "./data-value.js";
import {
  errorText,
  GqlError,
  type QueryDocument,
  type Schema,
  type SchemaDocument,
} from "./graphql-ast.js";
import {
  checkObjectDepth,
  decodeQueryDocument,
  decodeSchemaDocument,
  isDecodeError,
} from "./graphql-decode.js";
import { astValue } from "./graphql-output.js";
import { GraphqlLimitError } from "./graphql-parser.js";
import { parseQuery } from "./graphql-parser-query.js";
import { parseSchema } from "./graphql-parser-schema.js";
import { DEFAULT_RULES } from "./graphql-rules.js";
import { buildSchema } from "./graphql-schema.js";
import { newEvents, walk } from "./graphql-walk.js";

/**
 * Query and schema documents for the graphql.* builtins, from text or from an AST object, with
 * OPA's error texts; parsed and validated schemas kept in a bounded cache by content.
 */

/** What OPA reports as a builtin error (is_valid and friends answer `false` instead). */
export class GraphqlFailure extends Error {}

/** Longest query or schema text taken, in UTF-16 units (OPA has no bound). */
export const MAX_DOCUMENT_LENGTH = 1 << 20;

/**
 * formatGqlParserError (topdown/graphql.go) of an error's text: "msg in GraphQL string at
 * location L:C" when the text starts "input:L:C: ", the final ".\n" of an error list trimmed.
 */
function formatted(raw: string): GraphqlFailure {
  // strings.SplitN(text, ":", 4), then the line and column as unsigned integers.
  const head = /^[^:]*:(\d+):(\d+):/.exec(raw);
  if (head) {
    let message = raw.slice(head[0].length).replace(/^ +/, "");
    if (message.endsWith(".\n")) message = message.slice(0, -2);
    const at = `${Number(head[1])}:${Number(head[2])}`;
    return new GraphqlFailure(`${message} in GraphQL string at location ${at}`);
  }
  return new GraphqlFailure(`GraphQL parse error: ${raw}`);
}

/** Runs `read`, turning gqlparser's and encoding/json's errors into OPA's. */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof GqlError) throw formatted(error.text());
    if (isDecodeError(error)) throw new GraphqlFailure((error as Error).message);
    throw error;
  }
}

function bounded(text: string): string {
  if (text.length > MAX_DOCUMENT_LENGTH) {
    throw new GraphqlLimitError(`GraphQL document longer than ${MAX_DOCUMENT_LENGTH} characters`);
  }
  return text;
}

/** A query operand: text to parse or an AST object; anything else is a type error. */
export function queryDocument(operand: unknown, position: number): QueryDocument {
  if (typeof operand === "string") return reading(() => parseQuery(bounded(operand)));
  if (isObject(operand)) return reading(() => decodeQueryDocument(operand));
  throw new GraphqlFailure(`operand ${position} must be one of {string, object}`);
}

type Outcome<T> = { value: T } | { error: unknown };

interface SchemaEntry {
  ast?: Outcome<Record<string, unknown>>;
  schema?: Outcome<Schema>;
}

function outcome<T>(compute: () => T): Outcome<T> {
  try {
    return { value: compute() };
  } catch (error) {
    return { error };
  }
}

function unwrap<T>(result: Outcome<T>): T {
  if ("error" in result) throw result.error;
  return result.value;
}

// Bounded in entries and in schema text (a parsed schema takes some tens of times its text):
// schemas come from policies or requests. Failures are kept too: they fail alike.
const schemas = new LRUCache<string, SchemaEntry>({
  max: 64,
  maxSize: 2 << 20,
  sizeCalculation: (_entry, key) => key.length,
});

function schemaDocument(operand: string | Record<string, unknown>): SchemaDocument {
  if (typeof operand === "string") return reading(() => parseSchema(bounded(operand)));
  return reading(() => decodeSchemaDocument(operand));
}

/** A schema operand's entry, its AST (and, `validated`, its Schema) computed once. */
function schemaEntry(operand: unknown, position: number, validated: boolean): SchemaEntry {
  if (typeof operand !== "string" && !isObject(operand)) {
    throw new GraphqlFailure(`operand ${position} must be one of {string, object}`);
  }
  if (typeof operand !== "string") checkObjectDepth(operand);
  const key = typeof operand === "string" ? `text:${operand}` : `object:${JSON.stringify(operand)}`;
  let entry = schemas.get(key);
  if (entry === undefined) {
    entry = {};
    schemas.set(key, entry);
  }
  if (entry.ast === undefined || (validated && entry.schema === undefined)) {
    const doc = outcome(() => schemaDocument(operand));
    // The AST is taken before validation, which merges extensions into the document.
    entry.ast ??= outcome(() => astValue(unwrap(doc)));
    if (validated) entry.schema ??= outcome(() => validatedSchema(unwrap(doc)));
  }
  return entry;
}

/** convertSchema: its error is wrapped, not formatted. */
function validatedSchema(doc: SchemaDocument): Schema {
  try {
    return buildSchema(doc);
  } catch (error) {
    if (!(error instanceof GqlError)) throw error;
    throw new GraphqlFailure(
      `Error in gqlparser SchemaDocument to Schema conversion: ${error.text()}`,
    );
  }
}

/** A schema operand's AST as OPA returns it (not validated). */
export function schemaAst(operand: unknown, position: number): Record<string, unknown> {
  return unwrap(schemaEntry(operand, position, false).ast as Outcome<Record<string, unknown>>);
}

/** A schema operand's AST and its validated Schema. */
export function validSchema(
  operand: unknown,
  position: number,
): { ast: Record<string, unknown>; schema: Schema } {
  const entry = schemaEntry(operand, position, true);
  const ast = unwrap(entry.ast as Outcome<Record<string, unknown>>);
  return { ast, schema: unwrap(entry.schema as Outcome<Schema>) };
}

/** validateQuery: gqlparser's default rules; all their errors in one failure. */
export function validateQuery(schema: Schema, doc: QueryDocument): void {
  // A gqlerror.List's text: each error's and a newline.
  let errors = "";
  const events = newEvents();
  for (const rule of DEFAULT_RULES) {
    rule(events, (message, pos) => {
      // gqlparser's At() reads the position's source: one without (from an object) panics.
      if (pos && !pos.Src) throw new Error("nil pointer dereference: position without source");
      errors += `${errorText(message, pos?.Line, pos?.Column, pos?.Src?.Name)}\n`;
    });
  }
  walk(schema, doc, events);
  if (errors !== "") throw formatted(errors);
}
