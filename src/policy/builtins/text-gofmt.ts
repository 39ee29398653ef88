import { Fmt } from "./text-gofmt-format.js";

/** A Go integer: `int` (template constants, `len`), `int64` (Rego's sprintf), `uint8` (a byte). */
export class GoInt {
  constructor(
    readonly value: bigint,
    readonly type: "int" | "int64" | "uint8",
  ) {}
}

/** A Go float64. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** encoding/json's Number: a string kind with a String method, how OPA hands numbers to Go. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/**
 * The Go values fmt and text/template meet here: nil (`null`), bool, string, numbers, and the
 * `[]interface {}` and `map[string]interface {}` a Rego value decodes to.
 */
export type GoValue =
  | null
  | boolean
  | string
  | GoInt
  | GoFloat
  | JsonNumber
  | GoValue[]
  | Map<string, GoValue>;

/** reflect.Type.String() of a non-nil value. */
export function typeName(v: Exclude<GoValue, null>): string {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoFloat) return "float64";
  if (v instanceof JsonNumber) return "json.Number";
  return Array.isArray(v) ? "[]interface {}" : "map[string]interface {}";
}

/** Whether the value's kind is string (a string or a json.Number). */
export function isStringKind(v: GoValue): v is string | JsonNumber {
  return typeof v === "string" || v instanceof JsonNumber;
}

/** Map keys in fmtsort's order (byte order of UTF-8, which is code point order). */
export function sortedKeys(m: Map<string, GoValue>): string[] {
  return [...m.keys()].sort(compareStrings);
}

/** Go's string comparison (UTF-8 bytes), which is code point order. */
export function compareStrings(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) as number) - (y[i]?.codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Go's pp (fmt/print.go): prints values under a verb, with Go's error texts for bad verbs.
 * Refuses (throws) what cannot be reproduced: `%p`, `%x` of floats.
 */
export class Printer {
  readonly fmt = new Fmt();
  private erroring = false;

  printArg(arg: GoValue, verb: string): void {
    if (arg === null) {
      if (verb === "T" || verb === "v") this.fmt.padString("<nil>");
      else this.badVerb(verb, null);
      return;
    }
    if (verb === "T") {
      this.fmt.fmtS(typeName(arg));
      return;
    }
    if (verb === "p") {
      if (typeof arg === "object" && !(arg instanceof JsonNumber)) {
        if (Array.isArray(arg) || arg instanceof Map) throw new Error("fmt: %p is not provided");
      }
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private printValue(value: Exclude<GoValue, null>, verb: string, depth: number): void {
    if (this.handleMethods(value, verb)) return;
    if (typeof value === "boolean") this.fmtBool(value, verb);
    else if (typeof value === "string") this.fmtString(value, verb, value);
    else if (value instanceof JsonNumber) this.fmtString(value.text, verb, value);
    else if (value instanceof GoInt) this.fmtInteger(value, verb);
    else if (value instanceof GoFloat) this.fmtFloat(value, verb);
    else if (Array.isArray(value)) this.printList(value, verb, depth);
    else this.printMap(value, verb, depth);
  }

  private printList(list: GoValue[], verb: string, depth: number): void {
    const sharpV = this.fmt.sharpV;
    this.fmt.out += sharpV ? "[]interface {}{" : "[";
    list.forEach((item, i) => {
      if (i > 0) this.fmt.out += sharpV ? ", " : " ";
      this.printElement(item, verb, depth + 1);
    });
    this.fmt.out += sharpV ? "}" : "]";
  }

  private printMap(map: Map<string, GoValue>, verb: string, depth: number): void {
    const sharpV = this.fmt.sharpV;
    this.fmt.out += sharpV ? "map[string]interface {}{" : "map[";
    sortedKeys(map).forEach((key, i) => {
      if (i > 0) this.fmt.out += sharpV ? ", " : " ";
      this.printValue(key, verb, depth + 1);
      this.fmt.out += ":";
      this.printElement(map.get(key) ?? null, verb, depth + 1);
    });
    this.fmt.out += sharpV ? "}" : "]";
  }

  // An element is an interface value: nil prints unpadded whatever the verb.
  private printElement(item: GoValue, verb: string, depth: number): void {
    if (item === null) this.fmt.out += this.fmt.sharpV ? "interface {}(nil)" : "<nil>";
    else this.printValue(item, verb, depth);
  }

  // json.Number's String method serves the string verbs (handleMethods).
  private handleMethods(value: GoValue, verb: string): boolean {
    if (this.erroring) return false;
    if (verb === "w") {
      this.badVerb(verb, value);
      return true;
    }
    if (!(value instanceof JsonNumber) || this.fmt.sharpV || !"vsxXq".includes(verb)) return false;
    this.fmtString(value.text, verb, value);
    return true;
  }

  badVerb(verb: string, value: GoValue): void {
    this.erroring = true;
    this.fmt.out += `%!${verb}(`;
    if (value === null) this.fmt.out += "<nil>";
    else {
      this.fmt.out += `${typeName(value)}=`;
      this.printArg(value, "v");
    }
    this.fmt.out += ")";
    this.erroring = false;
  }

  private fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmt.fmtBoolean(v);
    else this.badVerb(verb, v);
  }

  private fmtInteger(v: GoInt, verb: string): void {
    const signed = v.type !== "uint8";
    const f = this.fmt;
    if (verb === "v" && f.sharpV && !signed) {
      const sharp = f.sharp;
      f.sharp = true;
      f.fmtInteger(v.value, 16, false, "v", false);
      f.sharp = sharp;
    } else if (verb === "v" || verb === "d") f.fmtInteger(v.value, 10, signed, verb, false);
    else if (verb === "b") f.fmtInteger(v.value, 2, signed, verb, false);
    else if (verb === "o" || verb === "O") f.fmtInteger(v.value, 8, signed, verb, false);
    else if (verb === "x" || verb === "X") f.fmtInteger(v.value, 16, signed, verb, verb === "X");
    else if (verb === "c") f.fmtC(v.value);
    else if (verb === "q") f.fmtQc(v.value);
    else if (verb === "U") f.fmtUnicode(v.value);
    else this.badVerb(verb, v);
  }

  private fmtFloat(v: GoFloat, verb: string): void {
    if (verb === "v") this.fmt.fmtFloat(v.value, "g", -1);
    else if (verb === "g" || verb === "G") this.fmt.fmtFloat(v.value, verb, -1);
    else if (verb === "f" || verb === "e" || verb === "E") this.fmt.fmtFloat(v.value, verb, 6);
    else if (verb === "F") this.fmt.fmtFloat(v.value, "f", 6);
    else if ("bxX".includes(verb)) throw new Error(`fmt: %${verb} of a float is not provided`);
    else this.badVerb(verb, v);
  }

  private fmtString(s: string, verb: string, value: GoValue): void {
    if (verb === "v") this.fmt.sharpV ? this.fmt.fmtQ(s) : this.fmt.fmtS(s);
    else if (verb === "s") this.fmt.fmtS(s);
    else if (verb === "x" || verb === "X") this.fmt.fmtSx(s, verb === "X");
    else if (verb === "q") this.fmt.fmtQ(s);
    else this.badVerb(verb, value);
  }
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: GoValue[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0 && !isStringKind(arg) && !isStringKind(args[i - 1] as GoValue)) p.fmt.out += " ";
    p.printArg(arg, "v");
  });
  return p.fmt.out;
}

/** fmt.Sprintln: spaces between all operands, a newline after. */
export function sprintln(args: GoValue[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.fmt.out += " ";
    p.printArg(arg, "v");
  });
  return `${p.fmt.out}\n`;
}
