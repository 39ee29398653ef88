import type { Config } from "../config/index.js";
import { duration } from "../config/index.js";
import { AuthzError } from "../errors.js";
import { appendRevocation, publishRevocation, type Revocation } from "../revocation/index.js";
import { connectRedisOnce } from "../sidecar/index.js";

/** What to revoke, from the command line. */
export interface RevokeArguments {
  subject?: string;
  jti?: string;
  /** A duration (`24h`, `30m`); default `24h`. */
  for?: string;
}

/**
 * `openclaw-authz revoke --subject S | --jti J [--for DURATION]`: records the revocation in
 * Redis and publishes it (every sidecar denies within a second and drops its cached decisions),
 * or, without Redis, appends it to `identity.revocationFile`. Prints the revocation as JSON.
 * Throws `AuthzError`: `usage_invalid` for bad arguments, `config_invalid` when no store is
 * configured, `redis_unavailable` when Redis cannot be reached or the publish fails,
 * `file_unreadable` when the revocation file cannot be appended to.
 */
export async function revoke(
  config: Config,
  args: RevokeArguments,
  write: (text: string) => void,
): Promise<number> {
  if ((args.subject === undefined) === (args.jti === undefined)) {
    throw new AuthzError("usage_invalid", "revoke needs exactly one of --subject and --jti");
  }
  const lifetime = duration.safeParse(args.for ?? "24h");
  if (!lifetime.success)
    throw new AuthzError("usage_invalid", `--for: ${lifetime.error.issues[0]?.message}`);
  const revocation: Revocation = {
    kind: args.subject !== undefined ? "subject" : "jti",
    value: (args.subject ?? args.jti) as string,
    untilMs: Date.now() + lifetime.data,
  };
  if (revocation.value === "")
    throw new AuthzError("usage_invalid", "the value to revoke is empty");
  const redis = config.cache.redis;
  const file = config.identity.revocationFile;
  if (redis) {
    const connection = await connectRedisOnce(redis, {
      key: "cache.redis",
      connectTimeoutMs: redis.connectTimeout,
    });
    try {
      await publishRevocation(connection.client, redis.keyPrefix, revocation);
    } catch (error) {
      throw connection.failed(error);
    } finally {
      connection.close();
    }
  } else if (file) {
    await appendRevocation(file, revocation).catch((error: Error) => {
      throw new AuthzError(
        "file_unreadable",
        `cannot append to identity.revocationFile ${file}: ${error.message}`,
      );
    });
  } else {
    throw new AuthzError(
      "config_invalid",
      "no revocation store: configure cache.redis or identity.revocationFile",
    );
  }
  write(
    `${JSON.stringify({ revoked: { ...revocation, until: new Date(revocation.untilMs).toISOString() } })}\n`,
  );
  return 0;
}
