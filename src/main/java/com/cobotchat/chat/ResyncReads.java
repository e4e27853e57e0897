package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a hub reads after {@link ChatSignal.Resync}: the rooms' last seqs and the members' current access. */
final class ResyncReads {
  private static final String LAST_SEQS = "SELECT id, last_seq FROM rooms WHERE id = ANY($1)";
  private static final String ACCESS = """
      SELECT me.id, r.id AS room_id FROM members me
        LEFT JOIN (room_members rm JOIN rooms r ON r.id = rm.room_id AND r.archived_at IS NULL) ON rm.member_id = me.id
       WHERE me.id = ANY($1) AND me.cobot_user_id IS NOT NULL AND (me.status = 'active' OR me.admin)""";

  private final Pool pool;

  ResyncReads(Pool pool) {
    this.pool = pool;
  }

  /** Room id → last committed seq. */
  Future<Map<Long, Long>> lastSeqs(List<Long> roomIds) {
    return pool.preparedQuery(LAST_SEQS).execute(Tuple.of((Object) roomIds.toArray(Long[]::new))).map(rows -> {
      Map<Long, Long> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getLong("id"), r.getLong("last_seq")));
      return out;
    });
  }

  /** Member id → the live rooms the member is in, for the members who may chat (the others are absent). */
  Future<Map<Long, Set<Long>>> access(List<Long> memberIds) {
    return pool.preparedQuery(ACCESS).execute(Tuple.of((Object) memberIds.toArray(Long[]::new))).map(rows -> {
      Map<Long, Set<Long>> out = new HashMap<>();
      rows.forEach(r -> {
        Set<Long> rooms = out.computeIfAbsent(r.getLong("id"), k -> new HashSet<>());
        Long room = r.getLong("room_id");
        if (room != null) {
          rooms.add(room);
        }
      });
      return out;
    });
  }
}
