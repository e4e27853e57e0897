package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import io.vertx.core.Context;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several members write (messages, edits, deletes, repeated clientMsgIds) while others disconnect
 * at random and resume with {@code after}, and an admin keeps adding and removing a member (room
 * events from another writer). At the end every client's sequence per room must be exactly the
 * database's: gap-free, no duplicates, same events.
 */
@DisplayName("Randomised: concurrent writers, reconnecting readers, nothing lost or repeated")
class ChatRandomisedTest extends ChatTestBase {
  private static final long SEED = Long.getLong("chat.seed", System.nanoTime());
  private static final int RUN_MS = 8_000;

  /** One simulated client; all its state is touched on its own context. */
  private final class Peer {
    final String name;
    final Member member;
    final List<Long> rooms;
    final boolean flaky;
    final boolean writer;
    final Random random;
    final Context context = clients.getOrCreateContext();
    final WebSocketClient client = clients.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20));
    final Deque<String> tickets = new ArrayDeque<>();
    final Map<Long, List<String>> seen = new HashMap<>();
    final Map<Long, Long> last = new HashMap<>();
    final Map<String, String> ackedIds = new HashMap<>();
    final Map<String, Long> ackedRooms = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    final Map<String, Boolean> pending = new HashMap<>();
    ClientWebSocket ws;
    boolean running = true;
    boolean shutdown;
    boolean writing;
    int subscribedRooms;
    int counter;

    Peer(String name, Member member, List<Long> rooms, boolean flaky, boolean writer, long seed) {
      this.name = name;
      this.member = member;
      this.rooms = rooms;
      this.flaky = flaky;
      this.writer = writer;
      this.random = new Random(seed);
      for (int i = 0; i < (flaky ? 60 : 2); i++) {
        tickets.add(ticket(member));
      }
    }

    void start() {
      context.runOnContext(v -> connect());
    }

    private void connect() {
      if (tickets.isEmpty()) {
        problems.add("out of tickets");
        return;
      }
      subscribedRooms = 0;
      ClientWebSocket socket = client.webSocket();
      ws = socket;
      socket.textMessageHandler(text -> onFrame(socket, new JsonObject(text)));
      socket.closeHandler(v -> {
        if (!shutdown && socket == ws) {
          context.owner().setTimer(20 + random.nextInt(150), t -> connect());
        }
      });
      socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
          .setURI("/ws?ticket=" + tickets.poll()).addHeader("Origin", origin()))
          .onFailure(err -> problems.add("connect failed: " + err));
    }

    private void onFrame(ClientWebSocket socket, JsonObject f) {
      if (socket != ws) {
        return;
      }
      switch (f.getString("type")) {
        case "ready" -> {
          for (long room : rooms) {
            socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("room", id(room))
                .put("after", last.getOrDefault(room, 0L)).encode());
          }
          if (flaky && running) {
            context.owner().setTimer(150 + random.nextInt(700), t -> {
              if (socket == ws && running) {
                socket.close();
              }
            });
          }
        }
        case "subscribed" -> {
          long room = Long.parseLong(f.getString("room"));
          if (f.getBoolean("more")) {
            problems.add("more than one page missed");
          }
          for (Object e : f.getJsonArray("events")) {
            record((JsonObject) e);
          }
          if (f.getLong("lastSeq").longValue() != last.getOrDefault(room, 0L).longValue()) {
            problems.add("lastSeq " + f.getLong("lastSeq") + " but saw up to " + last.get(room));
          }
          if (++subscribedRooms == rooms.size() && writer && !writing) {
            writing = true;
            scheduleWrite();
          }
        }
        case "event" -> record(f);
        case "ack" -> {
          String cmid = f.getString("clientMsgId");
          String known = ackedIds.putIfAbsent(cmid, f.getString("messageId"));
          if (known != null && !known.equals(f.getString("messageId"))) {
            problems.add("a repeated clientMsgId got another message");
          }
          pending.remove(f.getString("ref"));
        }
        case "ok" -> pending.remove(f.getString("ref"));
        case "error" -> {
          pending.remove(f.getString("ref"));
          if (!"not_found".equals(f.getString("code"))) {
            problems.add("error " + f);
          }
        }
        default -> { }
      }
    }

    private void record(JsonObject e) {
      long room = Long.parseLong(e.getString("room"));
      long seq = e.getLong("seq");
      long previous = last.getOrDefault(room, 0L);
      if (seq != previous + 1) {
        problems.add("room " + room + ": seq " + seq + " after " + previous);
      }
      last.put(room, Math.max(previous, seq));
      seen.computeIfAbsent(room, k -> new ArrayList<>()).add(key(e));
    }

    private void scheduleWrite() {
      context.owner().setTimer(110 + random.nextInt(60), t -> {
        if (!running) {
          return;
        }
        writeSomething();
        scheduleWrite();
      });
    }

    private void writeSomething() {
      String ref = name + "-" + (counter++);
      long room = rooms.get(random.nextInt(rooms.size()));
      JsonObject frame;
      int dice = random.nextInt(20);
      List<String> mine = new ArrayList<>(ackedIds.keySet());
      if (dice < 2 && !mine.isEmpty()) {
        String cmid = mine.get(random.nextInt(mine.size()));
        frame = new JsonObject().put("type", "edit").put("room", id(ackedRooms.get(cmid)))
            .put("messageId", ackedIds.get(cmid)).put("text", "edited " + ref);
      } else if (dice == 2 && !mine.isEmpty()) {
        String cmid = mine.get(random.nextInt(mine.size()));
        frame = new JsonObject().put("type", "delete").put("room", id(ackedRooms.get(cmid))).put("messageId", ackedIds.get(cmid));
      } else if (dice == 3 && !mine.isEmpty()) {
        String cmid = mine.get(random.nextInt(mine.size()));
        frame = new JsonObject().put("type", "send").put("room", id(ackedRooms.get(cmid))).put("clientMsgId", cmid)
            .put("text", "again");
      } else {
        String cmid = ref;
        ackedRooms.put(cmid, room);
        frame = new JsonObject().put("type", "send").put("room", id(room)).put("clientMsgId", cmid).put("text", "text " + ref);
      }
      pending.put(ref, true);
      ws.writeTextMessage(frame.put("ref", ref).encode());
    }

    <T> T onContext(java.util.concurrent.Callable<T> read) throws Exception {
      java.util.concurrent.CompletableFuture<T> out = new java.util.concurrent.CompletableFuture<>();
      context.runOnContext(v -> {
        try {
          out.complete(read.call());
        } catch (Exception e) {
          out.completeExceptionally(e);
        }
      });
      return out.get(10, TimeUnit.SECONDS);
    }
  }

  private static String key(JsonObject e) {
    JsonObject message = e.getJsonObject("message");
    JsonObject member = e.getJsonObject("member");
    String subject = message != null ? message.getString("id") : member.getString("id");
    return e.getLong("seq") + ":" + e.getString("kind") + ":" + subject;
  }

  @Test
  void every_client_ends_with_the_databases_sequence_per_room() throws Exception {
    Random random = new Random(SEED);
    Space space = space();
    Member boss = admin(space, "Boss");
    List<Long> rooms = List.of(defaultRoom(space),
        membership().createRoom(boss.id(), "alpha", "channel", RoomMembership.AutoJoin.ALL).await(),
        membership().createRoom(boss.id(), "beta", "channel", RoomMembership.AutoJoin.ALL).await());
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      peers.add(new Peer("w" + i, member(space, "Writer " + i), rooms, false, true, random.nextLong()));
    }
    for (int i = 0; i < 3; i++) {
      peers.add(new Peer("f" + i, member(space, "Follower " + i), rooms, true, false, random.nextLong()));
    }
    Member zed = member(space, "Zed");
    peers.forEach(Peer::start);

    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MS);
    boolean in = true;
    while (System.nanoTime() < end) {
      if (in) {
        membership().removeMember(boss.id(), rooms.get(2), zed.id()).await();
      } else {
        membership().addMember(boss.id(), rooms.get(2), zed.id()).await();
      }
      in = !in;
      Thread.sleep(150 + random.nextInt(200));
    }
    for (Peer p : peers) {
      p.onContext(() -> p.running = false);
    }

    Map<Long, List<String>> database = new HashMap<>();
    for (long room : rooms) {
      database.put(room, rows("""
          SELECT seq || ':' || kind || ':' || COALESCE(message_id, subject_id) FROM room_events
           WHERE room_id = $1 ORDER BY seq""", room).stream().map(r -> r.getString(0)).toList());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Peer p : peers) {
      while (System.nanoTime() < deadline) {
        boolean done = p.onContext(() -> p.pending.isEmpty() && rooms.stream()
            .allMatch(r -> p.last.getOrDefault(r, 0L) == database.get(r).size()));
        if (done) {
          break;
        }
        Thread.sleep(50);
        for (long room : rooms) {
          database.put(room, rows("""
              SELECT seq || ':' || kind || ':' || COALESCE(message_id, subject_id) FROM room_events
               WHERE room_id = $1 ORDER BY seq""", room).stream().map(r -> r.getString(0)).toList());
        }
      }
    }

    int totalEvents = 0;
    for (Peer p : peers) {
      Map<Long, List<String>> seen = p.onContext(() -> new HashMap<>(p.seen));
      List<String> problems = p.onContext(() -> new ArrayList<>(p.problems));
      assertThat(problems).as("seed %d, %s", SEED, p.name).isEmpty();
      assertThat(p.onContext(() -> p.pending.size())).as("seed %d, %s answers missing", SEED, p.name).isZero();
      for (long room : rooms) {
        assertThat(seen.get(room)).as("seed %d, %s, room %d", SEED, p.name, room).containsExactlyElementsOf(database.get(room));
        totalEvents += database.get(room).size();
      }
    }
    assertThat(totalEvents).isGreaterThan(0);
    long messages = rows("SELECT count(*) FROM messages WHERE room_id = ANY($1)", (Object) rooms.toArray(Long[]::new))
        .get(0).getLong(0);
    assertThat(messages).as("the run produced traffic").isGreaterThan(40);
    for (Peer p : peers) {
      p.onContext(() -> p.shutdown = true);
      p.client.close();
    }
  }
}
