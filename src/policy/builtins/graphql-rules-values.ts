import {
  type Definition,
  forName,
  isCompatible,
  type Type,
  typeString,
  type Value,
  ValueKind,
} from "./graphql-ast.js";
import { parseBoolFails, parseFloatFails, parseIntFails } from "./graphql-strconv.js";
import { goQuote } from "./graphql-tokens.js";
import type { AddError, Events } from "./graphql-walk.js";

/**
 * gqlparser's ValuesOfCorrectType and VariablesInAllowedPosition (validator/rules, v2.5.36),
 * which differ from graphql-js's: an Int literal need only fit in 64 bits, a Float literal must
 * parse as a finite float64, custom scalars take anything, and variable positions use
 * gqlparser's Type.IsCompatible.
 */

/**
 * Value.String(), as messages print values. Go prints a nil value as "<nil>", but the walker
 * has dereferenced every value (and panicked on a nil one) before a message prints it.
 */
export function valueString(value: Value): string {
  const children = value.Children ?? [];
  switch (value.Kind) {
    case ValueKind.Variable:
      return `$${value.Raw}`;
    case ValueKind.IntValue:
    case ValueKind.FloatValue:
    case ValueKind.EnumValue:
    case ValueKind.BooleanValue:
    case ValueKind.NullValue:
      return value.Raw;
    case ValueKind.StringValue:
    case ValueKind.BlockValue:
      return goQuote(value.Raw);
    case ValueKind.ListValue:
      return `[${children.map((c) => valueString(c.Value)).join(",")}]`;
    case ValueKind.ObjectValue:
      return `{${children.map((c) => `${c.Name}:${valueString(c.Value)}`).join(",")}}`;
    default:
      throw new Error(`unknown value kind ${value.Kind}`);
  }
}

/**
 * Whether Value.Value(nil) fails: strconv's ParseInt, ParseFloat or ParseBool on a literal, a
 * list's or object's items, a variable's default value.
 */
function literalFails(value: Value): boolean {
  switch (value.Kind) {
    case ValueKind.IntValue:
      return parseIntFails(value.Raw);
    case ValueKind.FloatValue:
      return parseFloatFails(value.Raw);
    case ValueKind.BooleanValue:
      return parseBoolFails(value.Raw);
    case ValueKind.ListValue:
    case ValueKind.ObjectValue:
      // A nil child is a nil value in Go, not an error.
      return (value.Children ?? []).some(
        (c) => c.Value !== undefined && c.Value !== null && literalFails(c.Value),
      );
    case ValueKind.Variable: {
      // With no variables' values given, a variable reads as its default value.
      const fallback = value.VariableDefinition?.DefaultValue;
      return fallback !== undefined && literalFails(fallback);
    }
    case ValueKind.StringValue:
    case ValueKind.BlockValue:
    case ValueKind.EnumValue:
    case ValueKind.NullValue:
      return false;
    default:
      throw new Error(`unknown value kind ${value.Kind}`);
  }
}

const BUILTIN_SCALARS = ["Int", "Float", "String", "Boolean", "ID"];
const isOneOf = (def: Definition, ...names: string[]) => names.includes(def.Name);

function unexpectedType(value: Value, def: Definition, type: Type): string {
  const shown = valueString(value);
  switch (typeString(type)) {
    case "Int":
    case "Int!":
      return `Int cannot represent non-integer value: ${shown}`;
    case "String":
    case "String!":
    case "[String]":
      return `String cannot represent a non string value: ${shown}`;
    case "Boolean":
    case "Boolean!":
      return `Boolean cannot represent a non boolean value: ${shown}`;
    case "Float":
    case "Float!":
      return `Float cannot represent non numeric value: ${shown}`;
    case "ID":
    case "ID!":
      return `ID cannot represent a non-string and non-integer value: ${shown}`;
    default:
      return def.Kind === "ENUM"
        ? `Enum "${typeString(type)}" cannot represent non-enum value: ${shown}.`
        : `Expected value of type "${typeString(type)}", found ${shown}.`;
  }
}

export function valuesOfCorrectType(events: Events, addError: AddError): void {
  events.value.push((_w, value) => {
    const def = value.Definition;
    const type = value.ExpectedType;
    if (def === undefined || type === undefined) return;
    const unexpected = () => addError(unexpectedType(value, def, type), value.Position);
    if (value.Kind === ValueKind.NullValue && type.NonNull) {
      addError(
        `Expected value of type "${typeString(type)}", found ${valueString(value)}.`,
        value.Position,
      );
    }
    // Custom scalars validate their own values.
    if (def.Kind === "SCALAR" && !isOneOf(def, ...BUILTIN_SCALARS)) return;
    if (literalFails(value)) unexpected();
    switch (value.Kind) {
      case ValueKind.ListValue:
        if (type.Elem === undefined) unexpected();
        return;
      case ValueKind.IntValue:
        if (!isOneOf(def, "Int", "Float", "ID")) unexpected();
        return;
      case ValueKind.FloatValue:
        if (!isOneOf(def, "Float")) unexpected();
        return;
      case ValueKind.StringValue:
      case ValueKind.BlockValue:
        if (def.Kind === "ENUM") {
          addError(
            `Enum "${typeString(type)}" cannot represent non-enum value: ${valueString(value)}.`,
            value.Position,
          );
        } else if (!isOneOf(def, "String", "ID")) unexpected();
        return;
      case ValueKind.EnumValue:
        if (def.Kind !== "ENUM") unexpected();
        else if (forName(def.EnumValues, value.Raw) === undefined) {
          addError(
            `Value "${valueString(value)}" does not exist in "${typeString(type)}" enum.`,
            value.Position,
          );
        }
        return;
      case ValueKind.BooleanValue:
        if (!isOneOf(def, "Boolean")) unexpected();
        return;
      case ValueKind.ObjectValue:
        checkObject(value, def, addError);
        return;
      // NullValue and Variable; literalFails has thrown on any other kind.
    }
  });
}

function checkObject(value: Value, def: Definition, addError: AddError): void {
  const children = value.Children ?? [];
  for (const field of def.Fields ?? []) {
    if (!field.Type.NonNull) continue;
    if (forName(children, field.Name) === undefined && field.DefaultValue === undefined) {
      addError(
        `Field "${def.Name}.${field.Name}" of required type "${typeString(field.Type)}" was not provided.`,
        value.Position,
      );
    }
  }
  for (const directive of def.Directives ?? []) {
    if (directive.Name !== "oneOf") continue;
    if (children.length !== 1) {
      addError(`OneOf Input Object "${def.Name}" must specify exactly one key.`, value.Position);
      continue;
    }
    const only = (children[0] as { Value: Value }).Value;
    if (only === undefined || only === null || only.Kind === ValueKind.NullValue) {
      // Go reads the nil value's position and the first field's name: either may panic.
      const first = (def.Fields as { Name: string }[])[0] as { Name: string };
      addError(`Field "${def.Name}.${first.Name}" must be non-null.`, (only as Value).Position);
    }
  }
  for (const child of children) {
    if (forName(def.Fields, child.Name) === undefined) {
      addError(`Field "${child.Name}" is not defined by type "${def.Name}".`, child.Position);
    }
  }
}

export function variablesInAllowedPosition(events: Events, addError: AddError): void {
  events.value.push((w, value) => {
    const varDef = value.VariableDefinition;
    const expected = value.ExpectedType;
    if (value.Kind !== ValueKind.Variable || !expected || !varDef || !w.currentOperation) return;
    const allowed: Type = { ...expected };
    const hasDefault =
      varDef.DefaultValue !== undefined && varDef.DefaultValue.Kind !== ValueKind.NullValue;
    if (hasDefault && expected.NonNull) allowed.NonNull = false;
    if (value.ExpectedTypeHasDefault) allowed.NonNull = false;
    if (!isCompatible(varDef.Type, allowed)) {
      addError(
        `Variable "${valueString(value)}" of type "${typeString(varDef.Type)}" used in position expecting type "${typeString(expected)}".`,
        value.Position,
      );
    }
  });
  events.value.push((_w, value) => {
    const def = value.Definition;
    if (value.Kind !== ValueKind.ObjectValue || !def || !forName(def.Directives, "oneOf")) return;
    for (const child of value.Children ?? []) {
      const field = child.Value;
      if (!field || field.Kind !== ValueKind.Variable || !field.VariableDefinition) continue;
      if (!field.VariableDefinition.Type.NonNull) {
        addError(
          `Variable "${valueString(field)}" is of type "${typeString(field.VariableDefinition.Type)}" but must be non-nullable to be used for OneOf Input Object "${def.Name}".`,
          field.Position,
        );
      }
    }
  });
}
