package com.cobotchat.bench;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A whole chat node for benchmarks, on a fresh database, plus a bench-only control API on a second
 * port: fixtures (a space, rooms of members written with {@link Fixtures} and bulk SQL), tickets
 * issued directly with {@code services.tickets().issue(...)} (the fast sign-in: no OAuth round trip),
 * memory after GC, CPU time per thread, database counters and a JFR recording. Test scope only.
 */
public final class BenchNode implements AutoCloseable {
  private static final String ROOMS = """
      INSERT INTO rooms (space_id, kind, name) SELECT $1, 'private', n FROM unnest($2::text[]) AS n RETURNING id, name""";
  private static final String ROOM_MEMBERS = """
      INSERT INTO room_members (room_id, member_id, space_id, source)
      SELECT r, m, $1, 'manual' FROM unnest($2::bigint[], $3::bigint[]) AS v(r, m)""";

  private final DatabaseUrl db;
  private final Application app;
  private final Fixtures fixtures;
  private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "bench-control");
    t.setDaemon(true);
    return t;
  });
  private final HttpServer control;
  private Recording recording;

  private BenchNode(DatabaseUrl db, Application app, int controlPort) {
    this.db = db;
    this.app = app;
    this.fixtures = new Fixtures(app.services().pool());
    Router router = Router.router(app.services().vertx());
    router.route().handler(BodyHandler.create().setBodyLimit(16 << 20));
    router.post("/bench/setup").handler(ctx -> blocking(ctx, () -> setup(ctx.body().asJsonObject())));
    router.post("/bench/tickets").handler(ctx -> blocking(ctx, () -> tickets(ctx.body().asJsonObject().getJsonArray("members"))));
    router.get("/bench/memory").handler(ctx -> blocking(ctx, BenchNode::memory));
    router.get("/bench/cpu").handler(ctx -> blocking(ctx, BenchNode::cpu));
    router.get("/bench/stats").handler(ctx -> blocking(ctx, this::stats));
    router.post("/bench/jfr/start").handler(ctx -> blocking(ctx, this::jfrStart));
    router.post("/bench/jfr/stop").handler(ctx -> blocking(ctx, () -> jfrStop(ctx.body().asJsonObject().getString("file"))));
    control = app.services().vertx().createHttpServer().requestHandler(router).listen(controlPort, "127.0.0.1").await();
  }

  /** Starts a node on a fresh database at {@code port} (0 = any free port) with the control API at {@code controlPort}. */
  public static BenchNode start(int port, int controlPort) {
    DatabaseUrl db = TestDatabases.fresh("bench");
    Map<String, String> env = TestConfigs.env(db, port == 0 ? TestConfigs.freePort() : port);
    String bus = System.getenv("CHAT_BUS");
    if (bus != null) {
      env.put("CHAT_BUS", bus);
    }
    Application app = Application.start(com.cobotchat.app.AppConfig.fromEnv(env), l -> { });
    try {
      return new BenchNode(db, app, controlPort == 0 ? TestConfigs.freePort() : controlPort);
    } catch (RuntimeException e) {
      app.stop();
      TestDatabases.drop(db);
      throw e;
    }
  }

  public int port() {
    return app.services().config().port();
  }

  public int controlPort() {
    return control.actualPort();
  }

  public String origin() {
    return app.services().config().publicOrigin();
  }

  @Override
  public void close() {
    control.close().await();
    app.stop();
    workers.shutdownNow();
    TestDatabases.drop(db);
  }

  private void blocking(RoutingContext ctx, Supplier<JsonObject> work) {
    Context context = app.services().vertx().getOrCreateContext();
    Future.fromCompletionStage(CompletableFuture.supplyAsync(work, workers), context).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(ar.result().encode());
      } else {
        ctx.response().setStatusCode(500).end(String.valueOf(ar.cause()));
      }
    });
  }

  /**
   * {@code {"rooms":R,"roomSize":S,"senders":E}}: one space, R private rooms, each with S members and
   * E more members who belong to the room too (used as senders that do not subscribe).
   */
  private JsonObject setup(JsonObject spec) {
    int rooms = spec.getInteger("rooms");
    int size = spec.getInteger("roomSize");
    int senders = spec.getInteger("senders", 0);
    Space space = fixtures.space("bench-" + UUID.randomUUID().toString().substring(0, 8));
    int perRoom = size + senders;
    long[] ids = createMembers(space, rooms * perRoom);
    Pool pool = app.services().pool();
    String[] names = new String[rooms];
    for (int r = 0; r < rooms; r++) {
      names[r] = "bench room " + r;
    }
    List<Long> roomIds = new ArrayList<>();
    pool.preparedQuery(ROOMS).execute(Tuple.tuple().addValue(space.id()).addValue(names)).await().forEach(row -> roomIds.add(row.getLong("id")));
    roomIds.sort(null);
    Long[] roomCol = new Long[ids.length];
    Long[] memberCol = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      roomCol[i] = roomIds.get(i / perRoom);
      memberCol[i] = ids[i];
    }
    pool.preparedQuery(ROOM_MEMBERS).execute(Tuple.tuple().addValue(space.id()).addValue(roomCol).addValue(memberCol)).await();
    JsonArray out = new JsonArray();
    for (int r = 0; r < rooms; r++) {
      JsonArray members = new JsonArray();
      JsonArray sending = new JsonArray();
      for (int i = 0; i < perRoom; i++) {
        (i < size ? members : sending).add(ids[r * perRoom + i]);
      }
      out.add(new JsonObject().put("id", roomIds.get(r)).put("members", members).put("senders", sending));
    }
    return new JsonObject().put("space", space.id()).put("rooms", out);
  }

  private long[] createMembers(Space space, int n) {
    long[] ids = new long[n];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    int threads = 8;
    for (int t = 0; t < threads; t++) {
      int first = t;
      parts.add(CompletableFuture.runAsync(() -> {
        for (int i = first; i < n; i += threads) {
          Member m = fixtures.member(space, "Member " + i);
          ids[i] = m.id();
        }
      }, workers));
    }
    parts.forEach(CompletableFuture::join);
    return ids;
  }

  private JsonObject tickets(JsonArray members) {
    JsonArray out = new JsonArray();
    int chunk = 256;
    for (int from = 0; from < members.size(); from += chunk) {
      List<Future<String>> issued = new ArrayList<>();
      for (int i = from; i < Math.min(members.size(), from + chunk); i++) {
        issued.add(app.services().tickets().issue(members.getLong(i), null));
      }
      Future.all(issued).await();
      issued.forEach(f -> out.add(f.result()));
    }
    return new JsonObject().put("tickets", out);
  }

  static JsonObject memory() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return new JsonObject().put("heapUsed", heap.getUsed()).put("heapCommitted", heap.getCommitted())
        .put("rss", rssBytes()).put("nonHeapUsed", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed());
  }

  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return -1;
  }

  /** Process CPU time and CPU time per thread group (name without trailing digits), in microseconds. */
  static JsonObject cpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> byGroup = new TreeMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long t = threads.getThreadCpuTime(info.getThreadId());
      if (t > 0) {
        byGroup.merge(info.getThreadName().replaceAll("[-#]?\\d+$", ""), t / 1000, Long::sum);
      }
    }
    long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1000;
    JsonObject groups = new JsonObject();
    byGroup.forEach(groups::put);
    return new JsonObject().put("cpuMicros", process).put("threads", groups);
  }

  private JsonObject stats() {
    Pool pool = app.services().pool();
    Row counts = pool.query("SELECT (SELECT count(*) FROM messages) AS messages, current_setting('synchronous_commit') AS sc, "
        + "current_setting('fsync') AS fsync, version() AS version").execute().await().iterator().next();
    MeterRegistry registry = app.services().registry();
    Gauge connections = registry.find("chat.connections").gauge();
    Counter persisted = registry.find("chat.messages.persisted").counter();
    Counter deliveries = registry.find("chat.deliveries").counter();
    Counter slow = registry.find("chat.slow.consumer.disconnects").counter();
    Counter errors = registry.find("chat.error.frames").counter();
    DistributionSummary batch = registry.find("chat.batch.size").summary();
    return new JsonObject()
        .put("messages", counts.getLong("messages"))
        .put("synchronousCommit", counts.getString("sc"))
        .put("fsync", counts.getString("fsync"))
        .put("postgres", counts.getString("version"))
        .put("connections", connections == null ? -1 : (long) connections.value())
        .put("persisted", persisted == null ? -1 : (long) persisted.count())
        .put("deliveries", deliveries == null ? -1 : (long) deliveries.count())
        .put("slowConsumers", slow == null ? -1 : (long) slow.count())
        .put("errorFrames", errors == null ? -1 : (long) errors.count())
        .put("batches", batch == null ? -1 : batch.count())
        .put("batchMean", batch == null ? -1 : batch.mean())
        .put("batchMax", batch == null ? -1 : batch.max());
  }

  private synchronized JsonObject jfrStart() {
    try {
      if (recording != null) {
        recording.close();
      }
      recording = new Recording(Configuration.getConfiguration("profile"));
      recording.start();
      return new JsonObject().put("started", true);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized JsonObject jfrStop(String file) {
    try {
      if (recording == null) {
        return new JsonObject().put("stopped", false);
      }
      recording.stop();
      recording.dump(Path.of(file));
      recording.close();
      recording = null;
      return new JsonObject().put("stopped", true).put("file", file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
