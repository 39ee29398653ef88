import type { Identity } from "../authz/index.js";
import type { Clock } from "../clock.js";

/** A revoked subject (every credential of it) or token (`jti`), until a time. */
export interface Revocation {
  kind: "subject" | "jti";
  value: string;
  /** ms since epoch. */
  untilMs: number;
}

/** The revocations in force, as the Check path reads them. */
export interface RevocationList {
  /** Why this identity is revoked (`subject alice`, `jti 42`), or undefined. */
  revoked(identity: Identity): string | undefined;
  /** Adds one (from pub/sub or the CLI). */
  apply(revocation: Revocation): void;
  /** Replaces all (a reload from Redis or the file). */
  replace(revocations: Revocation[]): void;
  size(): number;
}

/** Parses a revocation record (a pub/sub message, a file line); undefined when malformed. */
export function parseRevocation(text: string): Revocation | undefined {
  try {
    const r = JSON.parse(text) as Partial<Revocation>;
    const valid =
      (r.kind === "subject" || r.kind === "jti") &&
      typeof r.value === "string" &&
      r.value !== "" &&
      Number.isFinite(r.untilMs);
    return valid
      ? {
          kind: r.kind as Revocation["kind"],
          value: r.value as string,
          untilMs: r.untilMs as number,
        }
      : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link createRevocationList} needs. */
export interface RevocationListDeps {
  /** Revocations past their `untilMs` no longer apply. */
  clock: Clock;
  /** Runs after every change (the decision cache is dropped). */
  onChange(): void;
}

/** Creates the (empty) list. It has no settings and holds nothing to close. */
export function createRevocationList(deps: RevocationListDeps): RevocationList {
  const { onChange } = deps;
  const now = () => deps.clock.now().getTime();
  let entries = new Map<string, number>();
  const keyOf = (kind: Revocation["kind"], value: string) => `${kind}\u0000${value}`;
  const active = (kind: Revocation["kind"], value: unknown) =>
    typeof value === "string" && (entries.get(keyOf(kind, value)) ?? 0) > now();
  return {
    revoked(identity) {
      if (entries.size === 0 || !identity.authenticated) return undefined;
      const jwt = identity.jwt as { subject?: string; claims?: { jti?: unknown } } | undefined;
      const proxy = identity.proxy as { claims?: { sub?: unknown } } | undefined;
      const subjects = [
        identity.subject,
        jwt?.subject,
        (identity.spiffe as { id?: string } | undefined)?.id,
        proxy?.claims?.sub,
      ];
      const subject = subjects.find((s) => active("subject", s));
      if (subject !== undefined) return `subject ${subject}`;
      return active("jti", jwt?.claims?.jti) ? `jti ${jwt?.claims?.jti}` : undefined;
    },
    apply(revocation) {
      const key = keyOf(revocation.kind, revocation.value);
      entries.set(key, Math.max(entries.get(key) ?? 0, revocation.untilMs));
      onChange();
    },
    replace(revocations) {
      const next = new Map(
        revocations
          .filter((r) => r.untilMs > now())
          .map((r) => [keyOf(r.kind, r.value), r.untilMs]),
      );
      // A reload that finds what the list holds changes nothing (and keeps the cache).
      const same =
        next.size === entries.size && [...next].every(([k, until]) => entries.get(k) === until);
      entries = next;
      if (!same) onChange();
    },
    size: () => entries.size,
  };
}
