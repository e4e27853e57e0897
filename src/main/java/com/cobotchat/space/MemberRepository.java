package com.cobotchat.space;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Members of spaces. Writes take a {@link SqlClient} so callers can put them in their own transaction. */
public final class MemberRepository {
  private static final String COLUMNS = """
      id, space_id, cobot_user_id, membership_id, name, avatar_url, plan_name, status, canceled_to, admin, profile""";

  private static final String BY_ID = "SELECT " + COLUMNS + " FROM members WHERE id = $1";
  private static final String BY_USER = "SELECT " + COLUMNS + " FROM members WHERE space_id = $1 AND cobot_user_id = $2";
  private static final String BY_MEMBERSHIP = "SELECT " + COLUMNS + " FROM members WHERE space_id = $1 AND membership_id = $2";
  private static final String LIST = "SELECT " + COLUMNS + " FROM members WHERE space_id = $1 ORDER BY lower(name), id";

  /**
   * Applies a Cobot snapshot to the member with that membership id, or to the member with that user id
   * (an admin row created before the membership was known), or inserts one.
   */
  private static final String UPSERT_MEMBERSHIP = """
      WITH target AS (
        SELECT id FROM members
         WHERE space_id = $1 AND (membership_id = $2 OR ($3::text IS NOT NULL AND cobot_user_id = $3))
         ORDER BY (membership_id = $2) DESC NULLS LAST
         LIMIT 1
      ), updated AS (
        UPDATE members m
           SET membership_id = $2, cobot_user_id = COALESCE($3, m.cobot_user_id), name = $4, avatar_url = $5,
               plan_name = $6, status = $7, canceled_to = $8, updated_at = now()
          FROM target WHERE m.id = target.id
        RETURNING m.*
      ), inserted AS (
        INSERT INTO members (space_id, membership_id, cobot_user_id, name, avatar_url, plan_name, status, canceled_to)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8
         WHERE NOT EXISTS (SELECT 1 FROM target)
        RETURNING *
      )
      SELECT %s FROM updated UNION ALL SELECT %s FROM inserted
      """.formatted(COLUMNS, COLUMNS);

  private static final String ENSURE_ADMIN = """
      INSERT INTO members (space_id, cobot_user_id, name, status, admin)
      VALUES ($1, $2, $3, 'pending', true)
      ON CONFLICT (space_id, cobot_user_id) DO UPDATE SET admin = true, updated_at = now()
      RETURNING """ + " " + COLUMNS;

  /** The row {@link #UPSERT_MEMBERSHIP} would update, locked for the caller's transaction. */
  private static final String FOR_SYNC = "SELECT " + COLUMNS + """
       FROM members
      WHERE space_id = $1 AND (membership_id = $2 OR ($3::text IS NOT NULL AND cobot_user_id = $3))
      ORDER BY (membership_id = $2) DESC NULLS LAST
      LIMIT 1
      FOR UPDATE""";
  private static final String BY_ID_FOR_UPDATE = BY_ID + " FOR UPDATE";
  private static final String DUE_FOR_REMOVAL = "SELECT " + COLUMNS + """
       FROM members WHERE status = 'active' AND canceled_to < $1 AND ($2::bigint IS NULL OR space_id = $2)
      ORDER BY id LIMIT 500""";

  private static final String SET_ADMIN = "UPDATE members SET admin = $3, updated_at = now() WHERE space_id = $1 AND cobot_user_id = $2";
  private static final String SET_STATUS = "UPDATE members SET status = $2, updated_at = now() WHERE id = $1";
  private static final String SET_PROFILE = "UPDATE members SET profile = $2, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS;

  private static final String MARK_SIGNED_OUT = "UPDATE members SET signed_out_at = now() WHERE id = $1";
  private static final String CLEAR_SIGNED_OUT = "UPDATE members SET signed_out_at = NULL WHERE id = $1 AND signed_out_at IS NOT NULL";
  private static final String IS_SIGNED_OUT = "SELECT signed_out_at IS NOT NULL FROM members WHERE id = $1";

  private final Pool pool;

  public MemberRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<Member>> findById(long id) {
    return one(pool, BY_ID, Tuple.of(id));
  }

  public Future<Optional<Member>> findByCobotUser(long spaceId, String cobotUserId) {
    return one(pool, BY_USER, Tuple.of(spaceId, cobotUserId));
  }

  public Future<Optional<Member>> findByMembership(long spaceId, String membershipId) {
    return one(pool, BY_MEMBERSHIP, Tuple.of(spaceId, membershipId));
  }

  public Future<List<Member>> list(long spaceId) {
    return pool.preparedQuery(LIST).execute(Tuple.of(spaceId))
        .map(rows -> { var out = new java.util.ArrayList<Member>(); rows.forEach(r -> out.add(map(r))); return out; });
  }

  /** Records what Cobot says about a membership (not deleted) and returns the member as stored. */
  public Future<Member> upsertFromCobot(SqlClient client, long spaceId, MembershipSnapshot s, LocalDate today) {
    return client.preparedQuery(UPSERT_MEMBERSHIP)
        .execute(Tuple.from(new Object[] {spaceId, s.membershipId(), s.cobotUserId(), s.name(), s.avatarUrl(),
            s.planName(), s.status(today).db(), s.canceledTo()}))
        .map(rows -> map(rows.iterator().next()));
  }

  /** Makes sure an admin of the space (from {@code admin_of}) has a row, even without a membership. */
  public Future<Member> ensureAdmin(SqlClient client, long spaceId, String cobotUserId, String name) {
    return client.preparedQuery(ENSURE_ADMIN).execute(Tuple.of(spaceId, cobotUserId, name))
        .map(rows -> map(rows.iterator().next()));
  }

  /** Inside a transaction: the member a Cobot snapshot of this membership (and user) applies to, locked. */
  public Future<Optional<Member>> findForSync(SqlClient tx, long spaceId, String membershipId, String cobotUserId) {
    return one(tx, FOR_SYNC, Tuple.of(spaceId, membershipId, cobotUserId));
  }

  public Future<Optional<Member>> findByIdForUpdate(SqlClient tx, long id) {
    return one(tx, BY_ID_FOR_UPDATE, Tuple.of(id));
  }

  /** Active members whose last day ({@code canceled_to}) is before {@code today}; all spaces when {@code spaceId} is null. */
  public Future<List<Member>> dueForRemoval(LocalDate today, Long spaceId) {
    return pool.preparedQuery(DUE_FOR_REMOVAL).execute(Tuple.of(today, spaceId))
        .map(rows -> { var out = new java.util.ArrayList<Member>(); rows.forEach(r -> out.add(map(r))); return out; });
  }

  public Future<Void> setAdmin(SqlClient client, long spaceId, String cobotUserId, boolean admin) {
    return client.preparedQuery(SET_ADMIN).execute(Tuple.of(spaceId, cobotUserId, admin)).mapEmpty();
  }

  public Future<Void> setStatus(SqlClient client, long memberId, MemberStatus status) {
    return client.preparedQuery(SET_STATUS).execute(Tuple.of(memberId, status.db())).mapEmpty();
  }

  public Future<Member> setProfile(long memberId, String profile) {
    return pool.preparedQuery(SET_PROFILE).execute(Tuple.of(memberId, profile)).map(rows -> map(rows.iterator().next()));
  }

  /** Remembers that the member signed out, so sign-in without their explicit request shows "signed out". */
  public Future<Void> markSignedOut(long memberId) {
    return pool.preparedQuery(MARK_SIGNED_OUT).execute(Tuple.of(memberId)).mapEmpty();
  }

  public Future<Void> clearSignedOut(long memberId) {
    return pool.preparedQuery(CLEAR_SIGNED_OUT).execute(Tuple.of(memberId)).mapEmpty();
  }

  public Future<Boolean> isSignedOut(long memberId) {
    return pool.preparedQuery(IS_SIGNED_OUT).execute(Tuple.of(memberId))
        .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean(0));
  }

  private static Future<Optional<Member>> one(SqlClient client, String sql, Tuple args) {
    return client.preparedQuery(sql).execute(args)
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
  }

  static Member map(Row r) {
    return new Member(r.getLong("id"), r.getLong("space_id"), r.getString("cobot_user_id"), r.getString("membership_id"),
        r.getString("name"), r.getString("avatar_url"), r.getString("plan_name"), MemberStatus.fromDb(r.getString("status")),
        r.getLocalDate("canceled_to"), r.getBoolean("admin"), r.getString("profile"));
  }
}
