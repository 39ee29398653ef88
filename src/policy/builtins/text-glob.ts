/**
 * `regex.globs_match`: whether two globs (`.` any character, `[a-z]` sets, `+` and `*` flags, `\`
 * escapes) can match a common string. A port of github.com/yashtewari/glob-intersection v0.2.0,
 * which topdown uses, including its tokenizer's errors (they throw here).
 */

const Kind = { Char: 0, Dot: 1, Set: 2 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];
const Flag = { None: 0, Plus: 1, Star: 2 } as const;
type Flag = (typeof Flag)[keyof typeof Flag];

interface Token {
  kind: Kind;
  flag: Flag;
  rune?: number;
  set?: Set<number>;
}

/** Whether globs `a` and `b` intersect; throws on a glob the Go library rejects. */
export function globsIntersect(a: string, b: string): boolean {
  const trimmed = trim(simplify(tokenize(a)), simplify(tokenize(b)));
  return trimmed ? normal(trimmed[0], trimmed[1]) : false;
}

function tokenize(input: string): Token[] {
  const runes = [...input].map((c) => c.codePointAt(0) as number);
  const tokens: Token[] = [];
  let i = 0;
  const next = (): [number, boolean] => {
    const r = runes[i] as number;
    if (r !== 0x5c) {
      i += 1;
      return [r, false];
    }
    if (i === runes.length - 1) throw new Error("input ends with a \\ (escape) character");
    i += 2;
    return [runes[i - 1] as number, true];
  };
  while (i < runes.length) {
    const [r, escaped] = next();
    let token: Token;
    if (!escaped && r === 0x2e) token = { kind: Kind.Dot, flag: Flag.None };
    else if (!escaped && r === 0x5d) throw new Error("set-close ']' with no preceding '['");
    else if (!escaped && r === 0x5b) token = readSet();
    else if (!escaped && (r === 0x2b || r === 0x2a)) {
      throw new Error("flag must be preceded by a non-flag");
    } else token = { kind: Kind.Char, flag: Flag.None, rune: r };
    if (i < runes.length) {
      const save = i;
      const [f, esc] = next();
      if (!esc && f === 0x2b) token.flag = Flag.Plus;
      else if (!esc && f === 0x2a) token.flag = Flag.Star;
      else i = save;
    }
    tokens.push(token);
  }
  return tokens;

  function readSet(): Token {
    const set = new Set<number>();
    let prev = 0;
    let prevExists = false;
    while (i < runes.length) {
      let [r, escaped] = next();
      if (!escaped && r === 0x2d) {
        if (!prevExists) throw new Error("range character '-' must be preceded by a character");
        if (i >= runes.length - 1) throw new Error("range character '-' must be followed");
        [r, escaped] = next();
        if (!escaped && (r === 0x5d || r === 0x2d)) throw new Error("bad range end");
        if (r < prev) throw new Error("range is out of order");
        for (let x = prev; x <= r; x++) set.add(x);
        prevExists = false;
      } else if (!escaped && r === 0x5d) {
        return { kind: Kind.Set, flag: Flag.None, set };
      } else {
        set.add(r);
        prev = r;
        prevExists = true;
      }
    }
    throw new Error("found [ without matching ]");
  }
}

function equal(a: Token, b: Token): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === Kind.Char) return a.rune === b.rune;
  if (a.kind === Kind.Dot) return true;
  const [x, y] = [a.set as Set<number>, b.set as Set<number>];
  return x.size === y.size && [...x].every((r) => y.has(r));
}

function simplify(tokens: Token[]): Token[] {
  const first = tokens[0];
  if (!first) return tokens;
  const simple = [first];
  let latest = first;
  for (const t of tokens.slice(1)) {
    if (t.flag !== Flag.None && latest.flag !== Flag.None && equal(t, latest)) {
      const flag = t.flag === Flag.Plus || latest.flag === Flag.Plus ? Flag.Plus : Flag.Star;
      (simple[simple.length - 1] as Token).flag = flag;
      continue;
    }
    latest = t;
    simple.push(t);
  }
  return simple;
}

function match(a: Token, b: Token): boolean {
  const [t1, t2] = a.kind > b.kind ? [b, a] : [a, b];
  if (t1.kind === Kind.Char) {
    if (t2.kind === Kind.Char) return t1.rune === t2.rune;
    if (t2.kind === Kind.Dot) return true;
    return (t2.set as Set<number>).has(t1.rune as number);
  }
  if (t1.kind === Kind.Dot) return true;
  for (const r of t1.set as Set<number>) if ((t2.set as Set<number>).has(r)) return true;
  return false;
}

function trim(g1: Token[], g2: Token[]): [Token[], Token[]] | undefined {
  let l = 0;
  for (; l < g1.length && l < g2.length; l++) {
    const [x, y] = [g1[l] as Token, g2[l] as Token];
    if (x.flag !== Flag.None || y.flag !== Flag.None) break;
    if (!match(x, y)) return undefined;
  }
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l; r1--, r2--) {
    const [x, y] = [g1[r1] as Token, g2[r2] as Token];
    if (x.flag !== Flag.None || y.flag !== Flag.None) break;
    if (!match(x, y)) return undefined;
  }
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return [g1.slice(l, r1 + 1), g2.slice(l, r2 + 1)];
}

function normal(g1: Token[], g2: Token[]): boolean {
  let i = 0;
  let j = 0;
  for (; i < g1.length && j < g2.length; i++, j++) {
    const [x, y] = [g1[i] as Token, g2[j] as Token];
    if (x.flag !== Flag.None || y.flag !== Flag.None) return special(g1.slice(i), g2.slice(j));
    if (!match(x, y)) return false;
  }
  return i === g1.length && j === g2.length;
}

function special(g1: Token[], g2: Token[]): boolean {
  const [flagged, other] = (g1[0] as Token).flag !== Flag.None ? [g1, g2] : [g2, g1];
  return (flagged[0] as Token).flag === Flag.Plus ? plus(flagged, other) : star(flagged, other);
}

function plus(plussed: Token[], other: Token[]): boolean {
  const head = other[0];
  if (!head || !match(plussed[0] as Token, head)) return false;
  if (star(plussed, other.slice(1))) return true;
  return head.flag !== Flag.None && normal(plussed.slice(1), other);
}

function star(starred: Token[], other: Token[]): boolean {
  const starToken = starred[0] as Token;
  const nextToken = starred[1];
  for (const [i, t] of other.entries()) {
    if (nextToken && match(t, nextToken)) {
      if (normal(starred.slice(1), other.slice(i))) return true;
    }
    if (!match(t, starToken)) return false;
  }
  return nextToken === undefined;
}
