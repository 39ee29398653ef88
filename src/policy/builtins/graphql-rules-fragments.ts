import {
  type Definition,
  type FragmentDefinition,
  type FragmentSpread,
  forName,
  isCompositeType,
  KIND,
  type Position,
  type Selection,
} from "./graphql-ast.js";
import { goQuote } from "./graphql-tokens.js";
import type { Rule, Walker } from "./graphql-walk.js";

/**
 * gqlparser's default rules about fragments and what they reach (validator/rules, v2.5.36):
 * where fragments may apply and be spread, cycles, unused ones, and the two rules that look
 * through them (introspection depth, single-field subscriptions).
 */

export const fragmentsOnCompositeTypes: Rule = (events, addError) => {
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

export const knownFragmentNames: Rule = (events, addError) => {
  events.fragmentSpread.push((_w, spread) => {
    if (!spread.Definition) addError(`Unknown fragment "${spread.Name}".`, spread.Position);
  });
};

const INTROSPECTION_LISTS = new Set(["fields", "interfaces", "possibleTypes", "inputFields"]);
const MAX_LISTS_DEPTH = 3;

/** MaxIntrospectionDepth: at most three nested list fields under __schema or __type. */
export const maxIntrospectionDepth: Rule = (events, addError) => {
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

export const noFragmentCycles: Rule = (events, addError) => {
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

export const noUnusedFragments: Rule = (events, addError) => {
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

export const possibleFragmentSpreads: Rule = (events, addError) => {
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

export const singleFieldSubscriptions: Rule = (events, addError) => {
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
