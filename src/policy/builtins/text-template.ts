import type { BuiltinTable } from "./table.js";

/**
 * `strings.render_template` (topdown/template.go, Go text/template without method calls), a
 * subset: text, `{{.}}`, `{{.a.b}}`, `{{if …}}{{else}}{{end}}`, `{{range …}}{{end}}`, comments and
 * `{{-`/`-}}` trimming. Anything else (variables, pipelines, functions, `with`, `define`) throws,
 * so the call is undefined. A missing value prints `<undefined>`, values print as Go's `%v`.
 */
export const templateBuiltins: BuiltinTable = {
  "strings.render_template": (_context, template, variables) => {
    if (typeof template !== "string") throw new TypeError("operand 1 must be string");
    if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
      throw new TypeError("operand 2 must be object");
    }
    const nodes = parse(tokens(template));
    return render(nodes, variables);
  },
};

type Node =
  | { kind: "text"; text: string }
  | { kind: "value"; path: string[] }
  | { kind: "if" | "range"; path: string[]; then: Node[]; else: Node[] };

type Token = { text: string } | { action: string };

function tokens(template: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: template.slice(i) });
      break;
    }
    let text = template.slice(i, open);
    const close = template.indexOf("}}", open + 2);
    if (close < 0) throw new Error("template: unclosed action");
    let action = template.slice(open + 2, close);
    if (/^- /.test(action)) {
      text = text.trimEnd();
      action = action.slice(2);
    }
    i = close + 2;
    if (/ -$/.test(action)) {
      action = action.slice(0, -2);
      const rest = /^\s*/.exec(template.slice(i));
      i += rest?.[0].length ?? 0;
    }
    out.push({ text }, { action: action.trim() });
  }
  return out;
}

function parsePath(expr: string): string[] {
  if (expr === ".") return [];
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(expr)) throw new Error(`template: unsupported ${expr}`);
  return expr.slice(1).split(".");
}

function parse(list: Token[]): Node[] {
  let at = 0;
  const block = (stops: string[]): [Node[], string] => {
    const nodes: Node[] = [];
    while (at < list.length) {
      const t = list[at++] as Token;
      if ("text" in t) {
        if (t.text) nodes.push({ kind: "text", text: t.text });
        continue;
      }
      const a = t.action;
      if (/^\/\*[\s\S]*\*\/$/.test(a)) continue;
      if (stops.includes(a)) return [nodes, a];
      const m = /^(if|range) (\S+)$/.exec(a);
      if (m) {
        const kind = m[1] as "if" | "range";
        const [then, stop] = block(["else", "end"]);
        const [otherwise] = stop === "else" ? block(["end"]) : [[]];
        nodes.push({ kind, path: parsePath(m[2] as string), then, else: otherwise });
        continue;
      }
      nodes.push({ kind: "value", path: parsePath(a) });
    }
    if (stops.length > 0) throw new Error("template: unexpected EOF");
    return [nodes, ""];
  };
  return block([])[0];
}

const MISSING = Symbol("missing");

function lookup(dot: unknown, path: string[]): unknown {
  let v: unknown = dot;
  for (const key of path) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      if (v === MISSING) return MISSING;
      throw new Error(`template: can't evaluate field ${key}`);
    }
    v = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : MISSING;
  }
  return v;
}

// text/template truth: numbers arrive as json.Number strings, so 0 is true there too.
function truthy(v: unknown): boolean {
  if (v === MISSING || v === null || v === false || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function render(nodes: Node[], dot: unknown): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "value") {
      const v = lookup(dot, n.path);
      out += v === MISSING || v === null ? "<undefined>" : goValue(v);
    } else if (n.kind === "if") {
      out += render(truthy(lookup(dot, n.path)) ? n.then : n.else, dot);
    } else {
      const v = lookup(dot, n.path);
      const items = Array.isArray(v)
        ? v
        : v !== null && typeof v === "object"
          ? Object.keys(v)
              .sort()
              .map((k) => (v as Record<string, unknown>)[k])
          : [];
      if (items.length === 0) out += render(n.else, dot);
      for (const item of items) out += render(n.then, item);
    }
  }
  return out;
}

/** Go's `%v` of a JSON value decoded into `any` (maps sorted by key, nil as `<nil>`). */
function goValue(v: unknown): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(" ")}]`;
  }
  return String(v);
}
