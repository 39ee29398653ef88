import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { rawJson } from "./context.js";
import { goJson } from "./data-value.js";
import { marshalYaml } from "./data-yaml-emit.js";
import { formatFloat, resolve, type ScalarValue, TAGS } from "./data-yaml-resolve.js";
import { checkLibyamlSyntax, UnprovableYaml } from "./data-yaml-syntax.js";
import type { BuiltinTable } from "./table.js";

/**
 * yaml.unmarshal and yaml.is_valid as topdown has them (topdown/encoding.go): sigs.k8s.io/yaml
 * over go-yaml v2. The `yaml` package parses (YAML 1.1, every scalar kept as text), after
 * libyaml's own stricter checks (data-yaml-syntax.ts); the rest is go-yaml's decoder: scalars
 * resolved by data-yaml-resolve.ts, `<<` merge keys, duplicate keys (the last wins), only the
 * first document read; then sigs.k8s.io's JSON conversion, which turns keys into strings (`1.5`,
 * `true`, `1e+07`) and refuses null or collection keys, and JSON's refusal of NaN and infinities.
 */

type Value = ScalarValue | Value[] | { [key: string]: Value };

const PARSE = { version: "1.1", schema: "failsafe", uniqueKeys: false } as const;

/** go-yaml's guard against alias bombs (decode.go allowedAliasRatio). */
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000);
}

class Decoder {
  private decodes = 0;
  private aliased = 0;
  private aliasDepth = 0;
  private readonly expanding = new Set<Alias>();
  /** Per mapping being filled: the name its float zero key has (see floatZeroKey). */
  private readonly zeroKeys = new WeakMap<object, string>();

  constructor(
    private readonly doc: Document,
    private readonly source: string,
  ) {}

  /** The document's value; the document node counts as one decode, as in go-yaml. */
  document(contents: unknown): Value {
    this.count();
    return this.value(contents);
  }

  value(node: unknown): Value {
    this.count();
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node, (target) => this.value(target));
    if (isScalar(node)) return this.scalar(node);
    if (isSeq(node)) return node.items.map((item) => this.value(item));
    if (isMap(node)) return this.mapping(node, Object.create(null));
    throw new Error("unsupported YAML node");
  }

  private count(): void {
    this.decodes++;
    if (this.aliasDepth > 0) this.aliased++;
    if (
      this.aliased > 100 &&
      this.decodes > 1000 &&
      this.aliased / this.decodes > allowedAliasRatio(this.decodes)
    )
      throw new Error("document contains excessive aliasing");
  }

  private alias<T>(node: Alias, decode: (target: Node) => T): T {
    const target = node.resolve(this.doc);
    if (!target) throw new Error(`unknown anchor '${node.source}' referenced`);
    if (this.expanding.has(node)) throw new Error(`anchor '${node.source}' value contains itself`);
    this.expanding.add(node);
    this.aliasDepth++;
    try {
      return decode(target);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(node);
    }
  }

  private scalar(node: Scalar): ScalarValue {
    let text = String(node.value);
    if ((node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") && text.endsWith("\n")) {
      // A block scalar whose last text line ends the input has no final line break in libyaml.
      const raw = this.source.slice(node.range?.[0], node.range?.[1]);
      if (/\S/.test(raw.slice(raw.lastIndexOf("\n") + 1))) text = text.slice(0, -1);
    }
    const tag = node.tag ?? "";
    // A quoted or block scalar without a tag is a string (go-yaml: not implicit).
    if (tag === "" && node.type !== "PLAIN") return text;
    if (tag === TAGS.binary) return decodeBase64(text);
    const [resolved, value] = resolve(tag, text);
    // go-yaml keeps a timestamp decoded into interface{} as its text.
    return resolved === TAGS.timestamp ? text : value;
  }

  private mapping(node: YAMLMap, out: Record<string, Value>): Record<string, Value> {
    for (const { key, value } of node.items) {
      if (isMergeKey(key)) {
        this.merge(value, out);
        continue;
      }
      const decoded = this.value(key);
      const name = this.key(decoded);
      if (decoded === 0) this.floatZeroKey(out, name);
      out[name] = this.value(value);
    }
    return out;
  }

  /**
   * 0.0 and -0.0 are one key of go-yaml's Go map, which keeps the sign last written (float keys
   * are updated on assignment): the other zero's entry goes.
   */
  private floatZeroKey(out: Record<string, Value>, name: string): void {
    const previous = this.zeroKeys.get(out);
    if (previous !== undefined && previous !== name) delete out[previous];
    this.zeroKeys.set(out, name);
  }

  /** A decoded mapping key made a string as sigs.k8s.io/yaml does. */
  private key(key: Value): string {
    if (typeof key === "string") return key;
    if (typeof key === "boolean") return String(key);
    if (typeof key === "bigint" && key <= 2n ** 63n - 1n) return key.toString();
    if (typeof key === "number") return formatFloat(key, 32);
    if (Array.isArray(key) || (key !== null && typeof key === "object"))
      throw new Error("invalid map key");
    throw new Error(`unsupported map key: ${String(key)}`);
  }

  /** A `<<` key's value: a mapping, or a sequence of them (earlier ones win), merged into out. */
  private merge(node: unknown, out: Record<string, Value>): void {
    const wantMap = () => new Error("map merge requires map or sequence of maps as the value");
    const one = (n: unknown) => {
      this.count();
      if (isMap(n)) return void this.mapping(n, out);
      if (!isAlias(n)) throw wantMap();
      this.alias(n, (target) => {
        if (!isMap(target)) throw wantMap();
        // The alias counts as one decode, its mapping as another (aliased) one.
        this.count();
        this.mapping(target, out);
      });
    };
    if (isSeq(node)) for (const item of [...node.items].reverse()) one(item);
    else if (isMap(node) || isAlias(node)) one(node);
    else throw wantMap();
  }
}

/** go-yaml's isMerge: a plain `<<` (or one tagged !!merge). */
function isMergeKey(node: unknown): boolean {
  return (
    isScalar(node) &&
    node.value === "<<" &&
    ((node.type === "PLAIN" && node.tag === undefined) || node.tag === TAGS.merge)
  );
}

/** base64.StdEncoding.DecodeString, which skips line breaks; the bytes read as UTF-8. */
function decodeBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact))
    throw new Error("!!binary value contains invalid base64 data");
  return new TextDecoder().decode(Buffer.from(compact, "base64"));
}

/** The first document's value: what yaml.Unmarshal decodes into interface{}; throws on error. */
function decodeYaml(input: string): Value {
  const text = checkLibyamlSyntax(input);
  // An empty stream is an empty array too.
  const doc = parseAllDocuments(text, PARSE)[0];
  if (!doc) return null;
  const error = doc.errors[0];
  if (error) throw error;
  return new Decoder(doc, text).document(doc.contents);
}

/** The value as JSON text (uint64 and int64 keep every digit); NaN and infinities throw. */
function yamlToJson(text: unknown): string {
  if (typeof text !== "string") throw new Error("operand 1 must be string");
  return goJson(decodeYaml(text));
}

/**
 * yaml.marshal, yaml.unmarshal, yaml.is_valid: they replace opa-wasm's own (the JavaScript
 * `yaml` package's YAML 1.2 reading and writing, and an is_valid that is undefined, not false,
 * for a non-string).
 */
export const yamlBuiltins: BuiltinTable = {
  "yaml.marshal": (_, value: unknown) => marshalYaml(value),
  "yaml.unmarshal": (_, text: unknown) => rawJson(yamlToJson(text)),
  "yaml.is_valid": (_, text: unknown) => {
    try {
      yamlToJson(text);
      return true;
    } catch (error) {
      if (error instanceof UnprovableYaml) throw error;
      return false;
    }
  },
};
