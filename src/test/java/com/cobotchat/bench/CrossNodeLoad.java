package com.cobotchat.bench;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Space;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat messages across two full nodes (not a test; see {@code docs/multi-node.md}): {@code members}
 * senders on node A in rooms of {@code roomSize}, each sending {@code rate} messages per second over
 * its WebSocket; one reader per room on node B. Prints the events per second the readers on B receive
 * and the send→receive latency. Both nodes, the clients and PostgreSQL share the machine.
 *
 * <p>Run: {@code bench/run.sh --channel}; arguments {@code [members] [roomSize] [seconds] [ratePerMember]}.
 */
public final class CrossNodeLoad {
  private static final java.util.concurrent.ConcurrentHashMap<String, Long> ERROR_CODES = new java.util.concurrent.ConcurrentHashMap<>();
  private CrossNodeLoad() {
  }

  public static void main(String[] args) throws Exception {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int roomSize = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    double rate = args.length > 3 ? Double.parseDouble(args[3]) : 8.0;
    DatabaseUrl db = TestDatabases.fresh("crossload");
    int portA = TestConfigs.freePort();
    Map<String, String> envA = TestConfigs.env(db, portA);
    Application nodeA = Application.start(AppConfig.fromEnv(envA), l -> { });
    Map<String, String> envB = TestConfigs.env(db, TestConfigs.freePort());
    envB.put("PUBLIC_URL", envA.get("PUBLIC_URL"));
    Application nodeB = Application.start(AppConfig.fromEnv(envB), l -> { });
    Vertx clients = Vertx.vertx();
    try {
      run(nodeA, nodeB, clients, members, roomSize, seconds, rate);
    } finally {
      clients.close().await();
      nodeA.stop();
      nodeB.stop();
      TestDatabases.drop(db);
    }
  }

  private static void run(Application nodeA, Application nodeB, Vertx clients, int members, int roomSize, int seconds,
                          double rate) throws Exception {
    Pool pool = nodeA.services().pool();
    Space space = new Fixtures(pool).space("crossload");
    int rooms = (members + roomSize - 1) / roomSize;
    long[] memberIds = insertMembers(pool, space, members + rooms);
    long[] roomIds = new long[rooms];
    for (int r = 0; r < rooms; r++) {
      roomIds[r] = pool.preparedQuery("INSERT INTO rooms (space_id, kind, name) VALUES ($1, 'channel', $2) RETURNING id")
          .execute(Tuple.of(space.id(), "room " + r)).await().iterator().next().getLong(0);
    }
    Long[] rm = new Long[members + rooms];
    Long[] mm = new Long[members + rooms];
    for (int i = 0; i < members + rooms; i++) {
      rm[i] = roomIds[i < members ? i / roomSize : i - members];
      mm[i] = memberIds[i];
    }
    pool.preparedQuery("""
        INSERT INTO room_members (room_id, member_id, space_id, source)
        SELECT r, m, $3, 'manual' FROM unnest($1::bigint[], $2::bigint[]) AS v(r, m)""")
        .execute(Tuple.of(rm, mm, space.id())).await();

    String origin = nodeA.services().config().publicOrigin();
    AtomicLong received = new AtomicLong();
    AtomicLong acks = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long[] latencies = new long[4_000_000];
    AtomicLong latencyCount = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(members + rooms);
    boolean[] sending = {false};
    List<Runnable> stops = java.util.Collections.synchronizedList(new ArrayList<>());
    long periodMs = Math.max(1, Math.round(1000 / rate));

    for (int i = 0; i < members + rooms; i++) {
      boolean reader = i >= members;
      Client c = new Client(clients, nodeA, reader ? nodeB : nodeA, origin, memberIds[i], rm[i], reader, i, periodMs,
          received, acks, errors, latencies, latencyCount, ready, sending, stops);
      clients.getOrCreateContext().runOnContext(v -> c.connect(10));
      if (i % 50 == 49) {
        Thread.sleep(100);
      }
    }
    if (!ready.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clients not subscribed: " + ready.getCount() + " left");
    }
    Thread.sleep(1000);
    long startReceived = received.get();
    long startAcks = acks.get();
    long startErrors = errors.get();
    latencyCount.set(0);
    sending[0] = true;
    long started = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    sending[0] = false;
    Thread.sleep(3000);
    double elapsed = (System.nanoTime() - started) / 1e9 - 3;
    long sentAcks = acks.get() - startAcks;
    long got = received.get() - startReceived;
    int n = (int) Math.min(latencyCount.get(), latencies.length);
    long[] l = Arrays.copyOf(latencies, n);
    Arrays.sort(l);
    System.out.printf(Locale.ROOT, "%d senders on node A (%d rooms of %d, %.1f msg/s each, offered %.0f msg/s), %d readers on node B:%n",
        members, rooms, roomSize, rate, members * rate, rooms);
    System.out.printf(Locale.ROOT, "  acked on A %,.0f msg/s; received on B %,.0f events/s (%,d of %,d acked); errors %d%n",
        sentAcks / elapsed, got / elapsed, got, sentAcks, errors.get() - startErrors);
    if (!ERROR_CODES.isEmpty()) {
      System.out.println("  error codes: " + ERROR_CODES);
    }
    System.out.printf(Locale.ROOT, "  send on A -> event on B: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        pct(l, 0.5), pct(l, 0.99), n == 0 ? 0 : l[n - 1] / 1e6);
    stops.forEach(Runnable::run);
  }

  /** One member's socket: a sender on node A or a reader on node B. */
  private record Client(Vertx clients, Application issuer, Application node, String origin, long member, long room,
                        boolean reader, int index, long periodMs, AtomicLong received, AtomicLong acks, AtomicLong errors,
                        long[] latencies, AtomicLong latencyCount, CountDownLatch ready, boolean[] sending,
                        List<Runnable> stops, java.util.concurrent.atomic.AtomicBoolean subscribed) {
    Client(Vertx clients, Application issuer, Application node, String origin, long member, long room, boolean reader,
           int index, long periodMs, AtomicLong received, AtomicLong acks, AtomicLong errors, long[] latencies,
           AtomicLong latencyCount, CountDownLatch ready, boolean[] sending, List<Runnable> stops) {
      this(clients, issuer, node, origin, member, room, reader, index, periodMs, received, acks, errors, latencies,
          latencyCount, ready, sending, stops, new java.util.concurrent.atomic.AtomicBoolean());
    }

    void connect(int attempts) {
      issuer.services().tickets().issue(member, null).onSuccess(ticket -> {
        WebSocketClient client = clients.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20));
        ClientWebSocket ws = client.webSocket();
        long[] counter = {0};
        ws.textMessageHandler(text -> onText(ws, text));
        ws.closeHandler(v -> {
          if (!subscribed.get() && attempts > 1) {
            clients.setTimer(500, t -> connect(attempts - 1));
          }
        });
        ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.services().config().port())
            .setURI("/ws?ticket=" + ticket).addHeader("Origin", origin)).onSuccess(x -> {
          if (!reader) {
            long timer = clients.setPeriodic(periodMs + (index % 7), periodMs, t -> {
              if (sending[0]) {
                ws.writeTextMessage(new JsonObject().put("type", "send").put("room", Long.toString(room))
                    .put("clientMsgId", index + "-" + counter[0]++).put("text", "t" + System.nanoTime()).encode());
              }
            });
            stops.add(() -> clients.cancelTimer(timer));
          }
        }).onFailure(err -> {
          if (attempts > 1) {
            clients.setTimer(200, t -> connect(attempts - 1));
          } else {
            System.err.println("connect failed: " + err);
          }
        });
      });
    }

    private void onText(ClientWebSocket ws, String text) {
      if (text.startsWith("{\"type\":\"event\"")) {
        if (reader) {
          received.incrementAndGet();
          int at = text.indexOf("\"text\":\"t");
          if (at > 0) {
            long sent = Long.parseLong(text.substring(at + 9, text.indexOf('"', at + 9)));
            long n = latencyCount.getAndIncrement();
            if (n < latencies.length) {
              latencies[(int) n] = System.nanoTime() - sent;
            }
          }
        }
      } else if (text.startsWith("{\"type\":\"ack\"")) {
        acks.incrementAndGet();
      } else if (text.startsWith("{\"type\":\"error\"")) {
        errors.incrementAndGet();
        ERROR_CODES.merge(new JsonObject(text).getString("code"), 1L, Long::sum);
      } else if (text.startsWith("{\"type\":\"subscribed\"")) {
        if (subscribed.compareAndSet(false, true)) {
          ready.countDown();
        }
      } else if (text.startsWith("{\"type\":\"ready\"")) {
        ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("room", Long.toString(room)).encode());
      }
    }
  }

  private static long[] insertMembers(Pool pool, Space space, int count) {
    List<Row> rows = new ArrayList<>();
    pool.preparedQuery("""
        INSERT INTO members (space_id, cobot_user_id, membership_id, name, status, plan_name)
        SELECT $1, 'u' || g, 'm' || g, 'Member ' || g, 'active', 'basic' FROM generate_series(1, $2) g RETURNING id""")
        .execute(Tuple.of(space.id(), count)).await().forEach(rows::add);
    return rows.stream().mapToLong(r -> r.getLong(0)).toArray();
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * p))] / 1e6;
  }
}
