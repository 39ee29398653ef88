import {
  type Argument,
  type Field,
  type FragmentSpread,
  KIND,
  type Position,
  type Selection,
  type Type,
  typeString,
} from "./graphql-ast.js";
import type { AddError, Events, Walker } from "./graphql-walk.js";

/**
 * gqlparser's OverlappingFieldsCanBeMerged (validator/rules/overlapping_fields_can_be_merged.go,
 * v2.5.36): fields with one response name must be the same field with the same arguments and
 * compatible types. Ported with gqlparser's shortcuts (a fragment whose fields deep-equal the
 * set compared is skipped; arguments compare by kind and raw text), each comparison counted
 * against the walker's budget.
 */

/** Why two fields conflict: a message, or the conflicts of their subfields (never none). */
type Conflict = { responseName: string; position?: Position } & (
  | { message: string }
  | { sub: Conflict[] }
);

/** Fields by response name, in first-seen order (sequentialFieldsMap). */
type FieldsMap = Map<string, Field[]>;

function conflictText(conflict: Conflict): string {
  if ("message" in conflict) return conflict.message;
  return conflict.sub
    .map((sub) => `subfields "${sub.responseName}" conflict because ${conflictText(sub)}`)
    .join(" and ");
}

export function overlappingFieldsCanBeMerged(events: Events, addError: AddError): void {
  const m = new Manager();
  const report = (w: Walker, selections: Selection[] | undefined) => {
    m.walker = w;
    for (const conflict of m.findConflictsWithin(selections)) {
      addError(
        `Fields "${conflict.responseName}" conflict because ${conflictText(conflict)}. Use different aliases on the fields to fetch both if this was intentional.`,
        conflict.position,
      );
    }
  };
  events.operation.push((w, operation) => report(w, operation.SelectionSet));
  events.field.push((w, field) => {
    if (w.currentOperation) report(w, field.SelectionSet);
  });
  events.inlineFragment.push((w, fragment) => report(w, fragment.SelectionSet));
  events.fragment.push((w, fragment) => report(w, fragment.SelectionSet));
}

class Manager {
  walker: Walker | undefined;
  /** comparedFragmentPairs: name → name → compared as mutually exclusive. */
  private readonly pairs = new Map<string, Map<string, boolean>>();
  private compared = new Set<string>();

  private get w(): Walker {
    return this.walker as Walker;
  }

  findConflictsWithin(selections: Selection[] | undefined): Conflict[] {
    if (!selections?.length) return [];
    const [fields, spreads] = fieldsAndFragments(selections);
    const conflicts: Conflict[] = [];
    for (const group of fields.values()) {
      group.forEach((a, i) => {
        for (const b of group.slice(i + 1)) this.add(conflicts, this.findConflict(false, a, b));
      });
    }
    this.compared = new Set();
    spreads.forEach((a, i) => {
      this.betweenFieldsAndFragment(conflicts, false, fields, a);
      for (const b of spreads.slice(i + 1)) this.betweenFragments(conflicts, false, a, b);
    });
    return conflicts;
  }

  private add(conflicts: Conflict[], conflict: Conflict | undefined): void {
    if (conflict) conflicts.push(conflict);
  }

  private betweenFieldsAndFragment(
    conflicts: Conflict[],
    exclusive: boolean,
    fields: FieldsMap,
    spread: FragmentSpread,
  ): void {
    if (this.compared.has(spread.Name)) return;
    this.compared.add(spread.Name);
    if (!spread.Definition) return;
    const [fieldsB, spreadsB] = fieldsAndFragments(spread.Definition.SelectionSet);
    if (deepEqual(fields, fieldsB)) return;
    this.between(conflicts, exclusive, fields, fieldsB);
    for (const next of spreadsB) {
      if (next.Name !== spread.Name)
        this.betweenFieldsAndFragment(conflicts, exclusive, fields, next);
    }
  }

  private betweenFragments(
    conflicts: Conflict[],
    exclusive: boolean,
    a: FragmentSpread,
    b: FragmentSpread,
  ): void {
    if (a.Name === b.Name) return;
    const seen = this.pairs.get(a.Name)?.get(b.Name);
    if (seen !== undefined && (exclusive || !seen)) return;
    this.setPair(a.Name, b.Name, exclusive);
    this.setPair(b.Name, a.Name, exclusive);
    if (!a.Definition || !b.Definition) return;
    const [fieldsA, spreadsA] = fieldsAndFragments(a.Definition.SelectionSet);
    const [fieldsB, spreadsB] = fieldsAndFragments(b.Definition.SelectionSet);
    this.between(conflicts, exclusive, fieldsA, fieldsB);
    for (const next of spreadsB) this.betweenFragments(conflicts, exclusive, a, next);
    for (const next of spreadsA) this.betweenFragments(conflicts, exclusive, next, b);
  }

  private setPair(a: string, b: string, exclusive: boolean): void {
    const inner = this.pairs.get(a) ?? new Map<string, boolean>();
    inner.set(b, exclusive);
    this.pairs.set(a, inner);
  }

  private betweenSubSelections(
    exclusive: boolean,
    a: Selection[] | undefined,
    b: Selection[] | undefined,
  ): Conflict[] {
    const conflicts: Conflict[] = [];
    const [fieldsA, spreadsA] = fieldsAndFragments(a);
    const [fieldsB, spreadsB] = fieldsAndFragments(b);
    this.between(conflicts, exclusive, fieldsA, fieldsB);
    for (const spread of spreadsB) {
      this.compared = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, fieldsA, spread);
    }
    for (const spread of spreadsA) {
      this.compared = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, fieldsB, spread);
    }
    for (const spreadA of spreadsA) {
      for (const spreadB of spreadsB) this.betweenFragments(conflicts, exclusive, spreadA, spreadB);
    }
    return conflicts;
  }

  private between(conflicts: Conflict[], exclusive: boolean, a: FieldsMap, b: FieldsMap): void {
    for (const [name, fieldsA] of a) {
      const fieldsB = b.get(name);
      if (!fieldsB) continue;
      for (const fieldA of fieldsA) {
        for (const fieldB of fieldsB)
          this.add(conflicts, this.findConflict(exclusive, fieldA, fieldB));
      }
    }
  }

  private findConflict(parentExclusive: boolean, a: Field, b: Field): Conflict | undefined {
    this.w.spend();
    const objA = a.ObjectDefinition;
    const objB = b.ObjectDefinition;
    if (!objA || !objB) return undefined;
    const exclusive =
      parentExclusive ||
      (objA.Name !== objB.Name &&
        objA.Kind === "OBJECT" &&
        objB.Kind === "OBJECT" &&
        a.Definition !== undefined &&
        b.Definition !== undefined);
    const responseName = a.Alias !== "" ? a.Alias : a.Name;
    const position = b.Position;
    if (!exclusive) {
      if (a.Name !== b.Name) {
        return {
          responseName,
          message: `"${a.Name}" and "${b.Name}" are different fields`,
          position,
        };
      }
      if (!sameArguments(a.Arguments ?? [], b.Arguments ?? [])) {
        return { responseName, message: "they have differing arguments", position };
      }
    }
    if (a.Definition && b.Definition && this.typesConflict(a.Definition.Type, b.Definition.Type)) {
      const message = `they return conflicting types "${typeString(a.Definition.Type)}" and "${typeString(b.Definition.Type)}"`;
      return { responseName, message, position };
    }
    const sub = this.betweenSubSelections(exclusive, a.SelectionSet, b.SelectionSet);
    return sub.length > 0 ? { responseName, sub, position } : undefined;
  }

  private typesConflict(a: Type, b: Type): boolean {
    if (a.Elem !== undefined)
      return b.Elem !== undefined ? this.typesConflict(a.Elem, b.Elem) : true;
    if (b.Elem !== undefined) return true;
    if (a.NonNull !== b.NonNull) return true;
    // Go reads both kinds: a type missing from the schema panics.
    const t1 = this.w.schema.Types.get(a.NamedType) as { Kind: string; Name: string };
    const t2 = this.w.schema.Types.get(b.NamedType) as { Kind: string; Name: string };
    const leaf = (kind: string) => kind === "SCALAR" || kind === "ENUM";
    if (leaf(t1.Kind) && leaf(t2.Kind)) return t1.Name !== t2.Name;
    return false;
  }
}

function sameArguments(a: Argument[], b: Argument[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) =>
    b.some(
      (y) => x.Name === y.Name && x.Value.Kind === y.Value.Kind && x.Value.Raw === y.Value.Raw,
    ),
  );
}

/** getFieldsAndFragmentNames: fields by response name (inline fragments flattened), spreads. */
function fieldsAndFragments(selections: Selection[] | undefined): [FieldsMap, FragmentSpread[]] {
  const fields: FieldsMap = new Map();
  const spreads: FragmentSpread[] = [];
  const visit = (set: Selection[] | undefined) => {
    for (const selection of set ?? []) {
      if (selection[KIND] === "Field") {
        const name = selection.Alias !== "" ? selection.Alias : selection.Name;
        const group = fields.get(name);
        if (group) group.push(selection);
        else fields.set(name, [selection]);
      } else if (selection[KIND] === "InlineFragment") visit(selection.SelectionSet);
      else spreads.push(selection);
    }
  };
  visit(selections);
  return [fields, spreads];
}

/**
 * Go's reflect.DeepEqual on two fields maps: same response names in the same order, fields
 * equal field by field (pointers by what they point to). Nil and empty slices differ in Go; here
 * an absent key is nil and `[]` is empty.
 */
function deepEqual(a: unknown, b: unknown, seen = new Map<object, Set<object>>()): boolean {
  if (a === b) return true;
  // Numbers, strings and booleans equal only when ===, as in Go (NaN never equals NaN).
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const pairs = seen.get(a);
  if (pairs?.has(b)) return true;
  seen.set(a, (pairs ?? new Set()).add(b));
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    const keysA = [...a.keys()];
    const keysB = [...b.keys()];
    return keysA.every((k, i) => k === keysB[i] && deepEqual(a.get(k), b.get(k), seen));
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const kindA = (a as { [KIND]?: string })[KIND];
  if (kindA !== (b as { [KIND]?: string })[KIND]) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (!deepEqual(x ?? undefined, y ?? undefined, seen)) return false;
  }
  return true;
}
