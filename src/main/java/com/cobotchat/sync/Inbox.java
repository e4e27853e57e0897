package com.cobotchat.sync;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable queue of Cobot deliveries ({@code webhook_inbox}). Work is taken per membership: a
 * claim leases every open row of one (space, membership) at once, so one fetch answers them all and
 * two nodes never work on the same membership at the same time. A lease that is not completed in
 * time (the worker died) simply expires and the rows are taken again.
 */
public final class Inbox {
  /** Serialises claims across nodes (they are one short statement each). */
  private static final long CLAIM_LOCK = 0x636f626f74L;

  /**
   * A lease need not survive a database crash (the rows are then simply taken again, and the worker
   * that held it has lost its connection anyway), so the claim does not wait for the WAL flush.
   */
  private static final String NO_WAIT_FOR_FLUSH = "SET LOCAL synchronous_commit = off";
  private static final String INSERT = """
      WITH row AS (
        INSERT INTO webhook_inbox (space_id, event, url, membership_id, body)
        VALUES ($1, $2, $3, $4, $5) RETURNING id
      ), touched AS (
        UPDATE spaces SET last_webhook_at = now() WHERE id = $1
      )
      SELECT id FROM row""";
  private static final String INSERT_IGNORED = """
      WITH row AS (
        INSERT INTO webhook_inbox (space_id, event, url, body, processed_at, outcome, last_error)
        VALUES ($1, $2, $3, $4, now(), 'ignored', $5) RETURNING id
      ), touched AS (
        UPDATE spaces SET last_webhook_at = now() WHERE id = $1
      )
      SELECT id FROM row""";
  private static final String CLAIM = """
      WITH pick AS (
        SELECT i.space_id, i.membership_id FROM webhook_inbox i
         WHERE i.processed_at IS NULL AND i.membership_id IS NOT NULL AND i.next_attempt_at <= now()
           AND (i.locked_until IS NULL OR i.locked_until < now())
           AND NOT EXISTS (SELECT 1 FROM webhook_inbox o
                            WHERE o.space_id = i.space_id AND o.membership_id = i.membership_id
                              AND o.processed_at IS NULL AND o.locked_until >= now())
         ORDER BY i.next_attempt_at, i.id
         LIMIT 1
      )
      UPDATE webhook_inbox w
         SET locked_until = now() + make_interval(secs => $2), lease_token = $1, attempts = w.attempts + 1
        FROM pick
       WHERE w.space_id = pick.space_id AND w.membership_id = pick.membership_id AND w.processed_at IS NULL
      RETURNING w.id, w.space_id, w.membership_id, w.event, w.url, w.attempts""";
  private static final String HOLDS = """
      SELECT id FROM webhook_inbox WHERE lease_token = $1 AND processed_at IS NULL FOR UPDATE""";
  private static final String COMPLETE = """
      UPDATE webhook_inbox SET processed_at = now(), outcome = $2, locked_until = NULL, last_error = $3
       WHERE lease_token = $1 AND processed_at IS NULL""";
  private static final String FAIL = """
      UPDATE webhook_inbox
         SET locked_until = NULL, lease_token = NULL, last_error = $2,
             next_attempt_at = now() + make_interval(secs => $3),
             attempts = CASE WHEN $4 THEN attempts ELSE greatest(attempts - 1, 0) END
       WHERE lease_token = $1 AND processed_at IS NULL""";
  private static final String DEFER_SPACE = """
      UPDATE webhook_inbox SET next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $2))
       WHERE space_id = $1 AND processed_at IS NULL""";
  private static final String ACTIVITY_SINCE = """
      SELECT EXISTS (SELECT 1 FROM webhook_inbox
                      WHERE space_id = $1 AND membership_id = $2
                        AND (processed_at IS NULL OR processed_at >= $3))""";
  private static final String COUNTS = """
      SELECT count(*) FILTER (WHERE processed_at IS NULL) AS pending,
             count(*) FILTER (WHERE processed_at IS NULL AND last_error IS NOT NULL) AS failing,
             count(*) FILTER (WHERE outcome = 'ignored' AND processed_at > now() - interval '1 day') AS ignored,
             coalesce(max(attempts) FILTER (WHERE processed_at IS NULL), 0) AS max_attempts
        FROM webhook_inbox""";
  private static final String SPACE_COUNTS = """
      SELECT count(*) FILTER (WHERE processed_at IS NULL) AS pending,
             count(*) FILTER (WHERE processed_at IS NULL AND last_error IS NOT NULL) AS failing,
             count(*) FILTER (WHERE outcome = 'ignored' AND processed_at > now() - interval '1 day') AS ignored,
             coalesce(max(attempts) FILTER (WHERE processed_at IS NULL), 0) AS max_attempts
        FROM webhook_inbox WHERE space_id = $1""";
  private static final String PURGE = """
      DELETE FROM webhook_inbox WHERE processed_at < now() - make_interval(secs => $1)""";

  /** One open delivery of a claimed membership. */
  public record Delivery(long id, String event, String url, int attempts) {
  }

  /** Leased rows of one membership of one space; {@code deliveries} are in arrival order. */
  public record Claim(String leaseToken, long spaceId, String membershipId, List<Delivery> deliveries) {
    public int attempts() {
      return deliveries.stream().mapToInt(Delivery::attempts).max().orElse(0);
    }

    /** The most recent payload URL (all name the same membership). */
    public String url() {
      return deliveries.get(deliveries.size() - 1).url();
    }
  }

  /** Open and failing rows, and rows ignored in the last day. */
  public record Counts(long pending, long failing, long ignored, int maxAttempts) {
  }

  private final Pool pool;

  public Inbox(Pool pool) {
    this.pool = pool;
  }

  /** Stores a delivery to be processed; returns its id. */
  public Future<Long> insert(long spaceId, String event, String url, String membershipId, JsonObject body) {
    return pool.preparedQuery(INSERT).execute(Tuple.of(spaceId, event, url, membershipId, body))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Stores a delivery that will not be processed, with the reason, so it stays visible. */
  public Future<Long> insertIgnored(long spaceId, String event, String url, JsonObject body, String reason) {
    return pool.preparedQuery(INSERT_IGNORED).execute(Tuple.of(spaceId, event, url, body, reason))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Leases the open rows of the membership that has waited longest, if any is due. */
  public Future<Optional<Claim>> claim(String leaseToken, Duration lease) {
    return pool.withTransaction(tx -> tx.query(NO_WAIT_FOR_FLUSH).execute()
        .compose(v -> tx.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(CLAIM_LOCK)))
        .compose(v -> tx.preparedQuery(CLAIM).execute(Tuple.of(leaseToken, lease.toMillis() / 1000.0))))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          List<Delivery> deliveries = new ArrayList<>();
          long spaceId = 0;
          String membershipId = null;
          for (Row r : rows) {
            spaceId = r.getLong("space_id");
            membershipId = r.getString("membership_id");
            deliveries.add(new Delivery(r.getLong("id"), r.getString("event"), r.getString("url"), r.getInteger("attempts")));
          }
          deliveries.sort((a, b) -> Long.compare(a.id(), b.id()));
          return Optional.of(new Claim(leaseToken, spaceId, membershipId, List.copyOf(deliveries)));
        });
  }

  /** Inside the applying transaction: locks the leased rows; false when the lease was lost to another worker. */
  public Future<Boolean> holds(SqlClient tx, String leaseToken) {
    return tx.preparedQuery(HOLDS).execute(Tuple.of(leaseToken)).map(rows -> rows.size() > 0);
  }

  /** Marks the leased rows done with an outcome ({@code changed}, {@code unchanged}, {@code ignored}). */
  public Future<Void> complete(SqlClient tx, String leaseToken, String outcome, String note) {
    return tx.preparedQuery(COMPLETE).execute(Tuple.of(leaseToken, outcome, note)).mapEmpty();
  }

  /**
   * Gives the leased rows back to be tried again after {@code delay}. {@code countAttempt} false
   * (Cobot asked us to slow down) takes back the attempt the claim counted.
   */
  public Future<Void> fail(String leaseToken, String error, Duration delay, boolean countAttempt) {
    return pool.preparedQuery(FAIL)
        .execute(Tuple.of(leaseToken, truncate(error), delay.toMillis() / 1000.0, countAttempt)).mapEmpty();
  }

  /** Cobot rate-limited this space's token: none of its rows is tried before {@code delay} has passed. */
  public Future<Void> deferSpace(long spaceId, Duration delay) {
    return pool.preparedQuery(DEFER_SPACE).execute(Tuple.of(spaceId, delay.toMillis() / 1000.0)).mapEmpty();
  }

  /**
   * Whether the membership has rows still open or processed at or after {@code since}: the worker
   * then has (or will have) fresher data than a snapshot taken at {@code since}.
   */
  public Future<Boolean> activitySince(SqlClient tx, long spaceId, String membershipId, java.time.OffsetDateTime since) {
    return tx.preparedQuery(ACTIVITY_SINCE).execute(Tuple.of(spaceId, membershipId, since))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  public Future<Counts> counts() {
    return pool.query(COUNTS).execute().map(rows -> counts(rows.iterator().next()));
  }

  public Future<Counts> counts(long spaceId) {
    return pool.preparedQuery(SPACE_COUNTS).execute(Tuple.of(spaceId)).map(rows -> counts(rows.iterator().next()));
  }

  /** Deletes processed rows older than {@code age}. */
  public Future<Integer> purge(Duration age) {
    return pool.preparedQuery(PURGE).execute(Tuple.of((double) age.toSeconds())).map(rows -> rows.rowCount());
  }

  private static Counts counts(Row r) {
    return new Counts(r.getLong("pending"), r.getLong("failing"), r.getLong("ignored"), r.getInteger("max_attempts"));
  }

  static String truncate(String s) {
    return s == null || s.length() <= 500 ? s : s.substring(0, 500);
  }
}
