import { compareStrings, isObject } from "./data-value.js";
import { KIND, type QueryDocument, type SchemaDocument } from "./graphql-ast.js";
import { GraphqlLimitError, MAX_NESTING } from "./graphql-parser.js";

/**
 * An AST given as an object, read as OPA reads it (objectToQueryDocument and
 * objectToSchemaDocument in topdown/graphql.go): JSON into gqlparser's structs with Go's
 * encoding/json. So keys match field names exactly or else case-insensitively, unknown keys
 * and `json:"-"` fields are ignored, a value of the wrong type is an error, null leaves the zero
 * value, and every struct gets its zero-valued fields. Four types decode themselves (ast/decode.go):
 * their keys match exactly, and a selection is tried as a Field, then a FragmentSpread, then an
 * InlineFragment, dropped if none fits; since a Field takes any object, every selection given
 * as an object is a Field.
 */

type Spec = "string" | "int" | "bool" | "selections" | { ptr: string } | { slice: Spec };

const ptr = (name: string): Spec => ({ ptr: name });
const list = (name: string): Spec => ({ slice: ptr(name) });
const COMMENTS = {
  BeforeDescriptionComment: ptr("CommentGroup"),
  AfterDescriptionComment: ptr("CommentGroup"),
};

/** The decodable fields of each struct, in Go's declaration order. */
const STRUCTS: Record<string, Record<string, Spec>> = {
  QueryDocument: {
    Operations: list("OperationDefinition"),
    Fragments: list("FragmentDefinition"),
    Comment: ptr("CommentGroup"),
  },
  OperationDefinition: {
    Operation: "string",
    Name: "string",
    VariableDefinitions: list("VariableDefinition"),
    Directives: list("Directive"),
    SelectionSet: "selections",
    Position: ptr("Position"),
  },
  VariableDefinition: {
    Variable: "string",
    Type: ptr("Type"),
    DefaultValue: ptr("Value"),
    Directives: list("Directive"),
    Comment: ptr("CommentGroup"),
    Definition: ptr("Definition"),
    Used: "bool",
  },
  Directive: {
    Name: "string",
    Arguments: list("Argument"),
    ParentDefinition: ptr("Definition"),
    Definition: ptr("DirectiveDefinition"),
    Location: "string",
  },
  Argument: { Name: "string", Value: ptr("Value"), Comment: ptr("CommentGroup") },
  Value: {
    Raw: "string",
    Children: list("ChildValue"),
    Kind: "int",
    Comment: ptr("CommentGroup"),
    Definition: ptr("Definition"),
    VariableDefinition: ptr("VariableDefinition"),
    ExpectedType: ptr("Type"),
    ExpectedTypeHasDefault: "bool",
  },
  ChildValue: { Name: "string", Value: ptr("Value"), Comment: ptr("CommentGroup") },
  Type: { NamedType: "string", Elem: ptr("Type"), NonNull: "bool" },
  Field: {
    Alias: "string",
    Name: "string",
    Arguments: list("Argument"),
    Directives: list("Directive"),
    SelectionSet: "selections",
    Position: ptr("Position"),
    Definition: ptr("FieldDefinition"),
    ObjectDefinition: ptr("Definition"),
  },
  FragmentSpread: {
    Name: "string",
    Directives: list("Directive"),
    ObjectDefinition: ptr("Definition"),
    Definition: ptr("FragmentDefinition"),
    Comment: ptr("CommentGroup"),
  },
  InlineFragment: {
    TypeCondition: "string",
    Directives: list("Directive"),
    SelectionSet: "selections",
    ObjectDefinition: ptr("Definition"),
    Position: ptr("Position"),
  },
  FragmentDefinition: {
    Name: "string",
    VariableDefinition: list("VariableDefinition"),
    TypeCondition: "string",
    Directives: list("Directive"),
    SelectionSet: "selections",
    Definition: ptr("Definition"),
    Position: ptr("Position"),
  },
  CommentGroup: { List: list("Comment") },
  Comment: { Value: "string", Position: ptr("Position") },
  Position: { Start: "int", End: "int", Line: "int", Column: "int", Src: ptr("Source") },
  Source: { Name: "string", Input: "string", BuiltIn: "bool" },
  SchemaDocument: {
    Schema: list("SchemaDefinition"),
    SchemaExtension: list("SchemaDefinition"),
    Directives: list("DirectiveDefinition"),
    Definitions: list("Definition"),
    Extensions: list("Definition"),
    Comment: ptr("CommentGroup"),
  },
  SchemaDefinition: {
    Description: "string",
    Directives: list("Directive"),
    OperationTypes: list("OperationTypeDefinition"),
    ...COMMENTS,
    EndOfDefinitionComment: ptr("CommentGroup"),
  },
  OperationTypeDefinition: { Operation: "string", Type: "string", Comment: ptr("CommentGroup") },
  Definition: {
    Kind: "string",
    Description: "string",
    Name: "string",
    Directives: list("Directive"),
    Interfaces: { slice: "string" },
    Fields: list("FieldDefinition"),
    Types: { slice: "string" },
    EnumValues: list("EnumValueDefinition"),
    BuiltIn: "bool",
    ...COMMENTS,
    EndOfDefinitionComment: ptr("CommentGroup"),
  },
  FieldDefinition: {
    Description: "string",
    Name: "string",
    Arguments: list("ArgumentDefinition"),
    DefaultValue: ptr("Value"),
    Type: ptr("Type"),
    Directives: list("Directive"),
    ...COMMENTS,
  },
  ArgumentDefinition: {
    Description: "string",
    Name: "string",
    DefaultValue: ptr("Value"),
    Type: ptr("Type"),
    Directives: list("Directive"),
    ...COMMENTS,
  },
  EnumValueDefinition: {
    Description: "string",
    Name: "string",
    Directives: list("Directive"),
    ...COMMENTS,
  },
  DirectiveDefinition: {
    Description: "string",
    Name: "string",
    Arguments: list("ArgumentDefinition"),
    Locations: { slice: "string" },
    IsRepeatable: "bool",
    ...COMMENTS,
  },
};

/** The types with their own UnmarshalJSON: exact keys only. */
const SELF_DECODING = new Set([
  "OperationDefinition",
  "Field",
  "InlineFragment",
  "FragmentDefinition",
]);
const SELECTION_TYPES = ["Field", "FragmentSpread", "InlineFragment"] as const;

class DecodeError extends Error {}

/** Deepest nesting an AST object may have (its JSON objects and arrays). */
export const MAX_OBJECT_DEPTH = MAX_NESTING * 4;

/** Refuses an object nested past MAX_OBJECT_DEPTH (checked without recursion). */
export function checkObjectDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, depth] = top;
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_OBJECT_DEPTH)
      throw new GraphqlLimitError("GraphQL AST object nested too deeply");
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
}

export function decodeQueryDocument(value: Record<string, unknown>): QueryDocument {
  checkObjectDepth(value);
  return decodeStruct("QueryDocument", value) as QueryDocument;
}

export function decodeSchemaDocument(value: Record<string, unknown>): SchemaDocument {
  checkObjectDepth(value);
  return decodeStruct("SchemaDocument", value) as SchemaDocument;
}

/** Whether an error is Go's json.Unmarshal failing (an error), not a bound or a bug. */
export const isDecodeError = (error: unknown) => error instanceof DecodeError;

/** Go's case folding of a key for field matching (ASCII, plus the two letters Go folds too). */
const fold = (key: string) => key.replaceAll("ſ", "s").replaceAll("K", "k").toLowerCase();

/** A struct from a JSON value that is not null (decodeValue and decodeSelections see to that). */
function decodeStruct(name: string, json: unknown): Record<string | symbol, unknown> {
  if (!isObject(json)) throw new DecodeError(`cannot unmarshal into Go value of type ast.${name}`);
  const fields = STRUCTS[name] as Record<string, Spec>;
  const out: Record<string | symbol, unknown> = {};
  for (const [field, spec] of Object.entries(fields)) {
    if (spec === "string") out[field] = "";
    else if (spec === "int") out[field] = 0;
    else if (spec === "bool") out[field] = false;
  }
  if (SELECTION_TYPES.includes(name as (typeof SELECTION_TYPES)[number])) out[KIND] = name;
  const exact = SELF_DECODING.has(name);
  for (const key of Object.keys(json).sort(compareStrings)) {
    const field = exact
      ? Object.hasOwn(fields, key)
        ? key
        : undefined
      : Object.hasOwn(fields, key)
        ? key
        : Object.keys(fields).find((f) => fold(f) === fold(key));
    if (field === undefined) continue;
    const spec = fields[field] as Spec;
    // null leaves a scalar as it was and makes a pointer or slice nil.
    const zero = typeof spec === "string" ? out[field] : undefined;
    const decoded = decodeValue(spec, json[key], zero);
    if (decoded === undefined) delete out[field];
    else out[field] = decoded;
  }
  return out;
}

function decodeValue(spec: Spec, json: unknown, zero: unknown): unknown {
  if (spec === "selections") return decodeSelections(json);
  if (json === null) return zero;
  if (spec === "string") return typed(json, typeof json === "string", "string");
  if (spec === "bool") return typed(json, typeof json === "boolean", "bool");
  if (spec === "int") return typed(json, Number.isSafeInteger(json), "int");
  if ("ptr" in spec) return decodeStruct(spec.ptr, json);
  if (!Array.isArray(json)) throw new DecodeError("cannot unmarshal into Go slice");
  const elem = spec.slice;
  // A null item is the element's zero value: "" in a []string, nil in a slice of pointers.
  return json.map((item) => decodeValue(elem, item, elem === "string" ? "" : null));
}

function typed(json: unknown, ok: boolean, type: string): unknown {
  if (!ok) throw new DecodeError(`cannot unmarshal ${typeof json} into Go value of type ${type}`);
  return json;
}

/** UnmarshalSelectionSet: an array (null is empty), each item the first type that decodes it. */
function decodeSelections(json: unknown): unknown[] {
  if (json === null) return [];
  if (!Array.isArray(json)) throw new DecodeError("cannot unmarshal into []json.RawMessage");
  const out: unknown[] = [];
  for (const item of json) {
    for (const type of SELECTION_TYPES) {
      try {
        // A null item is an empty selection of the first type.
        out.push(item === null ? { ...decodeStruct(type, {}) } : decodeStruct(type, item));
        break;
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
      }
    }
  }
  return out;
}
