import {
  type Definition,
  type FragmentDefinition,
  type FragmentSpread,
  forName,
  isCompositeType,
  isInputType,
  isLeafType,
  KIND,
  type Position,
  type Selection,
  typeName,
  typeString,
  ValueKind,
} from "./graphql-ast.js";
import { goQuote } from "./graphql-lexer.js";
import { overlappingFieldsCanBeMerged } from "./graphql-overlap.js";
import {
  valueString,
  valuesOfCorrectType,
  variablesInAllowedPosition,
} from "./graphql-rules-values.js";
import type { AddError, Events, Walker } from "./graphql-walk.js";

/**
 * gqlparser's default validation rules (validator/rules/*.go, rules.NewDefaultRules, v2.5.36),
 * which OPA runs on every query; registered in gqlparser's order (by name). gqlparser's "Did you
 * mean ...?" suggestions are left out of the messages: a policy never sees them (a builtin
 * error is undefined), only whether there was an error.
 */
export type Rule = (events: Events, addError: AddError) => void;

const fieldsOnCorrectType: Rule = (events, addError) => {
  events.field.push((_w, field) => {
    if (field.ObjectDefinition === undefined || field.Definition !== undefined) return;
    addError(
      `Cannot query field "${field.Name}" on type "${field.ObjectDefinition.Name}".`,
      field.Position,
    );
  });
};

const fragmentsOnCompositeTypes: Rule = (events, addError) => {
  events.inlineFragment.push((w, fragment) => {
    const type = w.schema.Types.get(fragment.TypeCondition);
    if (type === undefined || isCompositeType(type)) return;
    addError(
      `Fragment cannot condition on non composite type "${fragment.TypeCondition}".`,
      fragment.Position,
    );
  });
  events.fragment.push((_w, fragment) => {
    if (
      !fragment.Definition ||
      fragment.TypeCondition === "" ||
      isCompositeType(fragment.Definition)
    )
      return;
    addError(
      `Fragment "${fragment.Name}" cannot condition on non composite type "${fragment.TypeCondition}".`,
      fragment.Position,
    );
  });
};

const knownArgumentNames: Rule = (events, addError) => {
  events.field.push((_w, field) => {
    if (!field.Definition || !field.ObjectDefinition) return;
    for (const arg of field.Arguments ?? []) {
      if (forName(field.Definition.Arguments, arg.Name)) continue;
      addError(
        `Unknown argument "${arg.Name}" on field "${field.ObjectDefinition.Name}.${field.Name}".`,
        field.Position,
      );
    }
  });
  events.directive.push((_w, directive) => {
    if (!directive.Definition) return;
    for (const arg of directive.Arguments ?? []) {
      if (forName(directive.Definition.Arguments, arg.Name)) continue;
      addError(
        `Unknown argument "${arg.Name}" on directive "@${directive.Name}".`,
        directive.Position,
      );
    }
  });
};

const knownDirectives: Rule = (events, addError) => {
  const seen = new Set<string>();
  events.directive.push((_w, directive) => {
    if (!directive.Definition) {
      addError(`Unknown directive "@${directive.Name}".`, directive.Position);
      return;
    }
    if ((directive.Definition.Locations ?? []).includes(directive.Location)) return;
    // Go reads the position's line and column here: a directive without one panics.
    const pos = directive.Position as Position;
    const key = JSON.stringify([directive.Name, pos.Line, pos.Column]);
    if (seen.has(key)) return;
    seen.add(key);
    addError(`Directive "@${directive.Name}" may not be used on ${directive.Location}.`, pos);
  });
};

const knownFragmentNames: Rule = (events, addError) => {
  events.fragmentSpread.push((_w, spread) => {
    if (!spread.Definition) addError(`Unknown fragment "${spread.Name}".`, spread.Position);
  });
};

const knownRootType: Rule = (events, addError) => {
  events.operation.push((w, operation) => {
    const roots: Record<string, Definition | undefined> = {
      query: w.schema.Query,
      "": w.schema.Query,
      mutation: w.schema.Mutation,
      subscription: w.schema.Subscription,
    };
    if (!Object.hasOwn(roots, operation.Operation)) {
      // gqlparser panics here; this host makes the expression undefined.
      throw new Error(`got unknown operation type "${operation.Operation}"`);
    }
    if (roots[operation.Operation] === undefined) {
      addError(
        `Schema does not support operation type "${operation.Operation}"`,
        operation.Position,
      );
    }
  });
};

const knownTypeNames: Rule = (events, addError) => {
  events.variable.push((w, variable) => {
    const name = typeName(variable.Type);
    if (!w.schema.Types.has(name)) addError(`Unknown type "${name}".`, variable.Position);
  });
  events.inlineFragment.push((w, fragment) => {
    const name = fragment.TypeCondition;
    if (name !== "" && !w.schema.Types.has(name))
      addError(`Unknown type "${name}".`, fragment.Position);
  });
  events.fragment.push((w, fragment) => {
    const name = fragment.TypeCondition;
    if (!w.schema.Types.has(name)) addError(`Unknown type "${name}".`, fragment.Position);
  });
};

const loneAnonymousOperation: Rule = (events, addError) => {
  events.operation.push((w, operation) => {
    if (operation.Name === "" && (w.document.Operations?.length ?? 0) > 1) {
      addError("This anonymous operation must be the only defined operation.", operation.Position);
    }
  });
};

const INTROSPECTION_LISTS = new Set(["fields", "interfaces", "possibleTypes", "inputFields"]);
const MAX_LISTS_DEPTH = 3;

/** MaxIntrospectionDepth: at most three nested list fields under __schema or __type. */
const maxIntrospectionDepth: Rule = (events, addError) => {
  events.field.push((w, field) => {
    if (field.Name !== "__schema" && field.Name !== "__type") return;
    const visited = new Set<string>();
    const tooDeep = (selections: Selection[] | undefined, depth: number): boolean =>
      (selections ?? []).some((child) => {
        w.spend();
        if (child[KIND] === "Field") {
          const d = INTROSPECTION_LISTS.has(child.Name) ? depth + 1 : depth;
          return d >= MAX_LISTS_DEPTH || tooDeep(child.SelectionSet, d);
        }
        if (child[KIND] === "InlineFragment") return tooDeep(child.SelectionSet, depth);
        if (visited.has(child.Name) || !child.Definition) return false;
        visited.add(child.Name);
        const deep = tooDeep(child.Definition.SelectionSet, depth);
        visited.delete(child.Name);
        return deep;
      });
    if (tooDeep(field.SelectionSet, 0))
      addError("Maximum introspection depth exceeded", field.Position);
  });
};

/** Every fragment spread in `selections`, inline fragments and fields looked into. */
export function fragmentSpreads(selections: Selection[] | undefined): FragmentSpread[] {
  const spreads: FragmentSpread[] = [];
  const toVisit = [selections];
  while (toVisit.length > 0) {
    for (const selection of toVisit.pop() ?? []) {
      if (selection[KIND] === "FragmentSpread") spreads.push(selection);
      else toVisit.push(selection.SelectionSet);
    }
  }
  return spreads;
}

const noFragmentCycles: Rule = (events, addError) => {
  const visited = new Set<string>();
  events.fragment.push((w, fragment) => {
    const path: FragmentSpread[] = [];
    const indexByName = new Map<string, number>();
    const recurse = (frag: FragmentDefinition) => {
      if (visited.has(frag.Name)) return;
      visited.add(frag.Name);
      const spreads = fragmentSpreads(frag.SelectionSet);
      if (spreads.length === 0) return;
      indexByName.set(frag.Name, path.length);
      for (const spread of spreads) {
        const cycleIndex = indexByName.get(spread.Name);
        path.push(spread);
        if (cycleIndex === undefined) {
          const next = forName(w.document.Fragments, spread.Name);
          if (next) recurse(next);
        } else {
          const names = path.slice(cycleIndex, -1).map((s) => `"${s.Name}"`);
          const via = names.length > 0 ? ` via ${names.join(", ")}` : "";
          addError(`Cannot spread fragment "${spread.Name}" within itself${via}.`, spread.Position);
        }
        path.pop();
      }
      indexByName.delete(frag.Name);
    };
    recurse(fragment);
  });
};

const noUndefinedVariables: Rule = (events, addError) => {
  events.value.push((w, value) => {
    const operation = w.currentOperation;
    if (!operation || value.Kind !== ValueKind.Variable || value.VariableDefinition) return;
    const by = operation.Name !== "" ? ` by operation "${operation.Name}"` : "";
    addError(`Variable "${valueString(value)}" is not defined${by}.`, value.Position);
  });
};

const noUnusedFragments: Rule = (events, addError) => {
  let inFragmentDefinition = false;
  const used = new Set<string>();
  events.fragmentSpread.push((_w, spread) => {
    if (!inFragmentDefinition) used.add(spread.Name);
  });
  events.fragment.push((_w, fragment) => {
    inFragmentDefinition = true;
    if (!used.has(fragment.Name))
      addError(`Fragment "${fragment.Name}" is never used.`, fragment.Position);
  });
};

const noUnusedVariables: Rule = (events, addError) => {
  events.operation.push((_w, operation) => {
    for (const varDef of operation.VariableDefinitions ?? []) {
      if (varDef.Used) continue;
      const inOp = operation.Name !== "" ? ` in operation "${operation.Name}"` : "";
      addError(`Variable "$${varDef.Variable}" is never used${inOp}.`, varDef.Position);
    }
  });
};

const possibleFragmentSpreads: Rule = (events, addError) => {
  const check = (
    w: Walker,
    parent: Definition | undefined,
    typeCondition: string,
    report: () => void,
  ) => {
    if (!parent) return;
    let parents: Definition[];
    if (parent.Kind === "OBJECT") parents = [parent];
    else if (parent.Kind === "INTERFACE" || parent.Kind === "UNION") {
      parents = w.schema.PossibleTypes.get(parent.Name) ?? [];
    } else return;
    const fragmentType = w.schema.Types.get(typeCondition);
    if (!fragmentType || !isCompositeType(fragmentType)) return;
    const possible = w.schema.PossibleTypes.get(fragmentType.Name) ?? [];
    // Nil entries (union members that do not exist) panic in Go, as they throw here.
    if (possible.some((p) => parents.some((q) => q.Name === p.Name))) return;
    report();
  };
  events.inlineFragment.push((w, fragment) => {
    check(w, fragment.ObjectDefinition, fragment.TypeCondition, () => {
      const on = (fragment.ObjectDefinition as Definition).Name;
      addError(
        `Fragment cannot be spread here as objects of type "${on}" can never be of type "${fragment.TypeCondition}".`,
        fragment.Position,
      );
    });
  });
  events.fragmentSpread.push((w, spread) => {
    const def = spread.Definition;
    if (!def) return;
    check(w, spread.ObjectDefinition, def.TypeCondition, () => {
      const on = (spread.ObjectDefinition as Definition).Name;
      addError(
        `Fragment "${spread.Name}" cannot be spread here as objects of type "${on}" can never be of type "${def.TypeCondition}".`,
        spread.Position,
      );
    });
  });
};

const providedRequiredArguments: Rule = (events, addError) => {
  events.field.push((_w, field) => {
    for (const argDef of field.Definition?.Arguments ?? []) {
      if (!argDef.Type.NonNull || argDef.DefaultValue) continue;
      if ((field.Arguments ?? []).some((arg) => arg.Name === argDef.Name)) continue;
      addError(
        `Field "${field.Name}" argument "${argDef.Name}" of type "${typeString(argDef.Type)}" is required, but it was not provided.`,
        field.Position,
      );
    }
  });
  events.directive.push((_w, directive) => {
    const def = directive.Definition;
    for (const argDef of def?.Arguments ?? []) {
      if (!argDef.Type.NonNull || argDef.DefaultValue) continue;
      if ((directive.Arguments ?? []).some((arg) => arg.Name === argDef.Name)) continue;
      addError(
        `Directive "@${def?.Name}" argument "${argDef.Name}" of type "${typeString(argDef.Type)}" is required, but it was not provided.`,
        directive.Position,
      );
    }
  });
};

const scalarLeafs: Rule = (events, addError) => {
  events.field.push((w, field) => {
    if (!field.Definition) return;
    const type = w.schema.Types.get(typeName(field.Definition.Type));
    if (!type) return;
    const hasSelections = (field.SelectionSet?.length ?? 0) > 0;
    if (isLeafType(type) && hasSelections) {
      addError(
        `Field "${field.Name}" must not have a selection since type "${type.Name}" has no subfields.`,
        field.Position,
      );
    }
    if (!isLeafType(type) && !hasSelections) {
      addError(
        `Field "${field.Name}" of type "${typeString(field.Definition.Type)}" must have a selection of subfields.`,
        field.Position,
      );
    }
  });
};

const singleFieldSubscriptions: Rule = (events, addError) => {
  events.operation.push((w, operation) => {
    if (!w.schema.Subscription || operation.Operation !== "subscription") return;
    const fields = topFields(operation.SelectionSet);
    const name =
      operation.Name !== "" ? `Subscription ${goQuote(operation.Name)}` : "Anonymous Subscription";
    if (fields.length > 1)
      addError(`${name} must select only one top level field.`, fields[1]?.pos);
    for (const field of fields) {
      if (field.name.startsWith("__")) {
        addError(`${name} must not select an introspection top level field.`, field.pos);
      }
    }
  });
};

/** retrieveTopFieldNames: the top fields of a subscription, fragments included, by name once. */
function topFields(selections: Selection[] | undefined): { name: string; pos?: Position }[] {
  const fields: { name: string; pos?: Position }[] = [];
  const inFragment = new Set<string>();
  const visit = (set: Selection[] | undefined): void => {
    for (const selection of set ?? []) {
      if (selection[KIND] === "Field")
        fields.push({ name: selection.Name, pos: selection.Position });
      else if (selection[KIND] === "InlineFragment") visit(selection.SelectionSet);
      else {
        // gqlparser returns from this selection set at an unknown fragment.
        if (!selection.Definition) return;
        const name = selection.Definition.Name;
        if (!inFragment.has(name)) {
          inFragment.add(name);
          visit(selection.Definition.SelectionSet);
        }
      }
    }
  };
  visit(selections);
  const seen = new Set<string>();
  return fields.filter((field) => !seen.has(field.name) && seen.add(field.name));
}

/**
 * "There can be only one `what` named ...": each later use of a name in `items` reported, or
 * (`secondOnly`, where gqlparser counts to one) only the second.
 */
function repeats<T extends { Position?: Position }>(
  items: readonly T[] | undefined,
  name: (item: T) => string,
  what: string,
  addError: AddError,
  secondOnly = false,
): void {
  const counts = new Map<string, number>();
  for (const item of items ?? []) {
    const count = counts.get(name(item)) ?? 0;
    if (secondOnly ? count === 1 : count > 0) {
      addError(`There can be only one ${what} named "${name(item)}".`, item.Position);
    }
    counts.set(name(item), count + 1);
  }
}

const uniqueArgumentNames: Rule = (events, addError) => {
  const check = (node: { Arguments?: { Name: string; Position?: Position }[] }) =>
    repeats(node.Arguments, (arg) => arg.Name, "argument", addError, true);
  events.field.push((_w, field) => check(field));
  events.directive.push((_w, directive) => check(directive));
};

const uniqueDirectivesPerLocation: Rule = (events, addError) => {
  events.directiveList.push((_w, directives) => {
    const seen = new Set<string>();
    for (const dir of directives ?? []) {
      if (!dir.Definition?.IsRepeatable && seen.has(dir.Name)) {
        addError(
          `The directive "@${dir.Name}" can only be used once at this location.`,
          dir.Position,
        );
      }
      seen.add(dir.Name);
    }
  });
};

/** Every fragment (or operation) after the first of its name is reported. */
const uniqueNames =
  (kind: "fragment" | "operation"): Rule =>
  (events, addError) => {
    const seen = new Set<string>();
    events[kind].push((_w, node: { Name: string; Position?: Position }) => {
      if (seen.has(node.Name)) {
        addError(`There can be only one ${kind} named "${node.Name}".`, node.Position);
      }
      seen.add(node.Name);
    });
  };

const uniqueFragmentNames = uniqueNames("fragment");
const uniqueOperationNames = uniqueNames("operation");

const uniqueInputFieldNames: Rule = (events, addError) => {
  events.value.push((_w, value) => {
    if (value.Kind !== ValueKind.ObjectValue) return;
    repeats(value.Children, (child) => child.Name, "input field", addError);
  });
};

const uniqueVariableNames: Rule = (events, addError) => {
  events.operation.push((_w, operation) => {
    repeats(operation.VariableDefinitions, (v) => `$${v.Variable}`, "variable", addError, true);
  });
};

const variablesAreInputTypes: Rule = (events, addError) => {
  events.operation.push((_w, operation) => {
    for (const def of operation.VariableDefinitions ?? []) {
      if (!def.Definition || isInputType(def.Definition)) continue;
      addError(
        `Variable "$${def.Variable}" cannot be non-input type "${typeString(def.Type)}".`,
        def.Position,
      );
    }
  });
};

/** The rules in gqlparser's order. */
export const DEFAULT_RULES: readonly Rule[] = [
  fieldsOnCorrectType,
  fragmentsOnCompositeTypes,
  knownArgumentNames,
  knownDirectives,
  knownFragmentNames,
  knownRootType,
  knownTypeNames,
  loneAnonymousOperation,
  maxIntrospectionDepth,
  noFragmentCycles,
  noUndefinedVariables,
  noUnusedFragments,
  noUnusedVariables,
  overlappingFieldsCanBeMerged,
  possibleFragmentSpreads,
  providedRequiredArguments,
  scalarLeafs,
  singleFieldSubscriptions,
  uniqueArgumentNames,
  uniqueDirectivesPerLocation,
  uniqueFragmentNames,
  uniqueInputFieldNames,
  uniqueOperationNames,
  uniqueVariableNames,
  valuesOfCorrectType,
  variablesAreInputTypes,
  variablesInAllowedPosition,
];
