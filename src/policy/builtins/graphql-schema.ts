import { compareStrings } from "./data-value.js";
import {
  type Definition,
  type DirectiveDefinition,
  errorAt,
  type Schema,
  type SchemaDefinition,
  type SchemaDocument,
} from "./graphql-ast.js";
import { parseSchema } from "./graphql-parser-schema.js";
import { PRELUDE } from "./graphql-prelude.js";
import {
  validateDefinition,
  validateDirective,
  validateDirectives,
} from "./graphql-schema-checks.js";

/**
 * OPA's convertSchema (topdown/graphql.go): gqlparser's prelude (built-in scalars, directives
 * and introspection types) merged before the policy's schema document, then gqlparser's
 * ValidateSchemaDocument (validator/schema.go, v2.5.36). Its rules are gqlparser's, not
 * graphql-js's buildASTSchema/validateSchema: extending a type that does not exist defines it,
 * builtin directives may be redeclared, no Query type is required, and the first problem (in
 * type-name order) is the error. Throws a GqlError; the document's definitions are modified
 * (extensions merged in), so it must be one parsed for this call.
 */
export function buildSchema(doc: SchemaDocument): Schema {
  const prelude = parseSchema(PRELUDE, { Name: "prelude.graphql", BuiltIn: true });
  return validateSchemaDocument(merge(prelude, doc));
}

type Lists = Required<Omit<SchemaDocument, "Position" | "Comment">>;

/** SchemaDocument.Merge of the prelude and the policy's document (into a new one). */
function merge(a: SchemaDocument, b: SchemaDocument): Lists {
  const keys = ["Schema", "SchemaExtension", "Directives", "Definitions", "Extensions"] as const;
  const out = {} as Record<(typeof keys)[number], unknown[]>;
  for (const key of keys) out[key] = [...(a[key] ?? []), ...(b[key] ?? [])];
  return out as Lists;
}

const BUILTIN_DIRECTIVES = new Set([
  "include",
  "skip",
  "deprecated",
  "specifiedBy",
  "defer",
  "oneOf",
]);

function validateSchemaDocument(sd: Lists): Schema {
  const schema: Schema = {
    Types: new Map(),
    Directives: new Map(),
    PossibleTypes: new Map(),
    Implements: new Map(),
  };
  for (const def of sd.Definitions) {
    if (schema.Types.has(def.Name))
      throw errorAt(def.Position, `Cannot redeclare type ${def.Name}.`);
    schema.Types.set(def.Name, def);
  }
  const defs = [...sd.Definitions, ...mergeExtensions(schema, sd.Extensions)];
  addPossibleTypes(schema, defs);
  for (const dir of sd.Directives) {
    // gqlparser keeps the first definition of a builtin directive and refuses other repeats.
    if (schema.Directives.has(dir.Name) && !BUILTIN_DIRECTIVES.has(dir.Name)) {
      throw errorAt(dir.Position, `Cannot redeclare directive ${dir.Name}.`);
    }
    schema.Directives.set(dir.Name, dir);
  }
  if (sd.Schema.length > 1) {
    throw errorAt(
      sd.Schema[1]?.Position,
      "Cannot have multiple schema entry points, consider schema extensions instead.",
    );
  }
  for (const entry of [...sd.Schema, ...sd.SchemaExtension]) setRoots(schema, entry);
  for (const name of [...schema.Types.keys()].sort(compareStrings)) {
    validateDefinition(schema, schema.Types.get(name) as Definition);
  }
  for (const name of [...schema.Directives.keys()].sort(compareStrings)) {
    validateDirective(schema, schema.Directives.get(name) as DirectiveDefinition);
  }
  if (sd.Schema.length === 0) inferRoots(schema);
  addIntrospectionFields(schema);
  return schema;
}

/** Appends each extension to its type, defining the type when there is none yet. */
function mergeExtensions(schema: Schema, extensions: Definition[]): Definition[] {
  const created: Definition[] = [];
  for (const ext of extensions) {
    let def = schema.Types.get(ext.Name);
    if (def === undefined) {
      def = {
        Kind: ext.Kind,
        Description: "",
        Name: ext.Name,
        Position: ext.Position,
        BuiltIn: false,
      };
      schema.Types.set(ext.Name, def);
      created.push(def);
    }
    if (def.Kind !== ext.Kind) {
      throw errorAt(
        ext.Position,
        `Cannot extend type ${ext.Name} because the base type is a ${def.Kind}, not ${ext.Kind}.`,
      );
    }
    const into = def;
    for (const key of [
      "Directives",
      "Interfaces",
      "Fields",
      "Types",
      "TypePositions",
      "EnumValues",
    ] as const) {
      // Go's append: a nil slice stays nil when nothing is added.
      const more = ext[key] as unknown[] | undefined;
      if (more === undefined || more.length === 0) continue;
      const have = (into[key] as unknown[] | undefined) ?? [];
      (into as unknown as Record<string, unknown>)[key] = [...have, ...more];
    }
  }
  return created;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** PossibleTypes and Implements. A union member that does not exist is a nil entry in Go. */
function addPossibleTypes(schema: Schema, defs: Definition[]): void {
  for (const def of defs) {
    if (def.Kind === "UNION") {
      for (const t of def.Types ?? []) {
        push(schema.PossibleTypes, def.Name, schema.Types.get(t) as Definition);
        push(schema.Implements, t, def);
      }
    } else if (def.Kind === "INPUT_OBJECT" || def.Kind === "OBJECT" || def.Kind === "INTERFACE") {
      for (const intf of def.Interfaces ?? []) {
        push(schema.PossibleTypes, intf, def);
        push(schema.Implements, def.Name, schema.Types.get(intf) as Definition);
      }
      if (def.Kind !== "INTERFACE") push(schema.PossibleTypes, def.Name, def);
    }
  }
}

function setRoots(schema: Schema, entry: SchemaDefinition): void {
  for (const op of entry.OperationTypes ?? []) {
    const def = schema.Types.get(op.Type);
    if (def === undefined) {
      throw errorAt(
        op.Position,
        `Schema root ${op.Operation} refers to a type ${op.Type} that does not exist.`,
      );
    }
    if (op.Operation === "query") schema.Query = def;
    else if (op.Operation === "mutation") schema.Mutation = def;
    else if (op.Operation === "subscription") schema.Subscription = def;
  }
  validateDirectives(schema, entry.Directives, "SCHEMA", undefined, true);
}

/** Without a `schema` definition the roots are the types named Query, Mutation, Subscription. */
function inferRoots(schema: Schema): void {
  schema.Query ??= schema.Types.get("Query");
  schema.Mutation ??= schema.Types.get("Mutation");
  schema.Subscription ??= schema.Types.get("Subscription");
}

function addIntrospectionFields(schema: Schema): void {
  const query = schema.Query;
  if (query === undefined) return;
  const named = (name: string, nonNull: boolean) => ({ NamedType: name, NonNull: nonNull });
  query.Fields = [
    ...(query.Fields ?? []),
    { Description: "", Name: "__schema", Type: named("__Schema", true) },
    {
      Description: "",
      Name: "__type",
      Type: named("__Type", false),
      Arguments: [{ Description: "", Name: "name", Type: named("String", true) }],
    },
  ];
}
