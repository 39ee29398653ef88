import {
  type Field,
  type FragmentDefinition,
  type FragmentSpread,
  type InlineFragment,
  KIND,
  type OperationDefinition,
  type QueryDocument,
  type Selection,
  type VariableDefinition,
} from "./graphql-ast.js";
import { nonEmpty, Parser } from "./graphql-parser.js";
import { T, TOKEN_NAMES } from "./graphql-tokens.js";

/**
 * gqlparser's ParseQuery (parser/query.go, v2.5.36): an executable document. Its AST differs
 * from graphql-js's where OPA shows it: a field without an alias has `Alias` equal to its name,
 * fragment definitions may declare variables, comments attach to the node that follows them.
 * Throws the first GqlError.
 */
export function parseQuery(text: string): QueryDocument {
  const p = new Parser(text, { Name: "", BuiltIn: false });
  const doc: QueryDocument = {};
  const operations: OperationDefinition[] = [];
  const fragments: FragmentDefinition[] = [];
  while (p.peek().Kind !== T.EOF) {
    doc.Position = p.peekPos();
    const token = p.peek();
    if (token.Kind === T.BraceL) operations.push(parseOperation(p));
    else if (token.Kind !== T.Name) p.unexpected();
    else if (["query", "mutation", "subscription"].includes(token.Value)) {
      operations.push(parseOperation(p));
    } else if (token.Value === "fragment") fragments.push(parseFragmentDefinition(p));
    else p.unexpected();
  }
  return { ...nonEmpty("Operations", operations), ...nonEmpty("Fragments", fragments), ...doc };
}

function parseOperation(p: Parser): OperationDefinition {
  if (p.peek().Kind === T.BraceL) {
    const Position = p.peekPos();
    // Go evaluates the calls in this composite literal before its `Comment: p.comment` field
    // read: the comment is the one after the selection set (none).
    const SelectionSet = parseRequiredSelectionSet(p);
    return { Operation: "query", Name: "", SelectionSet, Position, Comment: p.comment };
  }
  const Position = p.peekPos();
  const Comment = p.comment;
  const Operation = parseOperationType(p);
  const Name = p.peek().Kind === T.Name ? p.next().Value : "";
  return {
    Operation,
    Name,
    ...nonEmpty("VariableDefinitions", parseVariableDefinitions(p)),
    ...p.parseDirectives(false),
    SelectionSet: parseRequiredSelectionSet(p),
    Position,
    Comment,
  };
}

/** The operation keyword; anything else is "Unexpected" (shared with schema definitions). */
export function parseOperationType(p: Parser): string {
  const token = p.next();
  if (["query", "mutation", "subscription"].includes(token.Value)) return token.Value;
  p.unexpected(token);
}

function parseVariableDefinitions(p: Parser): VariableDefinition[] {
  const defs: VariableDefinition[] = [];
  p.some(T.ParenL, T.ParenR, () => {
    const Position = p.peekPos();
    const Comment = p.comment;
    const Variable = p.parseVariable();
    p.expect(T.Colon);
    const def: VariableDefinition = { Variable, Type: p.parseTypeReference(), Used: false };
    if (p.skip(T.Equals)) def.DefaultValue = p.parseValueLiteral(true);
    defs.push({ ...def, ...p.parseDirectives(false), Position, Comment });
  });
  return defs;
}

function parseRequiredSelectionSet(p: Parser): Selection[] {
  const token = p.peek();
  if (token.Kind !== T.BraceL) p.error(token, `Expected {, found ${TOKEN_NAMES[token.Kind]}`);
  return parseSelectionSet(p);
}

/** `{ selection... }`: at least one selection (`some` refuses none). */
function parseSelectionSet(p: Parser): Selection[] {
  return p.nested(() => {
    const selections: Selection[] = [];
    p.some(T.BraceL, T.BraceR, () => {
      selections.push(p.peek().Kind === T.Spread ? parseFragment(p) : parseField(p));
    });
    return selections;
  });
}

function parseField(p: Parser): Field {
  const Position = p.peekPos();
  const Comment = p.comment;
  const Alias = p.parseName();
  const Name = p.skip(T.Colon) ? p.parseName() : Alias;
  const field: Field = {
    [KIND]: "Field",
    Alias,
    Name,
    ...p.parseArguments(false),
    ...p.parseDirectives(false),
    Position,
    Comment,
  };
  if (p.peek().Kind === T.BraceL) field.SelectionSet = parseSelectionSet(p);
  return field;
}

function parseFragment(p: Parser): FragmentSpread | InlineFragment {
  const { comment: Comment } = p.expect(T.Spread);
  const peek = p.peek();
  if (peek.Kind === T.Name && peek.Value !== "on") {
    const Position = p.peekPos();
    const Name = parseFragmentName(p);
    return { [KIND]: "FragmentSpread", Name, ...p.parseDirectives(false), Position, Comment };
  }
  const Position = p.peekPos();
  let TypeCondition = "";
  if (p.peek().Value === "on") {
    p.next();
    TypeCondition = p.parseName();
  }
  const directives = p.parseDirectives(false);
  const SelectionSet = parseRequiredSelectionSet(p);
  return {
    [KIND]: "InlineFragment",
    TypeCondition,
    ...directives,
    SelectionSet,
    Position,
    Comment,
  };
}

function parseFragmentDefinition(p: Parser): FragmentDefinition {
  const Position = p.peekPos();
  const Comment = p.comment;
  p.expectKeyword("fragment");
  const Name = parseFragmentName(p);
  const variables = nonEmpty("VariableDefinition", parseVariableDefinitions(p));
  p.expectKeyword("on");
  const TypeCondition = p.parseName();
  const directives = p.parseDirectives(false);
  const SelectionSet = parseRequiredSelectionSet(p);
  return { Name, ...variables, TypeCondition, ...directives, SelectionSet, Position, Comment };
}

function parseFragmentName(p: Parser): string {
  if (p.peek().Value === "on") p.unexpected();
  return p.parseName();
}
