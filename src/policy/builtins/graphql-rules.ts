import {
  type Definition,
  forName,
  isInputType,
  isLeafType,
  type Position,
  typeName,
  typeString,
  ValueKind,
} from "./graphql-ast.js";
import { overlappingFieldsCanBeMerged } from "./graphql-overlap.js";
import {
  fragmentsOnCompositeTypes,
  knownFragmentNames,
  maxIntrospectionDepth,
  noFragmentCycles,
  noUnusedFragments,
  possibleFragmentSpreads,
  singleFieldSubscriptions,
} from "./graphql-rules-fragments.js";
import {
  valueString,
  valuesOfCorrectType,
  variablesInAllowedPosition,
} from "./graphql-rules-values.js";
import type { AddError, Rule } from "./graphql-walk.js";

/**
 * gqlparser's default validation rules (validator/rules/*.go, rules.NewDefaultRules, v2.5.36),
 * which OPA runs on every query; registered in gqlparser's order (by name). gqlparser's "Did you
 * mean ...?" suggestions are left out of the messages: a policy never sees them (a builtin
 * error is undefined), only whether there was an error.
 */

const fieldsOnCorrectType: Rule = (events, addError) => {
  events.field.push((_w, field) => {
    if (field.ObjectDefinition === undefined || field.Definition !== undefined) return;
    addError(
      `Cannot query field "${field.Name}" on type "${field.ObjectDefinition.Name}".`,
      field.Position,
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
    // The operation is one of the document's: Operations is there.
    if (operation.Name === "" && (w.document.Operations as unknown[]).length > 1) {
      addError("This anonymous operation must be the only defined operation.", operation.Position);
    }
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

const noUnusedVariables: Rule = (events, addError) => {
  events.operation.push((_w, operation) => {
    for (const varDef of operation.VariableDefinitions ?? []) {
      if (varDef.Used) continue;
      const inOp = operation.Name !== "" ? ` in operation "${operation.Name}"` : "";
      addError(`Variable "$${varDef.Variable}" is never used${inOp}.`, varDef.Position);
    }
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
    // Schema validation has checked that every field's type exists.
    const type = w.schema.Types.get(typeName(field.Definition.Type)) as Definition;
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
