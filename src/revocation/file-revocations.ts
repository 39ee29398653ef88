import { appendFile } from "node:fs/promises";
import { type WatchedFile, watchFile } from "../watched-file.js";
import { parseRevocation, type Revocation, type RevocationList } from "./revocation-list.js";

/**
 * Without Redis, revocations are lines of JSON in a local file the sidecar watches; the file is
 * the whole truth (a line removed is a revocation lifted, an emptied file lifts them all).
 * Malformed lines are skipped. A file that cannot be read, or that disappears once read, keeps
 * the last list applying (reported to `onError`): a deleted or briefly unmounted file must not
 * lift every revocation. `close()` stops watching.
 */
export function followRevocationFile(
  deps: { list: RevocationList; onError(error: Error): void },
  options: { path: string; intervalMs: number },
): Promise<WatchedFile<void>> {
  let read = false;
  return watchFile(
    {
      parse: (text) => {
        const lines = text.split("\n").filter((line) => line.trim() !== "");
        deps.list.replace(lines.flatMap((line) => parseRevocation(line) ?? []));
        read = true;
      },
      // No file yet (`revoke` creates it) means nothing is revoked, and is not worth a log line.
      onError: (error) => {
        if (read || (error as NodeJS.ErrnoException).code !== "ENOENT") deps.onError(error);
      },
    },
    options,
  );
}

/** Appends one revocation to the file (what `openclaw-authz revoke` does without Redis). */
export async function appendRevocation(path: string, revocation: Revocation): Promise<void> {
  await appendFile(path, `${JSON.stringify(revocation)}\n`, { mode: 0o600 });
}
