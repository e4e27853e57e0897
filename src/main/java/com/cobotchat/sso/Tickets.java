package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * Single-use WebSocket tickets, valid {@value #TTL_SECONDS} s, bound to one member (of one space).
 * Stored as hashes in PostgreSQL, so a ticket issued by one node opens a socket on another.
 */
public final class Tickets {
  public static final int TTL_SECONDS = 30;

  private static final String ISSUE = """
      INSERT INTO ws_tickets (id_hash, member_id, session_hash, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String REDEEM = """
      UPDATE ws_tickets t SET used_at = now()
       WHERE t.id_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
         AND (t.session_hash IS NULL OR EXISTS (
               SELECT 1 FROM sessions s WHERE s.id_hash = t.session_hash AND s.revoked_at IS NULL AND s.expires_at > now()))
      RETURNING t.member_id""";
  private static final String PURGE = "DELETE FROM ws_tickets WHERE expires_at < now() - interval '1 hour'";

  private final Pool pool;

  public Tickets(Pool pool) {
    this.pool = pool;
  }

  /** Issues a ticket for a member; {@code sessionHash} ties it to the session it came from (null for none). */
  public Future<String> issue(long memberId, String sessionHash) {
    String ticket = SecretKeys.randomToken(24);
    return pool.preparedQuery(ISSUE).execute(Tuple.of(SecretKeys.hash(ticket), memberId, sessionHash, (double) TTL_SECONDS))
        .map(rows -> ticket);
  }

  /** Uses up a ticket: the member it was issued to, or empty if unknown, used, expired or its session revoked. */
  public Future<Optional<Long>> redeem(String ticket) {
    if (ticket == null || ticket.isBlank() || ticket.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery(REDEEM).execute(Tuple.of(SecretKeys.hash(ticket)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  public Future<Integer> purgeExpired() {
    return pool.query(PURGE).execute().map(rows -> rows.rowCount());
  }
}
