package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * Single-use codes that carry a sign-in finished in a popup (a first-party window) to the iFrame
 * that opened it, by {@code postMessage} and a form POST, never in a URL. Valid {@value #TTL_SECONDS} s;
 * stored as hashes in PostgreSQL, so any node can redeem them.
 */
public final class Handoffs {
  public static final int TTL_SECONDS = 60;

  private static final String ISSUE = """
      WITH purged AS (DELETE FROM sign_in_handoffs WHERE expires_at < now() - interval '1 hour')
      INSERT INTO sign_in_handoffs (id_hash, member_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))""";
  private static final String REDEEM = """
      UPDATE sign_in_handoffs SET used_at = now()
       WHERE id_hash = $1 AND used_at IS NULL AND expires_at > now()
      RETURNING member_id""";

  private final Pool pool;

  public Handoffs(Pool pool) {
    this.pool = pool;
  }

  public Future<String> issue(long memberId) {
    String code = SecretKeys.randomToken(24);
    return pool.preparedQuery(ISSUE).execute(Tuple.of(SecretKeys.hash(code), memberId, (double) TTL_SECONDS))
        .map(rows -> code);
  }

  /** The member a handoff was issued to; empty when unknown, used or expired. */
  public Future<Optional<Long>> redeem(String code) {
    if (code == null || code.isBlank() || code.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery(REDEEM).execute(Tuple.of(SecretKeys.hash(code)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }
}
