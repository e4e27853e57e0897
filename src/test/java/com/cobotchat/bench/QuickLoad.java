package com.cobotchat.bench;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Space;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick load run against one in-process node on a fresh database: N members in rooms of R
 * members, each sending at a fixed rate (below the per-member limit), clients in the same JVM on
 * their own Vert.x. Prints messages persisted per second and deliveries per second (from the
 * node's own counters) and the send→ack latency. Each client keeps at most {@value #WINDOW} sends unacknowledged.
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat cp.txt) com.cobotchat.bench.QuickLoad [members] [roomSize] [seconds] [ratePerMember]</pre>
 */
public final class QuickLoad {
  /** Sends a client may have waiting for their ack; a tick with a full window sends nothing. */
  private static final int WINDOW = 16;

  private QuickLoad() {
  }

  public static void main(String[] args) throws Exception {
    int members = arg(args, 0, 400);
    int roomSize = arg(args, 1, 20);
    int seconds = arg(args, 2, 15);
    double rate = args.length > 3 ? Double.parseDouble(args[3]) : 8.0;
    DatabaseUrl db = TestDatabases.fresh("quickload");
    Application app = Application.start(TestConfigs.config(db), l -> { });
    Vertx clients = Vertx.vertx();
    try {
      run(app, clients, members, roomSize, seconds, rate);
    } finally {
      clients.close().await();
      app.stop();
      TestDatabases.drop(db);
    }
    System.exit(0);
  }

  private static String issue(Application app, long memberId) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return app.services().tickets().issue(memberId, null).await();
      } catch (RuntimeException e) {
        if (attempt == 5) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static void subscribedAtLeast(CountDownLatch latch, long left, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (latch.getCount() > left && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }

  private static void run(Application app, Vertx clients, int members, int roomSize, int seconds, double rate) throws Exception {
    var pool = app.services().pool();
    Space space = new Fixtures(pool).space("quickload");
    List<Row> memberRows = new ArrayList<>();
    pool.preparedQuery("""
        INSERT INTO members (space_id, cobot_user_id, membership_id, name, status, plan_name)
        SELECT $1, 'u' || g, 'm' || g, 'Member ' || g, 'active', 'basic' FROM generate_series(1, $2) g RETURNING id""")
        .execute(Tuple.of(space.id(), members)).await().forEach(memberRows::add);
    long[] memberIds = memberRows.stream().mapToLong(r -> r.getLong(0)).toArray();
    int roomCount = (members + roomSize - 1) / roomSize;
    long[] roomIds = new long[roomCount];
    for (int r = 0; r < roomCount; r++) {
      roomIds[r] = pool.preparedQuery("INSERT INTO rooms (space_id, kind, name) VALUES ($1, 'channel', $2) RETURNING id")
          .execute(Tuple.of(space.id(), "room " + r)).await().iterator().next().getLong(0);
    }
    Long[] rm = new Long[members];
    Long[] mm = new Long[members];
    for (int i = 0; i < members; i++) {
      rm[i] = roomIds[i / roomSize];
      mm[i] = memberIds[i];
    }
    pool.preparedQuery("""
        INSERT INTO room_members (room_id, member_id, space_id, source)
        SELECT r, m, $3, 'manual' FROM unnest($1::bigint[], $2::bigint[]) AS v(r, m)""")
        .execute(Tuple.of(rm, mm, space.id())).await();
    ConcurrentHashMap<Integer, Long> closeCodes = new ConcurrentHashMap<>();
    List<WebSocketClient> keep = java.util.Collections.synchronizedList(new ArrayList<>());

    AtomicLong events = new AtomicLong();
    AtomicLong acks = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    ConcurrentHashMap<String, Long> errorCodes = new ConcurrentHashMap<>();
    ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
    long[] latencies = new long[2_000_000];
    AtomicLong latencyCount = new AtomicLong();
    CountDownLatch subscribed = new CountDownLatch(members);
    List<Runnable> stops = new ArrayList<>();
    int port = app.services().config().port();
    String origin = app.services().config().publicOrigin();
    long periodMs = Math.max(1, Math.round(1000 / rate));
    Random random = new Random(1);
    boolean[] sending = {false};

    long connectStart = System.nanoTime();
    for (int i = 0; i < members; i++) {
      if (i % 50 == 0 && i > 0) {
        subscribedAtLeast(subscribed, members - i + 50, 60);
      }
      int index = i;
      long room = rm[i];
      String ticket = issue(app, memberIds[i]);
      long offset = random.nextInt((int) periodMs);
      Context context = clients.getOrCreateContext();
      context.runOnContext(v -> {
        WebSocketClient client = clients.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20));
        keep.add(client);
        ClientWebSocket ws = client.webSocket();
        long[] counter = {0};
        int[] unacked = {0};
        ws.textMessageHandler(text -> {
          if (text.startsWith("{\"type\":\"event\"")) {
            events.incrementAndGet();
            return;
          }
          JsonObject f = new JsonObject(text);
          switch (f.getString("type")) {
            case "ready" -> ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("room", Long.toString(room)).encode());
            case "subscribed" -> {
              subscribed.countDown();
              long timer = clients.setPeriodic(offset + 1, periodMs, t -> {
                if (!sending[0] || unacked[0] >= WINDOW) {
                  return;
                }
                unacked[0]++;
                String cmid = index + "-" + (counter[0]++);
                sentAt.put(cmid, System.nanoTime());
                ws.writeTextMessage("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + cmid
                    + "\",\"text\":\"load test message number " + cmid + " with a little padding to look real\"}");
              });
              stops.add(() -> clients.cancelTimer(timer));
            }
            case "ack" -> {
              unacked[0]--;
              acks.incrementAndGet();
              Long start = sentAt.remove(f.getString("clientMsgId"));
              long n = latencyCount.getAndIncrement();
              if (start != null && n < latencies.length) {
                latencies[(int) n] = System.nanoTime() - start;
              }
            }
            case "error" -> {
              unacked[0]--;
              errors.incrementAndGet();
              errorCodes.merge(f.getString("message"), 1L, Long::sum);
            }
            default -> { }
          }
        });
        ws.closeHandler(c -> closeCodes.merge(ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode(), 1L, Long::sum));
        ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws?ticket=" + ticket)
            .addHeader("Origin", origin));
      });
    }
    if (!subscribed.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clients did not subscribe in time: " + subscribed.getCount() + " left, closed: "
          + closeCodes);
    }
    System.out.printf("connected and subscribed %d clients in %.1f s%n", members, (System.nanoTime() - connectStart) / 1e9);
    sending[0] = true;
    System.out.printf("%d members in %d rooms of %d, %.1f msgs/s each (offered %.0f msgs/s, %.0f deliveries/s)%n",
        members, roomCount, roomSize, rate, members * rate, members * rate * roomSize);
    TimeUnit.SECONDS.sleep(3);

    MeterRegistry registry = app.services().registry();
    double persisted0 = registry.counter("chat.messages.persisted").count();
    double deliveries0 = registry.counter("chat.deliveries").count();
    long events0 = events.get();
    long acks0 = acks.get();
    latencyCount.set(0);
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    double load0 = os.getSystemLoadAverage();
    long t0 = System.nanoTime();
    TimeUnit.SECONDS.sleep(seconds);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cores = (os.getProcessCpuTime() - cpu0) / 1e9 / elapsed;
    double persisted = (registry.counter("chat.messages.persisted").count() - persisted0) / elapsed;
    double deliveries = (registry.counter("chat.deliveries").count() - deliveries0) / elapsed;
    double received = (events.get() - events0) / elapsed;
    double acked = (acks.get() - acks0) / elapsed;
    int n = (int) Math.min(latencyCount.get(), latencies.length);
    long[] sample = Arrays.copyOf(latencies, n);
    Arrays.sort(sample);
    sending[0] = false;
    stops.forEach(Runnable::run);
    System.out.println("clients kept open: " + keep.size());

    var batches = registry.find("chat.batch.size").summary();
    System.out.printf("persisted %.0f msgs/s, acked %.0f/s, deliveries %.0f/s (clients received %.0f/s), errors %d%n",
        persisted, acked, deliveries, received, errors.get());
    if (n > 0) {
      System.out.printf("send->ack latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f (n=%d)%n",
          sample[n / 2] / 1e6, sample[(int) (n * 0.9)] / 1e6, sample[(int) (n * 0.99)] / 1e6, sample[n - 1] / 1e6, n);
    }
    var batchTime = registry.find("chat.batch.duration").timer();
    if (batches != null && batchTime != null) {
      System.out.printf("batches: %d, mean size %.1f, max %.0f; commit time mean %.1f ms, max %.1f ms%n", batches.count(),
          batches.mean(), batches.max(), batchTime.mean(TimeUnit.MILLISECONDS), batchTime.max(TimeUnit.MILLISECONDS));
    }
    System.out.printf("this JVM (node and clients) used %.2f cores of %d; machine load average %.1f -> %.1f%n",
        cores, Runtime.getRuntime().availableProcessors(), load0, os.getSystemLoadAverage());
    System.out.println("error frames by message: " + errorCodes + ", closed sockets by code: " + closeCodes);
  }
}
