package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reads of the chat: rooms as a member sees them, pages of room events, read markers. Every read a
 * client asks for is authorised in the same statement ({@link #ACCESS}: the member is in the room,
 * may chat, and the room is live), so a guessed id from another space finds nothing.
 */
final class ChatRepository {
  /** Rows of the room ($1) the member ($2) may read now; empty when not. */
  static final String ACCESS = """
      SELECT ro.id, ro.last_seq, ro.space_id FROM rooms ro
        JOIN room_members rm ON rm.room_id = ro.id AND rm.member_id = $2
        JOIN members me ON me.id = rm.member_id
       WHERE ro.id = $1 AND ro.archived_at IS NULL
         AND me.cobot_user_id IS NOT NULL AND (me.status = 'active' OR me.admin)""";

  /** Like {@link #ACCESS}, and admins of the room's space see every room of it except direct rooms. */
  static final String ACCESS_OR_ADMIN = """
      SELECT ro.id, ro.last_seq, ro.space_id FROM rooms ro
        JOIN members me ON me.id = $2 AND me.space_id = ro.space_id
       WHERE ro.id = $1 AND ro.archived_at IS NULL AND me.cobot_user_id IS NOT NULL
         AND ((me.admin AND ro.kind <> 'dm') OR ((me.status = 'active' OR me.admin)
              AND EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = ro.id AND rm.member_id = me.id)))""";

  static final String EVENT_COLUMNS = """
      e.seq, e.kind, e.created_at, e.subject_id, e.payload,
      m.id AS m_id, m.author_id, m.author_name, am.avatar_url AS author_avatar, m.text, m.edited_at,
      m.deleted_at IS NOT NULL AS m_deleted""";
  static final String EVENT_JOINS = """
      LEFT JOIN messages m ON m.id = e.message_id
      LEFT JOIN members am ON am.id = m.author_id""";

  private static final String PAGE = """
      WITH acc AS (%s)
      SELECT acc.last_seq AS room_last_seq, ev.* FROM acc LEFT JOIN LATERAL (
        SELECT %s FROM room_events e %s
         WHERE e.room_id = acc.id AND e.seq > $3 AND e.seq < $4
         ORDER BY e.seq DESC LIMIT $5
      ) ev ON true""".formatted(ACCESS, EVENT_COLUMNS, EVENT_JOINS);

  private static final String RANGE = """
      SELECT %s FROM room_events e %s
       WHERE e.room_id = $1 AND e.seq > $2 AND e.seq <= $3
       ORDER BY e.seq LIMIT $4""".formatted(EVENT_COLUMNS, EVENT_JOINS);

  private static final String UNREAD = """
      (SELECT count(*) FROM (SELECT 1 FROM messages mm
          WHERE mm.room_id = %s AND mm.seq > %s AND mm.author_id <> %s AND mm.deleted_at IS NULL LIMIT 999) x)""";

  private static final String ROOMS_OF = """
      SELECT r.id, r.name, r.kind, r.last_seq, r.is_default, r.auto_join, r.auto_join_plans,
             COALESCE(rd.read_seq, 0) AS read_seq, %s AS unread,
             o.id AS o_id, o.name AS o_name, o.avatar_url AS o_avatar
        FROM room_members rm
        JOIN rooms r ON r.id = rm.room_id AND r.archived_at IS NULL
        LEFT JOIN read_markers rd ON rd.member_id = rm.member_id AND rd.room_id = r.id
        LEFT JOIN members o ON r.kind = 'dm' AND o.id = (CASE WHEN split_part(r.dm_key, ':', 1)::bigint = $1
                                  THEN split_part(r.dm_key, ':', 2) ELSE split_part(r.dm_key, ':', 1) END)::bigint
       WHERE rm.member_id = $1 AND ($2::bigint[] IS NULL OR r.id = ANY($2))
       ORDER BY r.is_default DESC, (r.kind = 'dm'), lower(r.name), r.id"""
      .formatted(UNREAD.formatted("r.id", "COALESCE(rd.read_seq, 0)", "$1"));

  private static final String MARK_READ = """
      WITH acc AS (%s), up AS (
        INSERT INTO read_markers (member_id, room_id, read_seq)
        SELECT $2, acc.id, LEAST($3::bigint, acc.last_seq) FROM acc
        ON CONFLICT (member_id, room_id) DO UPDATE
          SET read_seq = GREATEST(read_markers.read_seq, EXCLUDED.read_seq), updated_at = now()
        RETURNING read_seq
      )
      SELECT up.read_seq, %s AS unread FROM up"""
      .formatted(ACCESS, UNREAD.formatted("$1", "up.read_seq", "$2"));

  private static final String ROOM_MEMBER_IDS = "SELECT member_id FROM room_members WHERE room_id = $1";

  private static final String ROOM_MEMBERS = """
      WITH acc AS (%s)
      SELECT m.id, m.name, m.avatar_url, rm.source FROM acc
        JOIN room_members rm ON rm.room_id = acc.id
        JOIN members m ON m.id = rm.member_id
       ORDER BY lower(m.name), m.id""".formatted(ACCESS_OR_ADMIN);

  private static final String SPACE_MEMBERS = """
      SELECT id, name, avatar_url, admin FROM members
       WHERE space_id = $1 AND cobot_user_id IS NOT NULL AND (status = 'active' OR admin)
       ORDER BY lower(name), id""";

  private static final String SPACE_ROOMS = """
      SELECT r.id, r.name, r.kind, r.is_default, r.auto_join, r.auto_join_plans,
             (SELECT count(*) FROM room_members rm WHERE rm.room_id = r.id) AS members
        FROM rooms r
        JOIN members me ON me.id = $1 AND me.space_id = r.space_id AND me.admin AND me.cobot_user_id IS NOT NULL
       WHERE r.kind <> 'dm' AND r.archived_at IS NULL
       ORDER BY r.is_default DESC, lower(r.name), r.id""";
  private static final String IS_ADMIN = "SELECT 1 FROM members WHERE id = $1 AND admin AND cobot_user_id IS NOT NULL";

  private final Pool pool;

  ChatRepository(Pool pool) {
    this.pool = pool;
  }

  /** A page of events, oldest first, with the room's last seq read in the same snapshot. */
  record Page(long lastSeq, List<RoomEvent> events, boolean more) {
  }

  /** The member's live rooms (all of them when {@code onlyIds} is null). */
  Future<List<RoomSummary>> roomsOf(long memberId, List<Long> onlyIds) {
    Long[] ids = onlyIds == null ? null : onlyIds.toArray(Long[]::new);
    return pool.preparedQuery(ROOMS_OF).execute(Tuple.tuple().addValue(memberId).addValue(ids)).map(rows -> {
      List<RoomSummary> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(summary(r)));
      return out;
    });
  }

  /** Events with seq in (after, before), at most {@code limit} of the newest; empty when the member may not read the room. */
  Future<Optional<Page>> page(long memberId, long roomId, long after, long before, int limit) {
    return pool.preparedQuery(PAGE).execute(Tuple.of(roomId, memberId, after, before, limit + 1)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      long lastSeq = 0;
      List<RoomEvent> events = new ArrayList<>(rows.size());
      for (Row row : rows) {
        lastSeq = row.getLong("room_last_seq");
        if (row.getValue("seq") != null) {
          events.add(event(roomId, row));
        }
      }
      boolean more = events.size() > limit;
      if (more) {
        events.remove(events.size() - 1);
      }
      Collections.reverse(events);
      return Optional.of(new Page(lastSeq, events, more));
    });
  }

  /** Events with seq in (after, upTo], oldest first, at most {@code limit}; no authorisation (callers hold it). */
  Future<List<RoomEvent>> range(long roomId, long after, long upTo, int limit) {
    return pool.preparedQuery(RANGE).execute(Tuple.of(roomId, after, upTo, limit)).map(rows -> events(roomId, rows));
  }

  /** Stores a read marker (never moving back, never past the room's end); empty when the member may not read the room. */
  Future<Optional<long[]>> markRead(long memberId, long roomId, long seq) {
    return pool.preparedQuery(MARK_READ).execute(Tuple.of(roomId, memberId, seq)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(new long[] {rows.iterator().next().getLong(0), rows.iterator().next().getLong(1)}));
  }

  Future<List<Long>> roomMemberIds(long roomId) {
    return pool.preparedQuery(ROOM_MEMBER_IDS).execute(Tuple.of(roomId)).map(rows -> {
      List<Long> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(r.getLong(0)));
      return out;
    });
  }

  /** Members of a room the member may read (admins: any room of their space); empty when not allowed. */
  Future<Optional<JsonArray>> roomMembers(long memberId, long roomId) {
    return pool.preparedQuery(ROOM_MEMBERS).execute(Tuple.of(roomId, memberId)).compose(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(Frames.person(r.getLong("id"), r.getString("name"), r.getString("avatar_url"))
          .put("source", r.getString("source"))));
      if (!out.isEmpty()) {
        return Future.succeededFuture(Optional.of(out));
      }
      return pool.preparedQuery(ACCESS_OR_ADMIN).execute(Tuple.of(roomId, memberId))
          .map(acc -> acc.size() == 0 ? Optional.<JsonArray>empty() : Optional.of(out));
    });
  }

  Future<JsonArray> spaceMembers(long spaceId) {
    return pool.preparedQuery(SPACE_MEMBERS).execute(Tuple.of(spaceId)).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(Frames.person(r.getLong("id"), r.getString("name"), r.getString("avatar_url"))
          .put("admin", r.getBoolean("admin"))));
      return out;
    });
  }

  /** Every live room of the admin's space except direct rooms; {@code forbidden} unless the member is an admin now. */
  Future<JsonArray> spaceRooms(long adminId) {
    return pool.preparedQuery(IS_ADMIN).execute(Tuple.of(adminId)).compose(admin -> admin.size() == 0
        ? Future.failedFuture(ChatException.forbidden("only space admins can do this"))
        : pool.preparedQuery(SPACE_ROOMS).execute(Tuple.of(adminId))).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(RoomSummary.describe(r.getLong("id"), r.getString("name"), r.getString("kind"),
          r.getBoolean("is_default"), r.getString("auto_join"), plans(r)).put("members", r.getLong("members"))));
      return out;
    });
  }

  static List<RoomEvent> events(long roomId, RowSet<Row> rows) {
    List<RoomEvent> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(event(roomId, r)));
    return out;
  }

  /** Encodes an event row (columns {@link #EVENT_COLUMNS}) with the message's current state. */
  static RoomEvent event(long roomId, Row row) {
    long seq = row.getLong("seq");
    String kind = row.getString("kind");
    String at = Frames.at(row.getOffsetDateTime("created_at"));
    if (RoomEvent.MEMBER_JOINED.equals(kind) || RoomEvent.MEMBER_LEFT.equals(kind)) {
      long subject = row.getLong("subject_id");
      Object raw = row.getValue("payload");
      JsonObject payload = raw instanceof JsonObject j ? j : new JsonObject();
      return new RoomEvent(seq, kind, subject, Frames.memberEvent(roomId, seq, kind, at, subject,
          payload.getString("name", "Member"), payload.getString("avatarUrl")));
    }
    return new RoomEvent(seq, kind, 0, Frames.messageEvent(roomId, seq, kind, at, row.getLong("m_id"),
        row.getLong("author_id"), row.getString("author_name"), row.getString("author_avatar"), row.getString("text"),
        Frames.at(row.getOffsetDateTime("edited_at")), row.getBoolean("m_deleted")));
  }

  static RoomSummary summary(Row r) {
    Long other = r.getLong("o_id");
    RoomSummary.Person dmUser = other == null ? null
        : new RoomSummary.Person(other, r.getString("o_name"), r.getString("o_avatar"));
    return new RoomSummary(r.getLong("id"), r.getString("name"), r.getString("kind"), r.getLong("last_seq"),
        r.getLong("read_seq"), r.getLong("unread"), r.getBoolean("is_default"), r.getString("auto_join"), plans(r), dmUser);
  }

  static List<String> plans(Row r) {
    String[] plans = r.getArrayOfStrings("auto_join_plans");
    return plans == null ? List.of() : Arrays.asList(plans);
  }
}
