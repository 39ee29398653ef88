/**
 * gqlparser's AST (github.com/vektah/gqlparser/v2/ast, v2.5.36, the version OPA v1.19.1 pins), as
 * plain objects whose keys are the Go field names: OPA hands these structs to policies through
 * encoding/json, so the names, the always-present zero values ("" / false / 0) and the nil
 * pointers and slices (absent here) are what a policy sees.
 *
 * A pointer field the parser always sets is typed as required; one decoded from a policy's
 * object (graphql-decode.ts) may still be missing, and code that touches it then throws where
 * gqlparser dereferences nil and panics. Slices decoded from objects may hold nulls likewise.
 */

/** Which Go type a selection is (gqlparser's Selection interface); not part of the JSON. */
export const KIND: unique symbol = Symbol("gqlparser selection type");

export interface Source {
  readonly Name: string;
  readonly BuiltIn: boolean;
}

export interface Position {
  Start: number;
  End: number;
  Line: number;
  Column: number;
  Src?: Source;
}

export interface Comment {
  Value: string;
  Position?: Position;
}

export interface CommentGroup {
  List?: Comment[];
}

/** ValueKind, in gqlparser's iota order (its JSON is the number). */
export const ValueKind = {
  Variable: 0,
  IntValue: 1,
  FloatValue: 2,
  StringValue: 3,
  BlockValue: 4,
  BooleanValue: 5,
  NullValue: 6,
  EnumValue: 7,
  ListValue: 8,
  ObjectValue: 9,
} as const;

export interface Type {
  NamedType: string;
  Elem?: Type;
  NonNull: boolean;
  Position?: Position;
}

export interface Value {
  Raw: string;
  Children?: ChildValue[];
  Kind: number;
  Position?: Position;
  Comment?: CommentGroup;
  Definition?: Definition;
  VariableDefinition?: VariableDefinition;
  ExpectedType?: Type;
  ExpectedTypeHasDefault: boolean;
}

export interface ChildValue {
  Name: string;
  Value: Value;
  Position?: Position;
  Comment?: CommentGroup;
}

export interface Argument {
  Name: string;
  Value: Value;
  Position?: Position;
  Comment?: CommentGroup;
}

export interface Directive {
  Name: string;
  Arguments?: Argument[];
  Position?: Position;
  ParentDefinition?: Definition;
  Definition?: DirectiveDefinition;
  Location: string;
}

export interface Field {
  [KIND]: "Field";
  Alias: string;
  Name: string;
  Arguments?: Argument[];
  Directives?: Directive[];
  SelectionSet?: Selection[];
  Position?: Position;
  Comment?: CommentGroup;
  Definition?: FieldDefinition;
  ObjectDefinition?: Definition;
}

export interface FragmentSpread {
  [KIND]: "FragmentSpread";
  Name: string;
  Directives?: Directive[];
  ObjectDefinition?: Definition;
  Definition?: FragmentDefinition;
  Position?: Position;
  Comment?: CommentGroup;
}

export interface InlineFragment {
  [KIND]: "InlineFragment";
  TypeCondition: string;
  Directives?: Directive[];
  SelectionSet?: Selection[];
  ObjectDefinition?: Definition;
  Position?: Position;
  Comment?: CommentGroup;
}

export type Selection = Field | FragmentSpread | InlineFragment;

export interface FragmentDefinition {
  Name: string;
  VariableDefinition?: VariableDefinition[];
  TypeCondition: string;
  Directives?: Directive[];
  SelectionSet?: Selection[];
  Definition?: Definition;
  Position?: Position;
  Comment?: CommentGroup;
}

export interface VariableDefinition {
  Variable: string;
  Type: Type;
  DefaultValue?: Value;
  Directives?: Directive[];
  Position?: Position;
  Comment?: CommentGroup;
  Definition?: Definition;
  Used: boolean;
}

export interface OperationDefinition {
  Operation: string;
  Name: string;
  VariableDefinitions?: VariableDefinition[];
  Directives?: Directive[];
  SelectionSet?: Selection[];
  Position?: Position;
  Comment?: CommentGroup;
}

export interface QueryDocument {
  Operations?: OperationDefinition[];
  Fragments?: FragmentDefinition[];
  Position?: Position;
  Comment?: CommentGroup;
}

interface Described {
  Description: string;
  Name: string;
  Directives?: Directive[];
  Position?: Position;
  BeforeDescriptionComment?: CommentGroup;
  AfterDescriptionComment?: CommentGroup;
}

export interface Definition extends Described {
  Kind: string;
  Interfaces?: string[];
  Fields?: FieldDefinition[];
  Types?: string[];
  EnumValues?: EnumValueDefinition[];
  /** `json:"-"` in gqlparser: never part of what a policy sees. */
  TypePositions?: Array<Position | undefined>;
  BuiltIn: boolean;
  EndOfDefinitionComment?: CommentGroup;
}

export interface FieldDefinition extends Described {
  Arguments?: ArgumentDefinition[];
  DefaultValue?: Value;
  Type: Type;
}

export interface ArgumentDefinition extends Described {
  DefaultValue?: Value;
  Type: Type;
}

export type EnumValueDefinition = Described;

export interface DirectiveDefinition {
  Description: string;
  Name: string;
  Arguments?: ArgumentDefinition[];
  Locations?: string[];
  IsRepeatable: boolean;
  Position?: Position;
  BeforeDescriptionComment?: CommentGroup;
  AfterDescriptionComment?: CommentGroup;
}

export interface SchemaDefinition {
  Description: string;
  Directives?: Directive[];
  OperationTypes?: OperationTypeDefinition[];
  Position?: Position;
  BeforeDescriptionComment?: CommentGroup;
  AfterDescriptionComment?: CommentGroup;
  EndOfDefinitionComment?: CommentGroup;
}

export interface OperationTypeDefinition {
  Operation: string;
  Type: string;
  Position?: Position;
  Comment?: CommentGroup;
}

export interface SchemaDocument {
  Schema?: SchemaDefinition[];
  SchemaExtension?: SchemaDefinition[];
  Directives?: DirectiveDefinition[];
  Definitions?: Definition[];
  Extensions?: Definition[];
  Position?: Position;
  Comment?: CommentGroup;
}

/** A validated schema (ast.Schema): what queries are checked against. */
export interface Schema {
  Query?: Definition;
  Mutation?: Definition;
  Subscription?: Definition;
  Types: Map<string, Definition>;
  Directives: Map<string, DirectiveDefinition>;
  PossibleTypes: Map<string, Definition[]>;
  Implements: Map<string, Definition[]>;
}

/** A GraphQL error as gqlparser reports it (gqlerror.Error): message and first location. */
export class GqlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
    readonly file = "",
  ) {
    super(message);
  }

  /** gqlerror.Error.Error(): `file:line:column: message`, the file "input" when unnamed. */
  text(): string {
    return errorText(this.message, this.line, this.column, this.file);
  }
}

/** gqlerror.Error.Error() of an error with that message and location. */
export function errorText(message: string, line?: number, column?: number, file = ""): string {
  const where = line === undefined ? "" : `:${line}:${column}`;
  return `${file || "input"}${where}: ${message}`;
}

/**
 * gqlerror.ErrorPosf: an error at `pos` (line and column -1 when there is none). Schema
 * positions come from the lexer, with a source; Go reads `pos.Src.Name` regardless.
 */
export function errorAt(pos: Position | undefined, message: string): GqlError {
  if (pos === undefined) return new GqlError(message, -1, -1);
  return new GqlError(message, pos.Line, pos.Column, (pos.Src as Source).Name);
}

/** Type.Name(): the named type under any list wrappers (throws on a nil Elem, as Go panics). */
export function typeName(type: Type): string {
  return type.NamedType !== "" ? type.NamedType : typeName(type.Elem as Type);
}

/** Type.String(): `[Name!]!` notation. */
export function typeString(type: Type): string {
  const bang = type.NonNull ? "!" : "";
  if (type.NamedType !== "") return type.NamedType + bang;
  return `[${typeString(type.Elem as Type)}]${bang}`;
}

/** ForName on any of gqlparser's lists: the first element with that name. */
export function forName<T extends { Name: string }>(
  list: readonly T[] | undefined,
  name: string,
): T | undefined {
  return list?.find((item) => item.Name === name);
}

export function isLeafType(def: Definition): boolean {
  return def.Kind === "ENUM" || def.Kind === "SCALAR";
}

export function isCompositeType(def: Definition): boolean {
  return def.Kind === "OBJECT" || def.Kind === "INTERFACE" || def.Kind === "UNION";
}

export function isInputType(def: Definition): boolean {
  return def.Kind === "SCALAR" || def.Kind === "ENUM" || def.Kind === "INPUT_OBJECT";
}

/** Type.IsCompatible: whether a value of type `other` may be used where `type` is declared. */
export function isCompatible(type: Type, other: Type): boolean {
  if (type.NamedType !== other.NamedType) return false;
  if (type.Elem !== undefined && other.Elem === undefined) return false;
  if (type.Elem !== undefined && !isCompatible(type.Elem, other.Elem as Type)) return false;
  return other.NonNull ? type.NonNull : true;
}
