package com.cobotchat.chat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes messages, edits and deletes. Each room event takes the room's next {@code seq} in the
 * transaction that inserts it (the room row lock orders writers across nodes), and is published on
 * the {@link ChatBus} only after the commit.
 *
 * <p>Sends go through one batcher per node, on its own event loop, with {@value #LANES} lanes (a
 * room always uses the same lane): a message that arrives while its lane is idle is written at
 * once; messages that arrive during a write are written together in the lane's next transaction
 * (at most {@value #MAX_BATCH}), in arrival order, so each room keeps the order of its sends.
 */
final class MessageStore {
  static final int MAX_BATCH = 500;
  static final int LANES = 3;
  static final int MAX_QUEUE = 20_000;
  private static final Logger log = LoggerFactory.getLogger(MessageStore.class);

  private static final String LOCK_ROOMS = """
      SELECT id, last_seq FROM rooms WHERE id = ANY($1) AND archived_at IS NULL ORDER BY id FOR UPDATE""";
  private static final String LOOKUP = """
      SELECT i.ord, m.id AS m_id, m.seq AS m_seq, m.room_id AS m_room,
             EXISTS (SELECT 1 FROM room_members rm JOIN members me ON me.id = rm.member_id
                      WHERE rm.room_id = i.room AND rm.member_id = i.author
                        AND me.cobot_user_id IS NOT NULL AND (me.status = 'active' OR me.admin)) AS allowed
        FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[]) AS i(ord, author, room, cmid)
        LEFT JOIN messages m ON m.author_id = i.author AND m.client_msg_id = i.cmid
       ORDER BY i.ord""";
  private static final String INSERT = """
      WITH upd AS (
        UPDATE rooms r SET last_seq = v.last FROM unnest($1::bigint[], $2::bigint[]) AS v(id, last) WHERE r.id = v.id
      ), ins AS (
        INSERT INTO messages (room_id, author_id, author_name, client_msg_id, text, seq)
        SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
        RETURNING id, room_id, author_id, seq, created_at
      ), ev AS (
        INSERT INTO room_events (room_id, seq, kind, message_id, actor_id)
        SELECT room_id, seq, 'message', id, author_id FROM ins
      )
      SELECT id, room_id, seq, created_at FROM ins""";

  private static final String LOCK_ROOM = "SELECT last_seq FROM rooms WHERE id = $1 AND archived_at IS NULL FOR UPDATE";
  private static final String CHECK_CHANGE = """
      SELECT me.admin AS admin,
             (me.status = 'active' OR me.admin)
               AND EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = ro.id AND rm.member_id = me.id) AS member,
             m.id AS m_id, m.author_id, m.author_name, am.avatar_url AS author_avatar, m.deleted_at IS NOT NULL AS deleted
        FROM rooms ro
        JOIN members me ON me.id = $2 AND me.space_id = ro.space_id AND me.cobot_user_id IS NOT NULL
        LEFT JOIN messages m ON m.id = $3 AND m.room_id = ro.id
        LEFT JOIN members am ON am.id = m.author_id
       WHERE ro.id = $1 AND ro.archived_at IS NULL""";
  private static final String EDIT = """
      WITH upd AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq),
           msg AS (UPDATE messages SET text = $3, edited_at = now() WHERE id = $2 RETURNING text, edited_at),
           ev AS (INSERT INTO room_events (room_id, seq, kind, message_id, actor_id)
                  SELECT $1, upd.last_seq, 'edit', $2, $4 FROM upd RETURNING seq, created_at)
      SELECT ev.seq, ev.created_at, msg.text, msg.edited_at FROM ev, msg""";
  private static final String DELETE = """
      WITH upd AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq),
           msg AS (UPDATE messages SET text = NULL, deleted_at = now() WHERE id = $2 RETURNING edited_at),
           ev AS (INSERT INTO room_events (room_id, seq, kind, message_id, actor_id)
                  SELECT $1, upd.last_seq, 'delete', $2, $3 FROM upd RETURNING seq, created_at)
      SELECT ev.seq, ev.created_at, msg.edited_at FROM ev, msg""";

  /** A validated send from a member (text already trimmed). */
  record SendCommand(long authorId, String authorName, String authorAvatar, long roomId, String clientMsgId, String text) {
  }

  /** A committed message (or the one an earlier send with the same clientMsgId created). */
  record Sent(long messageId, long seq, long roomId) {
  }

  private record Pending(SendCommand command, Promise<Sent> promise) {
  }

  private final Pool pool;
  private final ChatBus bus;
  private final ChatMetrics metrics;
  private final Context context;
  private final Lane[] lanes = new Lane[LANES];
  private int queued;
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();

  /** Sends of some rooms, written one transaction at a time. */
  private static final class Lane {
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    boolean writing;
  }

  MessageStore(Vertx vertx, Pool pool, ChatBus bus, ChatMetrics metrics) {
    this.pool = pool;
    this.bus = bus;
    this.metrics = metrics;
    this.context = vertx.getOrCreateContext();
    for (int i = 0; i < LANES; i++) {
      lanes[i] = new Lane();
    }
  }

  /** Queues a send; completes on the caller's context after the commit (or with a {@link ChatException}). */
  Future<Sent> send(SendCommand command) {
    Promise<Sent> promise = Promise.promise();
    context.runOnContext(v -> enqueue(new Pending(command, promise)));
    return onCaller(promise.future());
  }

  /** Completes once everything queued so far is written (for a graceful stop). */
  Future<Void> drain() {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> {
      drainWaiters.add(promise);
      checkDrained();
    });
    return promise.future();
  }

  private void checkDrained() {
    if (queued == 0 && drainWaiters.size() > 0) {
      drainWaiters.forEach(Promise::complete);
      drainWaiters.clear();
    }
  }

  private void enqueue(Pending pending) {
    if (queued >= MAX_QUEUE) {
      pending.promise().fail(new ChatException(ChatException.Code.UNAVAILABLE, "the server is overloaded; retry"));
      return;
    }
    queued++;
    Lane lane = lanes[(int) Math.floorMod(pending.command().roomId(), (long) LANES)];
    lane.queue.add(pending);
    writeNext(lane);
  }

  private void writeNext(Lane lane) {
    if (lane.writing || lane.queue.isEmpty()) {
      checkDrained();
      return;
    }
    lane.writing = true;
    List<Pending> batch = new ArrayList<>(Math.min(lane.queue.size(), MAX_BATCH));
    while (!lane.queue.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(lane.queue.poll());
    }
    metrics.batchSize.record(batch.size());
    long started = System.nanoTime();
    write(batch).recover(err -> isDuplicate(err) ? write(batch) : Future.failedFuture(err)).onComplete(ar -> {
      lane.writing = false;
      queued -= batch.size();
      metrics.batchDuration.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
      if (ar.failed()) {
        ChatException failure = ChatException.from(ar.cause());
        if (failure.code() == ChatException.Code.INTERNAL) {
          log.atError().setCause(ar.cause()).addKeyValue("batch", batch.size()).log("message batch failed");
        }
        batch.forEach(p -> p.promise().fail(failure));
      } else {
        List<Object> results = ar.result();
        for (int i = 0; i < batch.size(); i++) {
          Object result = results.get(i);
          if (result instanceof Sent sent) {
            batch.get(i).promise().complete(sent);
          } else {
            batch.get(i).promise().fail((ChatException) result);
          }
        }
      }
      writeNext(lane);
    });
  }

  /** One transaction for the batch; the i-th result is a {@link Sent} or a {@link ChatException}. */
  private Future<List<Object>> write(List<Pending> batch) {
    List<Long> rooms = batch.stream().map(p -> p.command().roomId()).distinct().sorted().toList();
    List<NewRow> inserted = new ArrayList<>();
    // The lookup is pipelined behind the lock: PostgreSQL runs it after the lock is granted, with a fresh snapshot.
    return pool.withTransaction(conn -> {
          Future<io.vertx.sqlclient.RowSet<Row>> locking = conn.preparedQuery(LOCK_ROOMS).execute(Tuple.of(rooms.toArray(Long[]::new)));
          Future<List<Row>> looking = lookup(conn, batch);
          return Future.all(locking, looking).compose(both -> {
            Map<Long, Long> lastSeq = new HashMap<>();
            locking.result().forEach(r -> lastSeq.put(r.getLong("id"), r.getLong("last_seq")));
            return assign(conn, batch, looking.result(), lastSeq, inserted);
          });
        })
        .map(results -> {
          publish(inserted);
          metrics.persisted.increment(inserted.size());
          return results;
        });
  }

  private Future<List<Row>> lookup(SqlConnection conn, List<Pending> batch) {
    int n = batch.size();
    Integer[] ord = new Integer[n];
    Long[] authors = new Long[n];
    Long[] roomIds = new Long[n];
    String[] cmids = new String[n];
    for (int i = 0; i < n; i++) {
      SendCommand c = batch.get(i).command();
      ord[i] = i;
      authors[i] = c.authorId();
      roomIds[i] = c.roomId();
      cmids[i] = c.clientMsgId();
    }
    return conn.preparedQuery(LOOKUP).execute(Tuple.tuple().addValue(ord).addValue(authors).addValue(roomIds).addValue(cmids))
        .map(rows -> {
          List<Row> out = new ArrayList<>(n);
          rows.forEach(out::add);
          return out;
        });
  }

  private record NewRow(int index, SendCommand command, long seq, long[] idAndTime, String[] at) {
  }

  private Future<List<Object>> assign(SqlConnection conn, List<Pending> batch, List<Row> found, Map<Long, Long> lastSeq,
                                      List<NewRow> inserted) {
    Object[] results = new Object[batch.size()];
    Map<String, Integer> firstOfKey = new HashMap<>();
    List<NewRow> rows = new ArrayList<>();
    int[] sameAs = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      sameAs[i] = -1;
      SendCommand c = batch.get(i).command();
      Row row = found.get(i);
      Integer earlier = firstOfKey.putIfAbsent(c.authorId() + ":" + c.clientMsgId(), i);
      if (row.getValue("m_id") != null) {
        results[i] = new Sent(row.getLong("m_id"), row.getLong("m_seq"), row.getLong("m_room"));
      } else if (earlier != null) {
        sameAs[i] = earlier;
      } else if (!row.getBoolean("allowed") || !lastSeq.containsKey(c.roomId())) {
        results[i] = ChatException.notFound("room");
      } else {
        long seq = lastSeq.merge(c.roomId(), 1L, Long::sum);
        rows.add(new NewRow(i, c, seq, new long[1], new String[1]));
      }
    }
    Future<Void> written = rows.isEmpty() ? Future.succeededFuture() : insert(conn, rows, lastSeq);
    return written.map(v -> {
      for (NewRow r : rows) {
        results[r.index()] = new Sent(r.idAndTime()[0], r.seq(), r.command().roomId());
      }
      for (int i = 0; i < results.length; i++) {
        if (sameAs[i] >= 0) {
          results[i] = results[sameAs[i]];
        }
      }
      inserted.addAll(rows);
      return List.of(results);
    });
  }

  private Future<Void> insert(SqlConnection conn, List<NewRow> rows, Map<Long, Long> lastSeq) {
    Map<Long, Long> touched = new TreeMap<>();
    rows.forEach(r -> touched.put(r.command().roomId(), lastSeq.get(r.command().roomId())));
    int n = rows.size();
    Long[] room = new Long[n];
    Long[] author = new Long[n];
    String[] name = new String[n];
    String[] cmid = new String[n];
    String[] text = new String[n];
    Long[] seq = new Long[n];
    for (int i = 0; i < n; i++) {
      SendCommand c = rows.get(i).command();
      room[i] = c.roomId();
      author[i] = c.authorId();
      name[i] = c.authorName();
      cmid[i] = c.clientMsgId();
      text[i] = c.text();
      seq[i] = rows.get(i).seq();
    }
    Tuple args = Tuple.tuple()
        .addValue(touched.keySet().toArray(Long[]::new)).addValue(touched.values().toArray(Long[]::new))
        .addValue(room).addValue(author).addValue(name).addValue(cmid).addValue(text).addValue(seq);
    return conn.preparedQuery(INSERT).execute(args).map(result -> {
      Map<String, Row> byRoomSeq = new HashMap<>();
      result.forEach(r -> byRoomSeq.put(r.getLong("room_id") + ":" + r.getLong("seq"), r));
      for (NewRow r : rows) {
        Row row = byRoomSeq.get(r.command().roomId() + ":" + r.seq());
        r.idAndTime()[0] = row.getLong("id");
        r.at()[0] = Frames.at(row.getOffsetDateTime("created_at"));
      }
      return null;
    });
  }

  private void publish(List<NewRow> rows) {
    Map<Long, List<RoomEvent>> byRoom = new TreeMap<>();
    for (NewRow r : rows) {
      SendCommand c = r.command();
      String frame = Frames.messageEvent(c.roomId(), r.seq(), RoomEvent.MESSAGE, r.at()[0], r.idAndTime()[0], c.authorId(),
          c.authorName(), c.authorAvatar(), c.text(), null, false);
      byRoom.computeIfAbsent(c.roomId(), k -> new ArrayList<>()).add(new RoomEvent(r.seq(), RoomEvent.MESSAGE, 0, frame));
    }
    byRoom.forEach((room, events) -> {
      events.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      bus.publish(new ChatSignal.RoomEvents(room, events.get(0).seq(), events.get(events.size() - 1).seq(), events));
    });
  }

  /** Edits the actor's own message; completes with the edit event's seq. */
  Future<Long> edit(long actorId, long roomId, long messageId, String text) {
    return change(actorId, roomId, messageId, text);
  }

  /** Deletes a message (its author, or an admin of the room's space); completes with the delete event's seq. */
  Future<Long> delete(long actorId, long roomId, long messageId) {
    return change(actorId, roomId, messageId, null);
  }

  private Future<Long> change(long actorId, long roomId, long messageId, String newText) {
    boolean edit = newText != null;
    RoomEvent[] event = new RoomEvent[1];
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_ROOM).execute(Tuple.of(roomId))
        .compose(locked -> locked.size() == 0 ? Future.failedFuture(ChatException.notFound("room"))
            : conn.preparedQuery(CHECK_CHANGE).execute(Tuple.of(roomId, actorId, messageId)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ChatException.notFound("room"));
          }
          Row r = rows.iterator().next();
          boolean member = Boolean.TRUE.equals(r.getBoolean("member"));
          boolean admin = Boolean.TRUE.equals(r.getBoolean("admin"));
          if (!member && !(admin && !edit)) {
            return Future.failedFuture(ChatException.notFound("room"));
          }
          if (r.getValue("m_id") == null || r.getBoolean("deleted")) {
            return Future.failedFuture(ChatException.notFound("message"));
          }
          long author = r.getLong("author_id");
          if (author != actorId && (edit || !admin)) {
            return Future.failedFuture(ChatException.forbidden(edit
                ? "only the author can edit a message" : "only the author or a space admin can delete a message"));
          }
          String authorName = r.getString("author_name");
          String avatar = r.getString("author_avatar");
          Tuple args = edit ? Tuple.of(roomId, messageId, newText, actorId) : Tuple.of(roomId, messageId, actorId);
          return conn.preparedQuery(edit ? EDIT : DELETE).execute(args).map(done -> {
            Row d = done.iterator().next();
            long seq = d.getLong("seq");
            String kind = edit ? RoomEvent.EDIT : RoomEvent.DELETE;
            event[0] = new RoomEvent(seq, kind, 0, Frames.messageEvent(roomId, seq, kind, Frames.at(d.getOffsetDateTime("created_at")),
                messageId, author, authorName, avatar, edit ? d.getString("text") : null,
                Frames.at(d.getOffsetDateTime("edited_at")), !edit));
            return seq;
          });
        }))
        .onSuccess(seq -> bus.publish(new ChatSignal.RoomEvents(roomId, seq, seq, List.of(event[0]))));
  }

  private static boolean isDuplicate(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static <T> Future<T> onCaller(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> caller.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }
}
