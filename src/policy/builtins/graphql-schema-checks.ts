import {
  type ArgumentDefinition,
  type Definition,
  type Directive,
  type DirectiveDefinition,
  errorAt,
  forName,
  isCompatible,
  isInputType,
  type Position,
  type Schema,
  type Type,
  typeName,
  typeString,
} from "./graphql-ast.js";
import { goQuote } from "./graphql-tokens.js";

/**
 * The per-definition checks of gqlparser's ValidateSchemaDocument (validator/schema.go,
 * v2.5.36), each throwing the first GqlError it finds, in gqlparser's order.
 */

export function validateDirective(schema: Schema, def: DirectiveDefinition): void {
  validateName(def.Position, def.Name);
  validateArgs(schema, def.Arguments, def);
}

export function validateDefinition(schema: Schema, def: Definition): void {
  for (const field of def.Fields ?? []) {
    validateName(field.Position, field.Name);
    validateTypeRef(schema, field.Type);
    validateArgs(schema, field.Arguments, undefined);
    const location = def.Kind === "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION";
    validateDirectives(schema, field.Directives, location, undefined, true);
  }
  for (const typ of def.Types ?? []) {
    const member = schema.Types.get(typ);
    if (member === undefined) throw errorAt(def.Position, `Undefined type ${goQuote(typ)}.`);
    if (member.Kind !== "OBJECT") {
      throw errorAt(def.Position, `${def.Kind} type ${goQuote(typ)} must be OBJECT.`);
    }
  }
  for (const intf of def.Interfaces ?? []) validateImplements(schema, def, intf);
  validateKind(schema, def);
  validateUnique(def);
  if (!def.BuiltIn) validateName(def.Position, def.Name);
  // A type's directives are merged across its definition and extensions: not one location.
  validateDirectives(schema, def.Directives, def.Kind, undefined, false);
}

const OUTPUT_KINDS = ["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"];
const INPUT_KINDS = ["SCALAR", "ENUM", "INPUT_OBJECT"];

function validateKind(schema: Schema, def: Definition): void {
  const kind = def.Kind;
  if (kind === "OBJECT" || kind === "INTERFACE") {
    if (!def.Fields?.length) {
      throw errorAt(def.Position, `${kind} ${def.Name}: must define one or more fields.`);
    }
    for (const field of def.Fields) {
      const typ = schema.Types.get(typeName(field.Type));
      if (typ !== undefined && !OUTPUT_KINDS.includes(typ.Kind)) {
        const list = OUTPUT_KINDS.join(", ");
        throw errorAt(field.Position, `${kind} ${def.Name}: field must be one of ${list}.`);
      }
    }
  } else if (kind === "ENUM") {
    if (!def.EnumValues?.length) {
      throw errorAt(
        def.Position,
        `${kind} ${def.Name}: must define one or more unique enum values.`,
      );
    }
    for (const value of def.EnumValues) {
      if (["true", "false", "null"].includes(value.Name)) {
        throw errorAt(def.Position, `${kind} ${def.Name}: non-enum value ${value.Name}.`);
      }
      validateDirectives(schema, value.Directives, "ENUM_VALUE", undefined, true);
    }
  } else if (kind === "INPUT_OBJECT") {
    if (!def.Fields?.length) {
      throw errorAt(def.Position, `${kind} ${def.Name}: must define one or more input fields.`);
    }
    for (const field of def.Fields) {
      const typ = schema.Types.get(typeName(field.Type));
      if (typ !== undefined && !INPUT_KINDS.includes(typ.Kind)) {
        const list = INPUT_KINDS.join(", ");
        throw errorAt(field.Position, `${typ.Kind} ${field.Name}: field must be one of ${list}.`);
      }
    }
  }
}

/** Fields, enum values and union members each named once. */
function validateUnique(def: Definition): void {
  const fields = def.Fields ?? [];
  fields.forEach((field, i) => {
    const again = fields.slice(i + 1).find((other) => other.Name === field.Name);
    if (again)
      throw errorAt(again.Position, `Field ${def.Name}.${again.Name} can only be defined once.`);
  });
  const values = def.EnumValues ?? [];
  values.forEach((value, i) => {
    const again = values.slice(i + 1).find((other) => other.Name === value.Name);
    if (again) {
      throw errorAt(
        again.Position,
        `Enum value ${def.Name}.${again.Name} can only be defined once.`,
      );
    }
  });
  const types = def.Types ?? [];
  const aligned = def.TypePositions?.length === types.length;
  types.forEach((typ, i) => {
    const j = types.indexOf(typ, i + 1);
    if (j === -1) return;
    const pos = (aligned && def.TypePositions?.[j]) || def.Position;
    throw errorAt(pos, `Union type ${def.Name} can only include type ${typ} once.`);
  });
}

function validateTypeRef(schema: Schema, type: Type): void {
  if (!schema.Types.has(typeName(type))) {
    throw errorAt(type.Position, `Undefined type ${typeName(type)}.`);
  }
}

function validateArgs(
  schema: Schema,
  args: ArgumentDefinition[] | undefined,
  current: DirectiveDefinition | undefined,
): void {
  for (const arg of args ?? []) {
    validateName(arg.Position, arg.Name);
    validateTypeRef(schema, arg.Type);
    const def = schema.Types.get(typeName(arg.Type)) as Definition;
    if (!isInputType(def)) {
      throw errorAt(
        arg.Position,
        `cannot use ${typeString(arg.Type)} as argument ${arg.Name} because ${def.Kind} is not a valid input type`,
      );
    }
    validateDirectives(schema, arg.Directives, "ARGUMENT_DEFINITION", current, true);
  }
}

/**
 * Directives used at one place: defined, not the directive being defined, applicable here,
 * with known arguments and the required ones given; `singleLocation` also refuses repeats.
 */
export function validateDirectives(
  schema: Schema,
  dirs: Directive[] | undefined,
  location: string,
  current: DirectiveDefinition | undefined,
  singleLocation: boolean,
): void {
  const seen = new Set<string>();
  for (const dir of dirs ?? []) {
    validateName(dir.Position, dir.Name);
    if (current !== undefined && dir.Name === current.Name) {
      throw errorAt(dir.Position, `Directive ${current.Name} cannot refer to itself.`);
    }
    const def = schema.Directives.get(dir.Name);
    if (def === undefined) throw errorAt(dir.Position, `Undefined directive ${dir.Name}.`);
    if (singleLocation) {
      if (seen.has(dir.Name) && !def.IsRepeatable) {
        throw errorAt(
          dir.Position,
          `The directive ${dir.Name} can only be used once at this location.`,
        );
      }
      seen.add(dir.Name);
    }
    if (!(def.Locations ?? []).includes(location)) {
      throw errorAt(dir.Position, `Directive ${dir.Name} is not applicable on ${location}.`);
    }
    for (const arg of dir.Arguments ?? []) {
      if (forName(def.Arguments, arg.Name) === undefined) {
        throw errorAt(arg.Position, `Undefined argument ${arg.Name} for directive ${dir.Name}.`);
      }
    }
    for (const wanted of def.Arguments ?? []) {
      if (!wanted.Type.NonNull || wanted.DefaultValue !== undefined) continue;
      const arg = forName(dir.Arguments, wanted.Name);
      if (arg === undefined || arg.Value.Kind === 6 /* NullValue */) {
        throw errorAt(
          dir.Position,
          `Argument ${wanted.Name} for directive ${dir.Name} cannot be null.`,
        );
      }
    }
    dir.Definition = def;
  }
}

/** `def` implements the interface `intfName` (spec §3.6, "Objects", validation rules). */
function validateImplements(schema: Schema, def: Definition, intfName: string): void {
  const intf = schema.Types.get(intfName);
  if (intf === undefined) throw errorAt(def.Position, `Undefined type ${goQuote(intfName)}.`);
  if (intf.Kind !== "INTERFACE") {
    throw errorAt(def.Position, `${goQuote(intfName)} is a non interface type ${intf.Kind}.`);
  }
  const implementing = `For ${def.Name} to implement ${intf.Name}`;
  for (const required of intf.Fields ?? []) {
    const found = forName(def.Fields, required.Name);
    if (found === undefined) {
      throw errorAt(def.Position, `${implementing} it must have a field called ${required.Name}.`);
    }
    if (!isCovariant(schema, required.Type, found.Type)) {
      throw errorAt(
        found.Position,
        `${implementing} the field ${required.Name} must have type ${typeString(required.Type)}.`,
      );
    }
    const sameArgs = `${implementing} the field ${required.Name} must have the same arguments but`;
    for (const arg of required.Arguments ?? []) {
      const foundArg = forName(found.Arguments, arg.Name);
      if (foundArg === undefined)
        throw errorAt(found.Position, `${sameArgs} it is missing ${arg.Name}.`);
      if (!isCompatible(arg.Type, foundArg.Type)) {
        throw errorAt(foundArg.Position, `${sameArgs} ${arg.Name} has the wrong type.`);
      }
    }
    for (const extra of found.Arguments ?? []) {
      if (forName(required.Arguments, extra.Name) !== undefined) continue;
      if (extra.Type.NonNull && extra.DefaultValue === undefined) {
        throw errorAt(
          extra.Position,
          `${implementing} any additional arguments on ${found.Name} must be optional or have a default value but ${extra.Name} is required.`,
        );
      }
    }
  }
  validateAncestors(def, intf, intfName);
}

/** validateTypeImplementsAncestors: a type implements what its interfaces implement. */
function validateAncestors(def: Definition, intf: Definition, intfName: string): void {
  // Called for one of def's interfaces: def.Interfaces is there.
  const own = def.Interfaces as string[];
  for (const transitive of intf.Interfaces ?? []) {
    if (own.includes(transitive)) continue;
    if (transitive === def.Name) {
      throw errorAt(
        def.Position,
        `Type ${def.Name} cannot implement ${intfName} because it would create a circular reference.`,
      );
    }
    throw errorAt(
      def.Position,
      `Type ${def.Name} must implement ${transitive} because it is implemented by ${intfName}.`,
    );
  }
}

function isCovariant(schema: Schema, required: Type, actual: Type): boolean {
  if (required.NonNull && !actual.NonNull) return false;
  if (required.NamedType !== "") {
    if (required.NamedType === actual.NamedType) return true;
    // A union member that does not exist is a nil entry: Go panics on its Name.
    return (schema.PossibleTypes.get(required.NamedType) ?? []).some(
      (possible) => possible.Name === actual.NamedType,
    );
  }
  if (required.Elem !== undefined && actual.Elem === undefined) return false;
  return isCovariant(schema, required.Elem as Type, actual.Elem as Type);
}

function validateName(pos: Position | undefined, name: string): void {
  if (name.startsWith("__")) {
    throw errorAt(
      pos,
      `Name "${name}" must not begin with "__", which is reserved by GraphQL introspection.`,
    );
  }
}
