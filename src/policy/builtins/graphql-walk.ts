import {
  type Argument,
  type ArgumentDefinition,
  type Definition,
  type Directive,
  type Field,
  type FieldDefinition,
  type FragmentDefinition,
  type FragmentSpread,
  forName,
  type InlineFragment,
  KIND,
  type OperationDefinition,
  type Position,
  type QueryDocument,
  type Schema,
  type Selection,
  type Type,
  typeName,
  type Value,
  ValueKind,
  type VariableDefinition,
} from "./graphql-ast.js";
import { GraphqlLimitError } from "./graphql-parser.js";

/**
 * gqlparser's validation walker (validator/core/walk.go, v2.5.36): visits a query document
 * against a schema, filling in each node's definitions (Field.Definition, Value.ExpectedType,
 * ...) and calling the rules' observers. Observers of a node run after its children.
 */

/** Validation steps one query may take (walk, overlap comparisons, depth checks). */
export const MAX_VALIDATION_STEPS = 50_000;

export interface Walker {
  readonly schema: Schema;
  readonly document: QueryDocument;
  currentOperation: OperationDefinition | undefined;
  /** Counts a step of validation work, refusing a query past MAX_VALIDATION_STEPS. */
  spend(): void;
}

type Observer<T> = (walker: Walker, node: T) => void;

export interface Events {
  operation: Observer<OperationDefinition>[];
  field: Observer<Field>[];
  fragment: Observer<FragmentDefinition>[];
  inlineFragment: Observer<InlineFragment>[];
  fragmentSpread: Observer<FragmentSpread>[];
  directive: Observer<Directive>[];
  directiveList: Observer<Directive[] | undefined>[];
  value: Observer<Value>[];
  variable: Observer<VariableDefinition>[];
}

export function newEvents(): Events {
  return {
    operation: [],
    field: [],
    fragment: [],
    inlineFragment: [],
    fragmentSpread: [],
    directive: [],
    directiveList: [],
    value: [],
    variable: [],
  };
}

const notify = <T>(walker: Walker, observers: Observer<T>[], node: T) => {
  for (const observe of observers) observe(walker, node);
};

export function walk(schema: Schema, document: QueryDocument, events: Events): void {
  let steps = 0;
  const walker: Walker = {
    schema,
    document,
    currentOperation: undefined,
    spend() {
      if (++steps > MAX_VALIDATION_STEPS) {
        throw new GraphqlLimitError(
          `GraphQL validation takes more than ${MAX_VALIDATION_STEPS} steps`,
        );
      }
    },
  };
  const w = new Walk(walker, events);
  for (const operation of document.Operations ?? []) {
    w.spreads = new Set();
    w.operation(operation);
  }
  for (const fragment of document.Fragments ?? []) {
    w.spreads = new Set();
    w.fragment(fragment);
  }
}

class Walk {
  /** Fragments walked through a spread already (validatedFragmentSpreads). */
  spreads = new Set<string>();

  constructor(
    private readonly w: Walker,
    private readonly events: Events,
  ) {}

  private type(name: string): Definition | undefined {
    return this.w.schema.Types.get(name);
  }

  operation(operation: OperationDefinition): void {
    this.w.currentOperation = operation;
    for (const varDef of operation.VariableDefinitions ?? []) {
      varDef.Definition = this.type(typeName(varDef.Type));
      notify(this.w, this.events.variable, varDef);
      if (varDef.DefaultValue) {
        varDef.DefaultValue.ExpectedType = varDef.Type;
        varDef.DefaultValue.Definition = this.type(typeName(varDef.Type));
      }
    }
    const [def, location] = this.root(operation.Operation);
    for (const varDef of operation.VariableDefinitions ?? []) {
      if (varDef.DefaultValue) this.value(varDef.DefaultValue);
      this.directives(varDef.Definition, varDef.Directives, "VARIABLE_DEFINITION");
    }
    this.directives(def, operation.Directives, location);
    this.selectionSet(def, operation.SelectionSet);
    notify(this.w, this.events.operation, operation);
    this.w.currentOperation = undefined;
  }

  private root(operation: string): [Definition | undefined, string] {
    const schema = this.w.schema;
    if (operation === "query" || operation === "") return [schema.Query, "QUERY"];
    if (operation === "mutation") return [schema.Mutation, "MUTATION"];
    if (operation === "subscription") return [schema.Subscription, "SUBSCRIPTION"];
    return [undefined, ""];
  }

  fragment(fragment: FragmentDefinition): void {
    const def = this.type(fragment.TypeCondition);
    fragment.Definition = def;
    this.directives(def, fragment.Directives, "FRAGMENT_DEFINITION");
    this.selectionSet(def, fragment.SelectionSet);
    notify(this.w, this.events.fragment, fragment);
  }

  private directives(
    parent: Definition | undefined,
    directives: Directive[] | undefined,
    location: string,
  ): void {
    for (const dir of directives ?? []) {
      const def = this.w.schema.Directives.get(dir.Name);
      dir.Definition = def;
      dir.ParentDefinition = parent;
      dir.Location = location;
      for (const arg of dir.Arguments ?? [])
        this.argument(def && forName(def.Arguments, arg.Name), arg);
      notify(this.w, this.events.directive, dir);
    }
    notify(this.w, this.events.directiveList, directives);
  }

  private value(value: Value): void {
    this.w.spend();
    const current = this.w.currentOperation;
    if (value.Kind === ValueKind.Variable && current) {
      value.VariableDefinition = current.VariableDefinitions?.find((v) => v.Variable === value.Raw);
      if (value.VariableDefinition) value.VariableDefinition.Used = true;
    }
    if (value.Kind === ValueKind.ObjectValue) {
      for (const child of value.Children ?? []) {
        const fieldDef = value.Definition && forName(value.Definition.Fields, child.Name);
        if (fieldDef) {
          child.Value.ExpectedType = fieldDef.Type;
          child.Value.ExpectedTypeHasDefault =
            fieldDef.DefaultValue !== undefined &&
            fieldDef.DefaultValue.Kind !== ValueKind.NullValue;
          child.Value.Definition = this.type(typeName(fieldDef.Type));
        }
        this.value(child.Value);
      }
    }
    if (value.Kind === ValueKind.ListValue) {
      for (const child of value.Children ?? []) {
        if (value.ExpectedType?.Elem !== undefined) {
          child.Value.ExpectedType = value.ExpectedType.Elem;
          child.Value.Definition = value.Definition;
        }
        this.value(child.Value);
      }
    }
    notify(this.w, this.events.value, value);
  }

  private argument(argDef: ArgumentDefinition | undefined, arg: Argument): void {
    if (argDef) {
      arg.Value.ExpectedType = argDef.Type;
      arg.Value.ExpectedTypeHasDefault =
        argDef.DefaultValue !== undefined && argDef.DefaultValue.Kind !== ValueKind.NullValue;
      arg.Value.Definition = this.type(typeName(argDef.Type));
    }
    this.value(arg.Value);
  }

  private depth = 0;

  private selectionSet(parent: Definition | undefined, selections: Selection[] | undefined): void {
    if (++this.depth > MAX_WALK_DEPTH) {
      throw new GraphqlLimitError(`GraphQL selections nested deeper than ${MAX_WALK_DEPTH}`);
    }
    for (const selection of selections ?? []) this.selection(parent, selection);
    this.depth--;
  }

  private selection(parent: Definition | undefined, it: Selection): void {
    this.w.spend();
    if (it[KIND] === "Field") this.field(parent, it);
    else if (it[KIND] === "InlineFragment") this.inlineFragment(parent, it);
    else this.fragmentSpread(parent, it);
  }

  private field(parent: Definition | undefined, it: Field): void {
    let def: FieldDefinition | undefined;
    if (it.Name === "__typename") {
      def = { Description: "", Name: "__typename", Type: named("String") };
    } else if (parent) def = forName(parent.Fields, it.Name);
    it.Definition = def;
    it.ObjectDefinition = parent;
    const next = def && this.type(typeName(def.Type));
    for (const arg of it.Arguments ?? [])
      this.argument(def && forName(def.Arguments, arg.Name), arg);
    this.directives(next, it.Directives, "FIELD");
    this.selectionSet(next, it.SelectionSet);
    notify(this.w, this.events.field, it);
  }

  private inlineFragment(parent: Definition | undefined, it: InlineFragment): void {
    it.ObjectDefinition = parent;
    const next = it.TypeCondition !== "" ? this.type(it.TypeCondition) : parent;
    this.directives(next, it.Directives, "INLINE_FRAGMENT");
    this.selectionSet(next, it.SelectionSet);
    notify(this.w, this.events.inlineFragment, it);
  }

  private fragmentSpread(parent: Definition | undefined, it: FragmentSpread): void {
    const def = forName(this.w.document.Fragments, it.Name);
    it.Definition = def;
    it.ObjectDefinition = parent;
    const next = def && this.type(def.TypeCondition);
    this.directives(next, it.Directives, "FRAGMENT_SPREAD");
    if (def && !this.spreads.has(def.Name)) {
      this.spreads.add(def.Name);
      this.directives(next, def.Directives, "FRAGMENT_DEFINITION");
      this.selectionSet(next, def.SelectionSet);
    }
    notify(this.w, this.events.fragmentSpread, it);
  }
}

/** Selection sets the walker descends through (fragment spreads included). */
const MAX_WALK_DEPTH = 1000;

const named = (name: string): Type => ({ NamedType: name, NonNull: false });

export type AddError = (message: string, pos?: Position) => void;

/** A validation rule: registers its observers, reporting through `addError`. */
export type Rule = (events: Events, addError: AddError) => void;
