import { stringOperand } from "./data-value.js";
import {
  GraphqlFailure,
  queryDocument,
  schemaAst,
  validateQuery,
  validSchema,
} from "./graphql-documents.js";
import { astValue } from "./graphql-output.js";
import type { BuiltinTable } from "./table.js";

/**
 * The graphql.* builtins as OPA v1.19.1's topdown has them (topdown/graphql.go), on a port of
 * gqlparser v2.5.36 (the library OPA uses): its lexer, parser, schema validation and default
 * query rules, so ASTs, validity and error texts are OPA's. graphql-js, the reference
 * implementation, differs from gqlparser where OPA shows it (see the graphql-*.ts files).
 *
 * Queries and schemas are strings or AST objects (read as Go's encoding/json reads them).
 * Schemas are parsed and validated once per distinct content (a bounded cache). Beyond OPA:
 * a document over MAX_DOCUMENT_LENGTH, nested past MAX_NESTING, or whose validation takes more
 * than MAX_VALIDATION_STEPS, and an AST object on which gqlparser would panic, make the
 * expression undefined (even for is_valid and friends, which otherwise answer false).
 */
export const graphqlBuiltins: BuiltinTable = {
  "graphql.parse_query": (_ctx, query) => astValue(queryDocument(stringOperand(query, 1), 1)),
  "graphql.parse_schema": (_ctx, schema) => schemaAst(stringOperand(schema, 1), 1),
  "graphql.parse": (_ctx, query, schema) => parse(query, schema),
  "graphql.parse_and_verify": (_ctx, query, schema) =>
    orElse(() => [true, ...parse(query, schema)], [false, {}, {}]),
  "graphql.is_valid": (_ctx, query, schema) =>
    orElse(() => {
      validateQuery(validSchema(schema, 2).schema, queryDocument(query, 1));
      return true;
    }, false),
  "graphql.schema_is_valid": (_ctx, schema) =>
    orElse(() => {
      validSchema(schema, 1);
      return true;
    }, false),
};

/** builtinGraphQLParse: [query AST, schema AST] when the query is valid for the schema. */
function parse(query: unknown, schema: unknown): [unknown, unknown] {
  const doc = queryDocument(query, 1);
  const { ast, schema: validated } = validSchema(schema, 2);
  // The query's AST is taken before validation fills in its definitions.
  const queryAst = astValue(doc);
  validateQuery(validated, doc);
  return [queryAst, ast];
}

/** `fallback` where OPA's builtin answers it for an error; bounds and panics still throw. */
function orElse<T>(compute: () => T, fallback: T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof GraphqlFailure) return fallback;
    throw error;
  }
}
