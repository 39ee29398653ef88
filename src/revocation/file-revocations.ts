import { appendFile } from "node:fs/promises";
import { type WatchedFile, watchFile } from "../watched-file.js";
import { parseRevocation, type Revocation, type RevocationList } from "./revocation-list.js";

/**
 * Without Redis, revocations are lines of JSON in a local file the sidecar watches; the file is
 * the whole truth (a line removed is a revocation lifted). Malformed lines are skipped.
 */
export function followRevocationFile(
  list: RevocationList,
  path: string,
  options: { intervalMs: number; onError(error: Error): void },
): Promise<WatchedFile<void>> {
  return watchFile(
    path,
    (text) => {
      const lines = text.split("\n").filter((line) => line.trim() !== "");
      list.replace(lines.flatMap((line) => parseRevocation(line) ?? []));
    },
    {
      intervalMs: options.intervalMs,
      // No file yet means nothing is revoked; anything else is worth a log line.
      onError: (error) => {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") options.onError(error);
        else if (list.size() > 0) list.replace([]);
      },
    },
  );
}

/** Appends one revocation to the file (what `openclaw-authz revoke` does without Redis). */
export async function appendRevocation(path: string, revocation: Revocation): Promise<void> {
  await appendFile(path, `${JSON.stringify(revocation)}\n`, { mode: 0o600 });
}
