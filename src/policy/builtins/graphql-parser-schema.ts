import type {
  ArgumentDefinition,
  CommentGroup,
  Definition,
  DirectiveDefinition,
  EnumValueDefinition,
  FieldDefinition,
  OperationTypeDefinition,
  Position,
  SchemaDefinition,
  SchemaDocument,
  Source,
} from "./graphql-ast.js";
import { nonEmpty, Parser } from "./graphql-parser.js";
import { parseOperationType } from "./graphql-parser-query.js";
import { T } from "./graphql-tokens.js";

/**
 * gqlparser's ParseSchema (parser/schema.go, v2.5.36): a type system document, unvalidated.
 * Extensions must add something ("Unexpected <EOF>" otherwise), `extend` takes no description,
 * and empty `{}` bodies fail with gqlparser's "expected at least one definition". Throws the
 * first GqlError.
 */
export function parseSchema(
  text: string,
  source: Source = { Name: "", BuiltIn: false },
): SchemaDocument {
  const p = new Parser(text, source);
  const doc: SchemaDocument = { Position: p.peekPos() };
  const lists = {
    Schema: [],
    SchemaExtension: [],
    Directives: [],
    Definitions: [],
    Extensions: [],
  };
  const out = lists as Required<Pick<SchemaDocument, keyof typeof lists>>;
  while (p.peek().Kind !== T.EOF) {
    const description = parseDescription(p);
    if (p.peek().Kind !== T.Name) p.unexpected();
    const keyword = p.peek().Value;
    if (KINDS.has(keyword)) out.Definitions.push(parseTypeDefinition(p, description));
    else if (keyword === "schema") out.Schema.push(parseSchemaDefinition(p, description));
    else if (keyword === "directive") out.Directives.push(parseDirectiveDefinition(p, description));
    else if (keyword === "extend") {
      if (description.text !== "") p.unexpected(p.prev);
      parseExtension(p, out);
    } else p.unexpected();
  }
  for (const def of [...out.Definitions, ...out.Extensions]) def.BuiltIn = source.BuiltIn;
  const result: SchemaDocument = {};
  for (const [key, items] of Object.entries(out))
    Object.assign(result, nonEmpty(key, items as unknown[]));
  // Comments at the end of the file.
  return { ...result, Position: doc.Position, Comment: p.comment };
}

interface Description {
  text: string;
  comment: CommentGroup | undefined;
}

function parseDescription(p: Parser): Description {
  const kind = p.peek().Kind;
  if (kind !== T.BlockString && kind !== T.String) return { text: "", comment: undefined };
  const comment = p.comment;
  return { text: p.next().Value, comment };
}

/** The fields every type definition starts with, after its keyword. */
function definitionHead(
  p: Parser,
  kind: string,
  description: Description,
  keyword: string,
): Definition {
  const { comment } = p.expectKeyword(keyword);
  const Position = p.peekPos();
  return {
    Kind: kind,
    Description: description.text,
    Name: p.parseName(),
    Position,
    BuiltIn: false,
    BeforeDescriptionComment: description.comment,
    AfterDescriptionComment: comment,
  };
}

function parseTypeDefinition(p: Parser, description: Description): Definition {
  const keyword = p.peek().Value;
  const def = definitionHead(p, KINDS.get(keyword) as string, description, keyword);
  return { ...def, ...parseTypeBody(p, def, true) };
}

const KINDS = new Map([
  ["scalar", "SCALAR"],
  ["type", "OBJECT"],
  ["interface", "INTERFACE"],
  ["union", "UNION"],
  ["enum", "ENUM"],
  ["input", "INPUT_OBJECT"],
]);

/** What follows a type's name, by kind. `definition`: not an extension (directives const). */
function parseTypeBody(p: Parser, def: Definition, definition: boolean): Partial<Definition> {
  const body: Partial<Definition> = {};
  if (def.Kind === "OBJECT" || (def.Kind === "INTERFACE" && definition)) {
    Object.assign(body, nonEmpty("Interfaces", parseImplementsInterfaces(p)));
  }
  // gqlparser parses an input extension's directives as non-const.
  Object.assign(body, p.parseDirectives(definition || def.Kind !== "INPUT_OBJECT"));
  if (def.Kind === "OBJECT" || def.Kind === "INTERFACE") {
    const fields = parseList(p, () => parseFieldDefinition(p));
    Object.assign(body, nonEmpty("Fields", fields.items), end(fields.comment));
  } else if (def.Kind === "INPUT_OBJECT") {
    const fields = parseList(p, () => parseInputValueDefinition(p));
    Object.assign(body, nonEmpty("Fields", fields.items), end(fields.comment));
  } else if (def.Kind === "ENUM") {
    const values = parseList(p, () => parseEnumValueDefinition(p));
    Object.assign(body, nonEmpty("EnumValues", values.items), end(values.comment));
  } else if (def.Kind === "UNION") {
    const { types, positions } = parseUnionMemberTypes(p);
    Object.assign(body, nonEmpty("Types", types), nonEmpty("TypePositions", positions));
  }
  return body;
}

const end = (comment: CommentGroup | undefined) =>
  comment ? { EndOfDefinitionComment: comment } : {};

function parseList<T>(p: Parser, item: () => T): { items: T[]; comment: CommentGroup | undefined } {
  const items: T[] = [];
  const comment = p.some(T.BraceL, T.BraceR, () => {
    items.push(item());
  });
  return { items, comment };
}

function parseImplementsInterfaces(p: Parser): string[] {
  const types: string[] = [];
  if (p.peek().Value === "implements") {
    p.next();
    p.skip(T.Amp);
    types.push(p.parseName());
    while (p.skip(T.Amp)) types.push(p.parseName());
  }
  return types;
}

function parseUnionMemberTypes(p: Parser): { types: string[]; positions: Position[] } {
  const types: string[] = [];
  const positions: Position[] = [];
  if (p.skip(T.Equals)) {
    p.skip(T.Pipe);
    do {
      positions.push(p.peekPos());
      types.push(p.parseName());
    } while (p.skip(T.Pipe));
  }
  return { types, positions };
}

/** A field's, argument's or enum value's description, comments and name. */
function memberHead(
  p: Parser,
): { Description: string; Name: string; Position: Position } & Comments {
  const desc = parseDescription(p);
  p.peek(); // sets p.comment
  const head = {
    Description: desc.text,
    ...(desc.text !== "" ? { BeforeDescriptionComment: desc.comment } : {}),
    AfterDescriptionComment: p.comment,
    Position: p.peekPos(),
  };
  return { ...head, Name: p.parseName() };
}

interface Comments {
  BeforeDescriptionComment?: CommentGroup;
  AfterDescriptionComment?: CommentGroup;
}

function parseFieldDefinition(p: Parser): FieldDefinition {
  const head = memberHead(p);
  const args = nonEmpty("Arguments", parseArgumentDefs(p));
  p.expect(T.Colon);
  const Type = p.parseTypeReference();
  return { ...head, ...args, Type, ...p.parseDirectives(true) };
}

function parseArgumentDefs(p: Parser): ArgumentDefinition[] {
  return parseParenthesized(p, () => parseInputValueDefinition(p));
}

function parseParenthesized<T>(p: Parser, item: () => T): T[] {
  const items: T[] = [];
  p.some(T.ParenL, T.ParenR, () => {
    items.push(item());
  });
  return items;
}

/** parseArgumentDef and parseInputValueDef, which gqlparser writes twice alike. */
function parseInputValueDefinition(p: Parser): FieldDefinition {
  const head = memberHead(p);
  p.expect(T.Colon);
  const def: FieldDefinition = { ...head, Type: p.parseTypeReference() };
  if (p.skip(T.Equals)) def.DefaultValue = p.parseValueLiteral(true);
  return { ...def, ...p.parseDirectives(true) };
}

function parseEnumValueDefinition(p: Parser): EnumValueDefinition {
  return { ...memberHead(p), ...p.parseDirectives(true) };
}

function parseSchemaDefinition(p: Parser, description: Description): SchemaDefinition {
  const { comment } = p.expectKeyword("schema");
  const def: SchemaDefinition = {
    Position: p.peekPos(),
    BeforeDescriptionComment: description.comment,
    Description: description.text,
    AfterDescriptionComment: comment,
    ...p.parseDirectives(true),
  };
  return { ...def, ...parseOperationTypes(p) };
}

function parseOperationTypes(p: Parser): Partial<SchemaDefinition> {
  const types: OperationTypeDefinition[] = [];
  const comment = p.some(T.BraceL, T.BraceR, () => {
    const Position = p.peekPos();
    const Comment = p.comment;
    const Operation = parseOperationType(p);
    p.expect(T.Colon);
    types.push({ Operation, Type: p.parseName(), Position, Comment });
  });
  return { ...nonEmpty("OperationTypes", types), ...end(comment) };
}

function parseExtension(
  p: Parser,
  out: Required<Pick<SchemaDocument, "SchemaExtension" | "Extensions">>,
): void {
  const { comment } = p.expectKeyword("extend");
  const keyword = p.peek().Value;
  if (keyword === "schema") {
    p.expectKeyword("schema");
    const def: SchemaDefinition = {
      Description: "",
      Position: p.peekPos(),
      AfterDescriptionComment: comment,
    };
    const ext = { ...def, ...p.parseDirectives(true), ...parseOperationTypes(p) };
    if (!ext.Directives && !ext.OperationTypes) p.unexpected();
    out.SchemaExtension.push(ext);
    return;
  }
  const kind = KINDS.get(keyword);
  if (kind === undefined) p.unexpected();
  p.expectKeyword(keyword);
  const Position = p.peekPos();
  const head: Definition = {
    Kind: kind,
    Description: "",
    Name: p.parseName(),
    Position,
    BuiltIn: false,
    AfterDescriptionComment: comment,
  };
  const ext = { ...head, ...parseTypeBody(p, head, false) };
  const adds =
    kind === "SCALAR"
      ? [ext.Directives]
      : [ext.Interfaces, ext.Directives, ext.Fields, ext.Types, ext.EnumValues];
  if (adds.every((list) => list === undefined)) p.unexpected();
  out.Extensions.push(ext);
}

function parseDirectiveDefinition(p: Parser, description: Description): DirectiveDefinition {
  const { comment } = p.expectKeyword("directive");
  p.expect(T.At);
  const Position = p.peekPos();
  const Name = p.parseName();
  const args = nonEmpty("Arguments", parseArgumentDefs(p));
  let IsRepeatable = false;
  const peek = p.peek();
  if (peek.Kind === T.Name && peek.Value === "repeatable") {
    IsRepeatable = true;
    p.skip(T.Name);
  }
  p.expectKeyword("on");
  p.skip(T.Pipe);
  const Locations = [parseDirectiveLocation(p)];
  while (p.skip(T.Pipe)) Locations.push(parseDirectiveLocation(p));
  return {
    Position,
    BeforeDescriptionComment: description.comment,
    Description: description.text,
    AfterDescriptionComment: comment,
    Name,
    ...args,
    IsRepeatable,
    Locations,
  };
}

const LOCATIONS = new Set([
  "QUERY",
  "MUTATION",
  "SUBSCRIPTION",
  "FIELD",
  "FRAGMENT_DEFINITION",
  "FRAGMENT_SPREAD",
  "INLINE_FRAGMENT",
  "VARIABLE_DEFINITION",
  "SCHEMA",
  "SCALAR",
  "OBJECT",
  "FIELD_DEFINITION",
  "ARGUMENT_DEFINITION",
  "INTERFACE",
  "UNION",
  "ENUM",
  "ENUM_VALUE",
  "INPUT_OBJECT",
  "INPUT_FIELD_DEFINITION",
]);

function parseDirectiveLocation(p: Parser): string {
  const { token } = p.expect(T.Name);
  if (!LOCATIONS.has(token.Value)) p.unexpected(token);
  return token.Value;
}
