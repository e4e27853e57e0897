package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who is in which room, node-wide; reachable as {@code services.chat().membership()}.
 *
 * <p>Every join and leave is a room event ({@code member_joined} / {@code member_left}) committed
 * with the room's next {@code seq}; after the commit the member's live sockets on every node get
 * {@code room_added} / {@code room_removed} (through the {@link ChatBus}) and stop receiving the
 * events of a room they left. Memberships made by auto-join rules have source {@code rule};
 * memberships an admin made (and direct rooms) have source {@code manual} and are never undone by
 * rules. An admin's removal leaves a {@code room_exclusions} row so rules never add the member back.
 *
 * <p>All methods are safe to call concurrently and from any node; calling one twice changes
 * nothing the second time. Failures are {@link ChatException}s ({@code not_found}, {@code forbidden},
 * {@code bad_request}) or database errors.
 */
public final class RoomMembership {
  /** Close code for a member who lost access to the space (SPEC 8). */
  public static final int LOST_SPACE = 4403;

  private static final String ELIGIBLE = "me.cobot_user_id IS NOT NULL AND (me.status = 'active' OR me.admin)";
  private static final String RULE_MATCHES = """
      (r.auto_join = 'all' OR (r.auto_join = 'plans' AND me.plan_name = ANY(r.auto_join_plans)))
      AND NOT EXISTS (SELECT 1 FROM room_exclusions x WHERE x.room_id = r.id AND x.member_id = me.id)""";

  private static final String RULE_ROOMS_OF_MEMBER = """
      SELECT r.id FROM rooms r JOIN members me ON me.id = $1 AND r.space_id = me.space_id
       WHERE r.archived_at IS NULL AND r.kind <> 'dm' AND %s AND %s""".formatted(ELIGIBLE, RULE_MATCHES);
  private static final String ROOMS_OF_MEMBER = """
      SELECT rm.room_id, rm.source FROM room_members rm JOIN rooms r ON r.id = rm.room_id
       WHERE rm.member_id = $1 AND (r.archived_at IS NULL OR $2)""";
  private static final String RULE_MEMBERS_OF_ROOM = """
      SELECT me.id FROM rooms r JOIN members me ON me.space_id = r.space_id
       WHERE r.id = $1 AND r.archived_at IS NULL AND r.kind <> 'dm' AND %s AND %s""".formatted(ELIGIBLE, RULE_MATCHES);
  private static final String MEMBERS_OF_ROOM = "SELECT member_id, source FROM room_members WHERE room_id = $1";

  private static final String LOCK_ROOMS = "SELECT id, last_seq FROM rooms WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  private static final String JOIN = """
      INSERT INTO room_members (room_id, member_id, space_id, source)
      SELECT v.room, v.member, r.space_id, v.source
        FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(room, member, source)
        JOIN rooms r ON r.id = v.room AND r.archived_at IS NULL
        JOIN members me ON me.id = v.member AND me.space_id = r.space_id
      ON CONFLICT (room_id, member_id) DO UPDATE SET source = 'manual'
        WHERE EXCLUDED.source = 'manual' AND room_members.source <> 'manual'
      RETURNING room_id, member_id, (xmax = 0) AS inserted""";
  private static final String LEAVE = """
      DELETE FROM room_members rm
       USING unnest($1::bigint[], $2::bigint[], $3::bool[]) AS v(room, member, rule_only)
       WHERE rm.room_id = v.room AND rm.member_id = v.member AND (NOT v.rule_only OR rm.source = 'rule')
      RETURNING rm.room_id, rm.member_id""";
  private static final String MEMBER_CARDS = "SELECT id, name, avatar_url FROM members WHERE id = ANY($1)";
  private static final String RECORD_EVENTS = """
      WITH upd AS (
        UPDATE rooms r SET last_seq = v.last FROM unnest($1::bigint[], $2::bigint[]) AS v(id, last) WHERE r.id = v.id
      )
      INSERT INTO room_events (room_id, seq, kind, actor_id, subject_id, payload)
      SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::jsonb[])
      RETURNING room_id, seq, created_at""";

  private static final String INSERT_DEFAULT = """
      INSERT INTO rooms (space_id, kind, name, is_default, auto_join) VALUES ($1, 'channel', 'general', true, 'all')
      ON CONFLICT DO NOTHING RETURNING id""";
  private static final String FIND_DEFAULT = "SELECT id FROM rooms WHERE space_id = $1 AND is_default";
  private static final String ADOPT_DEFAULT = """
      UPDATE rooms SET is_default = true, auto_join = 'all'
       WHERE id = (SELECT id FROM rooms WHERE space_id = $1 AND kind <> 'dm' AND archived_at IS NULL
                     AND lower(name) = 'general' ORDER BY id LIMIT 1)
      RETURNING id""";

  private static final String MEMBER_STATE = """
      SELECT me.id, me.space_id, %s AS eligible FROM members me WHERE me.id = ANY($1)""".formatted(ELIGIBLE);
  private static final String INSERT_DM = """
      INSERT INTO rooms (space_id, kind, name, dm_key) VALUES ($1, 'dm', 'direct', $2)
      ON CONFLICT (space_id, dm_key) DO NOTHING RETURNING id""";
  private static final String FIND_DM = "SELECT id FROM rooms WHERE space_id = $1 AND dm_key = $2";

  private static final String ADMIN_SPACE = "SELECT space_id FROM members WHERE id = $1 AND admin AND cobot_user_id IS NOT NULL";
  private static final String MANAGED_ROOM = """
      SELECT id, name, kind, is_default, auto_join, auto_join_plans FROM rooms
       WHERE id = $1 AND space_id = $2 AND kind <> 'dm' AND archived_at IS NULL FOR UPDATE""";
  private static final String CREATE_ROOM = """
      INSERT INTO rooms (space_id, kind, name, auto_join, auto_join_plans) VALUES ($1, $2, $3, $4, $5)
      RETURNING id, name, kind, is_default, auto_join, auto_join_plans""";
  private static final String RENAME_ROOM = """
      UPDATE rooms SET name = $2 WHERE id = $1 RETURNING id, name, kind, is_default, auto_join, auto_join_plans""";
  private static final String ARCHIVE_ROOM = "UPDATE rooms SET archived_at = now() WHERE id = $1";
  private static final String SET_RULE = """
      UPDATE rooms SET auto_join = $2, auto_join_plans = $3 WHERE id = $1
      RETURNING id, name, kind, is_default, auto_join, auto_join_plans""";
  private static final String SPACE_MEMBER = """
      SELECT me.id FROM members me WHERE me.id = $1 AND me.space_id = $2 AND %s""".formatted(ELIGIBLE);
  private static final String SPACE_MEMBER_ANY = "SELECT id FROM members WHERE id = $1 AND space_id = $2";
  private static final String UNEXCLUDE = "DELETE FROM room_exclusions WHERE room_id = $1 AND member_id = $2";
  private static final String EXCLUDE = """
      INSERT INTO room_exclusions (room_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING""";

  /** What changed for one member: rooms joined and rooms left, by id. */
  public record Changes(List<Long> joined, List<Long> left) {
    public boolean isEmpty() {
      return joined.isEmpty() && left.isEmpty();
    }
  }

  /**
   * An auto-join rule: {@code all} members, members whose plan name is in {@code plans}, or {@code none}.
   */
  public record AutoJoin(String rule, List<String> plans) {
    public static final AutoJoin ALL = new AutoJoin("all", List.of());
    public static final AutoJoin NONE = new AutoJoin("none", List.of());

    public AutoJoin {
      if (!List.of("all", "plans", "none").contains(rule)) {
        throw ChatException.badRequest("autoJoin must be all, plans or none");
      }
      plans = List.copyOf(plans);
      if (rule.equals("plans") && (plans.isEmpty() || plans.size() > 50
          || plans.stream().anyMatch(p -> p == null || p.isBlank() || p.length() > 200))) {
        throw ChatException.badRequest("plans must list 1 to 50 plan names");
      }
      if (!rule.equals("plans")) {
        plans = List.of();
      }
    }
  }

  private record Change(long roomId, long memberId, boolean join, String source, boolean ruleOnly) {
    static Change join(long room, long member, String source) {
      return new Change(room, member, true, source, false);
    }

    static Change leave(long room, long member, boolean ruleOnly) {
      return new Change(room, member, false, null, ruleOnly);
    }
  }

  private record Applied(long roomId, long memberId, boolean joined) {
  }

  private final Pool pool;
  private final ChatBus bus;

  RoomMembership(Pool pool, ChatBus bus) {
    this.pool = pool;
    this.bus = bus;
  }

  /**
   * Makes sure the space has its default room {@code general} (kind channel, auto-join all) and that
   * every member who may chat is in it (excluded members aside). Returns the room's id.
   */
  public Future<Long> ensureDefaultRoom(long spaceId) {
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_DEFAULT).execute(Tuple.of(spaceId))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows.iterator().next().getLong(0))
                : conn.preparedQuery(FIND_DEFAULT).execute(Tuple.of(spaceId)).compose(found -> found.size() > 0
                    ? Future.succeededFuture(found.iterator().next().getLong(0))
                    : conn.preparedQuery(ADOPT_DEFAULT).execute(Tuple.of(spaceId)).map(a -> a.iterator().next().getLong(0)))))
        .compose(roomId -> applyRoomRule(roomId).map(roomId));
  }

  /**
   * Brings one member's rule-made memberships in line with the rules of the member's space: joins
   * every live room whose rule matches (rule {@code all}, or the member's plan name among the
   * room's plans) unless the member is excluded from it, and leaves rule-made memberships that no
   * longer match (all of them when the member may not chat). Manual memberships stay.
   */
  public Future<Changes> applyRules(long memberId) {
    return pool.withTransaction(conn -> applyRules(conn, memberId));
  }

  /**
   * {@link #applyRules(long)} inside the caller's transaction (the membership sync changes the member
   * row and the rooms together); events and access changes are published when it commits.
   */
  public Future<Changes> applyRules(SqlConnection conn, long memberId) {
    return conn.preparedQuery(RULE_ROOMS_OF_MEMBER).execute(Tuple.of(memberId))
        .compose(target -> conn.preparedQuery(ROOMS_OF_MEMBER).execute(Tuple.of(memberId, false)).compose(current -> {
          Set<Long> want = new TreeSet<>();
          target.forEach(r -> want.add(r.getLong(0)));
          Map<Long, String> have = new HashMap<>();
          current.forEach(r -> have.put(r.getLong("room_id"), r.getString("source")));
          List<Change> changes = new ArrayList<>();
          want.stream().filter(id -> !have.containsKey(id)).forEach(id -> changes.add(Change.join(id, memberId, "rule")));
          have.forEach((id, source) -> {
            if (source.equals("rule") && !want.contains(id)) {
              changes.add(Change.leave(id, memberId, true));
            }
          });
          return apply(conn, changes, memberId);
        })).map(applied -> changesOf(memberId, applied));
  }

  /**
   * The member leaves every room of the space (rule-made, manual and direct): {@code member_left}
   * events, {@code room_removed} on the member's sockets, then every live socket of the member on
   * every node is closed with {@value #LOST_SPACE}. Revoking sessions is the caller's part.
   */
  public Future<Changes> removeFromSpace(long memberId) {
    return pool.withTransaction(conn -> removeFromSpace(conn, memberId))
        .onSuccess(changes -> closeMember(memberId, LOST_SPACE));
  }

  /**
   * The room part of {@link #removeFromSpace(long)} inside the caller's transaction: leaves every
   * room, events and {@code room_removed} published when it commits. Closing the member's sockets
   * ({@link #closeMember}) is the caller's part, after the commit.
   */
  public Future<Changes> removeFromSpace(SqlConnection conn, long memberId) {
    return conn.preparedQuery(ROOMS_OF_MEMBER).execute(Tuple.of(memberId, true))
        .compose(current -> {
          List<Change> changes = new ArrayList<>();
          current.forEach(r -> changes.add(Change.leave(r.getLong("room_id"), memberId, false)));
          return apply(conn, changes, memberId);
        })
        .map(applied -> changesOf(memberId, applied));
  }

  /** Closes every live socket of the member, on every node, with this close code (e.g. 4401 or 4403). */
  public void closeMember(long memberId, int code) {
    bus.publish(new ChatSignal.CloseMember(memberId, code, code == LOST_SPACE ? "access to the space ended" : "closed"));
  }

  /**
   * Opens the direct room of two members of the same space who may both chat, creating it once;
   * both are (again) members of it. Returns the room's id.
   */
  public Future<Long> openDirect(long memberId, long otherId) {
    if (memberId == otherId) {
      return Future.failedFuture(ChatException.badRequest("a direct room needs another member"));
    }
    String key = Math.min(memberId, otherId) + ":" + Math.max(memberId, otherId);
    return pool.withTransaction(conn -> conn.preparedQuery(MEMBER_STATE).execute(Tuple.of(new Long[] {memberId, otherId}))
        .compose(rows -> {
          Map<Long, Row> byId = new HashMap<>();
          rows.forEach(r -> byId.put(r.getLong("id"), r));
          Row me = byId.get(memberId);
          Row other = byId.get(otherId);
          if (me == null || other == null || !me.getLong("space_id").equals(other.getLong("space_id"))
              || !me.getBoolean("eligible") || !other.getBoolean("eligible")) {
            return Future.failedFuture(ChatException.notFound("user"));
          }
          long spaceId = me.getLong("space_id");
          return conn.preparedQuery(INSERT_DM).execute(Tuple.of(spaceId, key))
              .compose(ins -> ins.size() > 0 ? Future.succeededFuture(ins.iterator().next().getLong(0))
                  : conn.preparedQuery(FIND_DM).execute(Tuple.of(spaceId, key)).map(f -> f.iterator().next().getLong(0)))
              .compose(roomId -> apply(conn, List.of(Change.join(roomId, memberId, "manual"),
                  Change.join(roomId, otherId, "manual")), memberId).map(roomId));
        }));
  }

  // ---- admin operations (SPEC 5); the actor must be an admin of the room's space ----

  /** Creates a room ({@code channel} or {@code private}) with the actor as its first (manual) member, then applies its rule. */
  public Future<Long> createRoom(long actorId, String name, String kind, AutoJoin rule) {
    String clean = roomName(name);
    if (!kind.equals("channel") && !kind.equals("private")) {
      return Future.failedFuture(ChatException.badRequest("kind must be channel or private"));
    }
    return adminSpace(actorId).compose(spaceId -> pool.withTransaction(conn -> conn.preparedQuery(CREATE_ROOM)
            .execute(Tuple.of(spaceId, kind, clean, rule.rule(), rule.plans().toArray(String[]::new)))
            .compose(rows -> {
              long roomId = rows.iterator().next().getLong("id");
              return apply(conn, List.of(Change.join(roomId, actorId, "manual")), actorId).map(roomId);
            })))
        .recover(RoomMembership::nameTaken)
        .compose(roomId -> applyRoomRule(roomId).map(roomId));
  }

  /** Renames a room; everyone who has it gets {@code room_updated}. */
  public Future<Void> renameRoom(long actorId, long roomId, String name) {
    String clean = roomName(name);
    return managed(actorId, roomId, (conn, room, space) -> conn.preparedQuery(RENAME_ROOM).execute(Tuple.of(roomId, clean))
            .map(rows -> rows.iterator().next()))
        .recover(RoomMembership::nameTaken)
        .map(row -> {
          bus.publish(new ChatSignal.RoomChanged(roomId, false, Frames.roomUpdated(describe(row))));
          return null;
        });
  }

  /** Archives a room (not the default room): it disappears for everyone ({@code room_removed}); its events stay. */
  public Future<Void> archiveRoom(long actorId, long roomId) {
    return managed(actorId, roomId, (conn, room, space) -> room.getBoolean("is_default")
        ? Future.failedFuture(ChatException.badRequest("the default room cannot be archived"))
        : conn.preparedQuery(ARCHIVE_ROOM).execute(Tuple.of(roomId)))
        .map(v -> {
          bus.publish(new ChatSignal.RoomChanged(roomId, true, Frames.roomRemoved(roomId)));
          return null;
        });
  }

  /** Sets a room's auto-join rule, then joins members it now matches and removes rule-made members it no longer matches. */
  public Future<Void> setAutoJoin(long actorId, long roomId, AutoJoin rule) {
    return managed(actorId, roomId, (conn, room, space) -> conn.preparedQuery(SET_RULE)
        .execute(Tuple.of(roomId, rule.rule(), rule.plans().toArray(String[]::new))).map(rows -> rows.iterator().next()))
        .compose(row -> applyRoomRule(roomId).map(row))
        .map(row -> {
          bus.publish(new ChatSignal.RoomChanged(roomId, false, Frames.roomUpdated(describe(row))));
          return null;
        });
  }

  /** Adds a member of the space to a room by hand (manual; lifts an earlier exclusion). */
  public Future<Boolean> addMember(long actorId, long roomId, long memberId) {
    return managed(actorId, roomId, (conn, room, spaceId) -> conn.preparedQuery(SPACE_MEMBER)
        .execute(Tuple.of(memberId, spaceId))
        .compose(found -> found.size() == 0 ? Future.failedFuture(ChatException.notFound("user"))
            : conn.preparedQuery(UNEXCLUDE).execute(Tuple.of(roomId, memberId))
                .compose(v -> apply(conn, List.of(Change.join(roomId, memberId, "manual")), actorId))
                .map(applied -> !applied.isEmpty())));
  }

  /** Removes a member from a room and excludes them from its rule until an admin adds them again. */
  public Future<Boolean> removeMember(long actorId, long roomId, long memberId) {
    return managed(actorId, roomId, (conn, room, spaceId) -> conn.preparedQuery(SPACE_MEMBER_ANY)
        .execute(Tuple.of(memberId, spaceId))
        .compose(found -> found.size() == 0 ? Future.failedFuture(ChatException.notFound("user"))
            : conn.preparedQuery(EXCLUDE).execute(Tuple.of(roomId, memberId)))
        .compose(v -> apply(conn, List.of(Change.leave(roomId, memberId, false)), actorId))
        .compose(applied -> applied.isEmpty() ? Future.failedFuture(ChatException.notFound("user"))
            : Future.succeededFuture(true)));
  }

  /** Applies one room's rule to every member of its space (after creating it or changing its rule). */
  Future<Integer> applyRoomRule(long roomId) {
    return pool.withTransaction(conn -> conn.preparedQuery(RULE_MEMBERS_OF_ROOM).execute(Tuple.of(roomId))
        .compose(target -> conn.preparedQuery(MEMBERS_OF_ROOM).execute(Tuple.of(roomId)).compose(current -> {
          Set<Long> want = new TreeSet<>();
          target.forEach(r -> want.add(r.getLong(0)));
          Map<Long, String> have = new HashMap<>();
          current.forEach(r -> have.put(r.getLong("member_id"), r.getString("source")));
          List<Change> changes = new ArrayList<>();
          want.stream().filter(id -> !have.containsKey(id)).forEach(id -> changes.add(Change.join(roomId, id, "rule")));
          have.forEach((id, source) -> {
            if (source.equals("rule") && !want.contains(id)) {
              changes.add(Change.leave(roomId, id, true));
            }
          });
          return apply(conn, changes, 0);
        }))).map(List::size);
  }

  private interface RoomStep<T> {
    Future<T> run(SqlConnection conn, Row room, long spaceId);
  }

  /** Runs an admin step in one transaction on a live, non-direct room of the actor's space (locked). */
  private <T> Future<T> managed(long actorId, long roomId, RoomStep<T> step) {
    return adminSpace(actorId).compose(spaceId -> pool.withTransaction(conn -> conn.preparedQuery(MANAGED_ROOM)
        .execute(Tuple.of(roomId, spaceId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ChatException.notFound("room"))
            : step.run(conn, rows.iterator().next(), spaceId))));
  }

  private Future<Long> adminSpace(long actorId) {
    return pool.preparedQuery(ADMIN_SPACE).execute(Tuple.of(actorId)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ChatException.forbidden("only space admins can manage rooms"))
        : Future.succeededFuture(rows.iterator().next().getLong(0)));
  }

  /**
   * Applies joins and leaves in one transaction: rooms locked in id order, each actual change
   * recorded as a room event with the room's next seq; after the commit the events and access
   * changes are published.
   */
  private Future<List<Applied>> apply(SqlConnection conn, List<Change> changes, long actorId) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] rooms = changes.stream().map(Change::roomId).distinct().sorted().toArray(Long[]::new);
    List<Change> joins = changes.stream().filter(Change::join).toList();
    List<Change> leaves = changes.stream().filter(c -> !c.join()).toList();
    return conn.preparedQuery(LOCK_ROOMS).execute(Tuple.of((Object) rooms)).compose(locked -> {
      Map<Long, Long> lastSeq = new HashMap<>();
      locked.forEach(r -> lastSeq.put(r.getLong("id"), r.getLong("last_seq")));
      List<Applied> applied = new ArrayList<>();
      Future<Void> joined = joins.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(JOIN).execute(Tuple.tuple()
              .addValue(joins.stream().map(Change::roomId).toArray(Long[]::new))
              .addValue(joins.stream().map(Change::memberId).toArray(Long[]::new))
              .addValue(joins.stream().map(Change::source).toArray(String[]::new)))
          .map(rows -> {
            rows.forEach(r -> {
              if (r.getBoolean("inserted")) {
                applied.add(new Applied(r.getLong("room_id"), r.getLong("member_id"), true));
              }
            });
            return null;
          });
      return joined.compose(v -> leaves.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(LEAVE).execute(Tuple.tuple()
              .addValue(leaves.stream().map(Change::roomId).toArray(Long[]::new))
              .addValue(leaves.stream().map(Change::memberId).toArray(Long[]::new))
              .addValue(leaves.stream().map(Change::ruleOnly).toArray(Boolean[]::new)))
          .map(rows -> {
            rows.forEach(r -> applied.add(new Applied(r.getLong("room_id"), r.getLong("member_id"), false)));
            return null;
          }))
          .compose(v -> record(conn, applied, lastSeq, actorId));
    });
  }

  private Future<List<Applied>> record(SqlConnection conn, List<Applied> applied, Map<Long, Long> lastSeq, long actorId) {
    if (applied.isEmpty()) {
      return Future.succeededFuture(applied);
    }
    Long[] memberIds = applied.stream().map(Applied::memberId).distinct().toArray(Long[]::new);
    return conn.preparedQuery(MEMBER_CARDS).execute(Tuple.of((Object) memberIds)).compose(cards -> {
      Map<Long, JsonObject> card = new HashMap<>();
      cards.forEach(r -> card.put(r.getLong("id"), new JsonObject().put("name", r.getString("name"))
          .put("avatarUrl", r.getString("avatar_url"))));
      int n = applied.size();
      Long[] room = new Long[n];
      Long[] seq = new Long[n];
      String[] kind = new String[n];
      Long[] actor = new Long[n];
      Long[] subject = new Long[n];
      JsonObject[] payload = new JsonObject[n];
      for (int i = 0; i < n; i++) {
        Applied a = applied.get(i);
        room[i] = a.roomId();
        seq[i] = lastSeq.merge(a.roomId(), 1L, Long::sum);
        kind[i] = a.joined() ? RoomEvent.MEMBER_JOINED : RoomEvent.MEMBER_LEFT;
        actor[i] = actorId == 0 ? null : actorId;
        subject[i] = a.memberId();
        payload[i] = card.getOrDefault(a.memberId(), new JsonObject().put("name", "Member"));
      }
      Map<Long, Long> touched = new TreeMap<>();
      for (Long r : room) {
        touched.put(r, lastSeq.get(r));
      }
      Tuple args = Tuple.tuple()
          .addValue(touched.keySet().toArray(Long[]::new)).addValue(touched.values().toArray(Long[]::new))
          .addValue(room).addValue(seq).addValue(kind).addValue(actor).addValue(subject).addValue(payload);
      return conn.preparedQuery(RECORD_EVENTS).execute(args).map(rows -> {
        Map<String, String> at = new HashMap<>();
        rows.forEach(r -> at.put(r.getLong("room_id") + ":" + r.getLong("seq"), Frames.at(r.getOffsetDateTime("created_at"))));
        Map<Long, List<RoomEvent>> events = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          String frame = Frames.memberEvent(room[i], seq[i], kind[i], at.get(room[i] + ":" + seq[i]), subject[i],
              payload[i].getString("name"), payload[i].getString("avatarUrl"));
          events.computeIfAbsent(room[i], k -> new ArrayList<>()).add(new RoomEvent(seq[i], kind[i], subject[i], frame));
        }
        conn.transaction().completion().onSuccess(v -> publish(events, applied));
        return applied;
      });
    });
  }

  private void publish(Map<Long, List<RoomEvent>> events, List<Applied> applied) {
    events.forEach((room, list) -> bus.publish(new ChatSignal.RoomEvents(room, list.get(0).seq(),
        list.get(list.size() - 1).seq(), list)));
    Map<Long, Set<Long>> added = new LinkedHashMap<>();
    Map<Long, Set<Long>> removed = new LinkedHashMap<>();
    for (Applied a : applied) {
      (a.joined() ? added : removed).computeIfAbsent(a.memberId(), k -> new LinkedHashSet<>()).add(a.roomId());
    }
    Set<Long> members = new LinkedHashSet<>(added.keySet());
    members.addAll(removed.keySet());
    for (Long m : members) {
      bus.publish(new ChatSignal.AccessChanged(m, List.copyOf(added.getOrDefault(m, Set.of())),
          List.copyOf(removed.getOrDefault(m, Set.of()))));
    }
  }

  private static Changes changesOf(long memberId, List<Applied> applied) {
    List<Long> joined = new ArrayList<>();
    List<Long> left = new ArrayList<>();
    applied.stream().filter(a -> a.memberId() == memberId).forEach(a -> (a.joined() ? joined : left).add(a.roomId()));
    return new Changes(joined, left);
  }

  private static JsonObject describe(Row row) {
    return RoomSummary.describe(row.getLong("id"), row.getString("name"), row.getString("kind"), row.getBoolean("is_default"),
        row.getString("auto_join"), ChatRepository.plans(row));
  }

  private static String roomName(String name) {
    String clean = name == null ? "" : name.strip();
    int length = clean.codePointCount(0, clean.length());
    if (length < 1 || length > 80) {
      throw ChatException.badRequest("a room name has 1 to 80 characters");
    }
    return clean;
  }

  private static <T> Future<T> nameTaken(Throwable err) {
    if (err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      return Future.failedFuture(ChatException.badRequest("a room with this name exists"));
    }
    return Future.failedFuture(err);
  }
}
