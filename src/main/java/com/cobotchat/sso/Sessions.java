package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.Optional;

/**
 * Signed-in browsers. A session token is random; the database keeps only its hash, so the same
 * token works as the cookie and as the page token, on every node, and revocation is one UPDATE.
 */
public final class Sessions {
  public static final Duration LIFETIME = Duration.ofHours(12);

  private static final String CREATE = """
      INSERT INTO sessions (id_hash, member_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))""";
  private static final String FIND = """
      SELECT s.member_id FROM sessions s
       WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()""";
  private static final String REVOKE_ONE = "UPDATE sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL";
  private static final String REVOKE_MEMBER = """
      WITH revoked AS (
        UPDATE sessions SET revoked_at = now() WHERE member_id = $1 AND revoked_at IS NULL RETURNING 1
      ), tickets AS (
        DELETE FROM ws_tickets WHERE member_id = $1 RETURNING 1
      ), handoffs AS (
        DELETE FROM sign_in_handoffs WHERE member_id = $1 RETURNING 1
      )
      SELECT (SELECT count(*) FROM revoked) AS sessions, (SELECT count(*) FROM tickets) AS tickets""";

  private final Pool pool;

  public Sessions(Pool pool) {
    this.pool = pool;
  }

  /** A signed-in session: the token for the cookie and the page, and the member it belongs to. */
  public record Session(String token, long memberId) {
    public String hash() {
      return SecretKeys.hash(token);
    }

    @Override
    public String toString() {
      return "Session[member=" + memberId + "]";
    }
  }

  public Future<Session> create(long memberId) {
    String token = SecretKeys.randomToken(32);
    return pool.preparedQuery(CREATE).execute(Tuple.of(SecretKeys.hash(token), memberId, (double) LIFETIME.toSeconds()))
        .map(rows -> new Session(token, memberId));
  }

  /** The member of a live session, or empty when the token is unknown, expired or revoked. */
  public Future<Optional<Long>> memberOf(String token) {
    if (token == null || token.isBlank() || token.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    return memberOfHash(SecretKeys.hash(token));
  }

  /**
   * Like {@link #memberOf} for a session known by its hash (as a signed page token carries it).
   * Always asks the database, so a revocation on any node counts at once.
   */
  public Future<Optional<Long>> memberOfHash(String idHash) {
    if (idHash == null || !idHash.matches("[0-9a-f]{64}")) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery(FIND).execute(Tuple.of(idHash))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  public Future<Void> revoke(String token) {
    return revokeHash(SecretKeys.hash(token));
  }

  public Future<Void> revokeHash(String idHash) {
    return pool.preparedQuery(REVOKE_ONE).execute(Tuple.of(idHash)).mapEmpty();
  }

  /**
   * Revokes every session, WebSocket ticket and sign-in handoff of a member at once. The database is shared by all
   * nodes, so every node refuses them from the moment this commits; closing live sockets is the
   * chat's part.
   */
  public Future<Void> revokeMember(SqlClient client, long memberId) {
    return client.preparedQuery(REVOKE_MEMBER).execute(Tuple.of(memberId)).mapEmpty();
  }
}
