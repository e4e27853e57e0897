package com.cobotchat.bench;

import com.cobotchat.app.DatabaseBootstrap;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.chat.ChatSignal;
import com.cobotchat.chat.PgChatBus;
import com.cobotchat.chat.RoomEvent;
import com.cobotchat.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how many room events per second the PostgreSQL channel carries from one node to another
 * on this machine (not a test; see {@code docs/multi-node.md}). Two nodes, each with its own Vert.x,
 * pool and listening connection, on a fresh database; node A sends, node B counts what arrives and
 * how late (both nodes share the JVM, so {@code System.nanoTime()} stamps compare).
 *
 * <p>Run: {@code bench/run.sh --channel} (with {@link CrossNodeLoad}); the argument is seconds per series.
 *
 * <p>Series: transactions that only carry events (the NOTIFY inside the transaction, as the chat's
 * writers do) with 1, 10 and 100 events of ~250 bytes each, by 8 writers at once; and the
 * out-of-transaction path ({@code publish}, used for typing, read markers, closes) with one signal each.
 */
public final class ChannelCeiling {
  private static final int WRITERS = 8;
  private static final String FILLER = "x".repeat(150);

  private final Vertx vertxA = Vertx.vertx();
  private final Vertx vertxB = Vertx.vertx();
  private final Pool poolA;
  private final PgChatBus busA;
  private final PgChatBus busB;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong seq = new AtomicLong();
  private volatile long[] latencies = new long[0];
  private final AtomicLong latencyCount = new AtomicLong();

  private ChannelCeiling(DatabaseUrl db) {
    poolA = PgBuilder.pool().with(new PoolOptions().setMaxSize(WRITERS)).connectingTo(db.connectOptions()).using(vertxA).build();
    Pool poolB = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(db.connectOptions()).using(vertxB).build();
    busA = new PgChatBus(vertxA, poolA, db.connectOptions(), "bench-a", Duration.ofSeconds(5), new SimpleMeterRegistry());
    busB = new PgChatBus(vertxB, poolB, db.connectOptions(), "bench-b", Duration.ofSeconds(5), new SimpleMeterRegistry());
    busA.start().await();
    busB.start().await();
    busB.register(this::onSignal).await();
  }

  public static void main(String[] args) {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    DatabaseUrl db = TestDatabases.fresh("bench");
    new DatabaseBootstrap(db, 5, l -> { }).prepare();
    ChannelCeiling bench = new ChannelCeiling(db);
    try {
      System.out.printf("machine: %d cores, %s, PostgreSQL on 127.0.0.1, load average %s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
          loadAverage());
      bench.warmUp();
      bench.reference(false, Duration.ofSeconds(seconds));
      bench.reference(true, Duration.ofSeconds(seconds));
      for (int perTx : new int[] {1, 10, 100}) {
        bench.transactions(perTx, Duration.ofSeconds(seconds));
      }
      bench.outOfTransaction(6, Duration.ofSeconds(seconds));
      bench.outOfTransaction(100, Duration.ofSeconds(seconds));
    } finally {
      bench.close();
      TestDatabases.drop(db);
    }
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ", 4)[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /** Reference: a one-row insert per transaction without any NOTIFY, or with one event notified. */
  private void reference(boolean notify, Duration length) {
    poolA.query("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, body text)").execute().await();
    Result r = run(length, () -> {
      long s = seq.incrementAndGet();
      ChatSignal signal = new ChatSignal.RoomEvents(1, s, s, List.of(new RoomEvent(s, RoomEvent.MESSAGE, 0, frame(1, s))));
      return poolA.withTransaction(conn -> conn.preparedQuery("INSERT INTO bench_rows (body) VALUES ($1)")
          .execute(io.vertx.sqlclient.Tuple.of(FILLER))
          .compose(x -> notify ? busA.publishOnCommit(conn, List.of(signal)) : Future.succeededFuture())).map(1);
    });
    System.out.printf(Locale.ROOT, "reference: one-row insert per tx, %s, %d writers: %,7.0f tx/s%s%n",
        notify ? "with one event notified" : "no NOTIFY             ", WRITERS, r.sentPerSecond(),
        notify ? String.format(Locale.ROOT, "  received at B %,7.0f ev/s  latency p50 %6.2f ms  p99 %7.2f ms",
            r.receivedPerSecond(), r.p50(), r.p99()) : "");
  }

  private void onSignal(ChatSignal signal) {
    long now = System.nanoTime();
    if (signal instanceof ChatSignal.RoomEvents events) {
      long n = events.toSeq() - events.fromSeq() + 1;
      received.addAndGet(n);
      if (events.events() != null) {
        for (RoomEvent e : events.events()) {
          record(now - stamp(e.frame()));
        }
      }
    } else if (signal instanceof ChatSignal.RoomFrame frame) {
      received.incrementAndGet();
      record(now - stamp(frame.frame()));
    }
  }

  private void record(long nanos) {
    long i = latencyCount.getAndIncrement();
    long[] l = latencies;
    if (i < l.length) {
      l[(int) i] = nanos;
    }
  }

  private static long stamp(String frame) {
    int at = frame.indexOf("\"t\":") + 4;
    return Long.parseLong(frame.substring(at, frame.indexOf(',', at)));
  }

  private static String frame(long roomId, long seq) {
    return "{\"type\":\"event\",\"t\":" + System.nanoTime() + ",\"room\":\"" + roomId + "\",\"seq\":" + seq
        + ",\"kind\":\"message\",\"at\":\"2026-11-25T10:00:00Z\",\"message\":{\"id\":\"" + seq
        + "\",\"author\":{\"id\":\"7\",\"name\":\"Ada Lovelace\",\"avatarUrl\":null},\"text\":\"" + FILLER + "\"}}";
  }

  private void warmUp() {
    transactionsQuietly(10, Duration.ofSeconds(3));
  }

  private void transactionsQuietly(int perTx, Duration length) {
    run(length, () -> transaction(perTx));
  }

  private void transactions(int perTx, Duration length) {
    Result r = run(length, () -> transaction(perTx));
    System.out.printf(Locale.ROOT, "in transaction, %3d events/tx, %d writers: sent %,9.0f ev/s  received at B %,9.0f ev/s"
            + "  (%,7.0f tx/s)  latency p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms%n",
        perTx, WRITERS, r.sentPerSecond(), r.receivedPerSecond(), r.sentPerSecond() / perTx, r.p50(), r.p99(), r.max());
  }

  private void outOfTransaction(int perTick, Duration length) {
    Result r = run(length, () -> publishBurst(perTick));
    System.out.printf(Locale.ROOT, "outside transactions (publish), offered %,7d sig/s: sent %,9.0f sig/s  received at B %,9.0f sig/s"
            + "  latency p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms%n",
        perTick * 100 * WRITERS, r.sentPerSecond(), r.receivedPerSecond(), r.p50(), r.p99(), r.max());
  }

  private record Result(double sentPerSecond, double receivedPerSecond, double p50, double p99, double max) {
  }

  /** One unit of load returns how many events it sent once they are handed over. */
  private interface Load {
    Future<Integer> next();
  }

  private Result run(Duration length, Load load) {
    latencies = new long[5_000_000];
    latencyCount.set(0);
    received.set(0);
    AtomicLong sent = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long started = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Promise<Void> done = Promise.promise();
      vertxA.runOnContext(v -> loop(load, sent, stop, done));
      loops.add(done.future());
    }
    sleep(length.toMillis());
    stop.set(true);
    Future.all(loops).await();
    long sentTotal = sent.get();
    long sendEnd = System.nanoTime();
    long seen = -1;
    long quietSince = System.nanoTime();
    while (received.get() < sentTotal && System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
      if (received.get() != seen) {
        seen = received.get();
        quietSince = System.nanoTime();
      }
      sleep(10);
    }
    double seconds = (sendEnd - started) / 1e9;
    double receivedSeconds = (System.nanoTime() - started) / 1e9;
    int n = (int) Math.min(latencyCount.get(), latencies.length);
    long[] l = Arrays.copyOf(latencies, n);
    Arrays.sort(l);
    return new Result(sentTotal / seconds, received.get() / receivedSeconds, pct(l, 0.50), pct(l, 0.99),
        n == 0 ? 0 : l[n - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * p))] / 1e6;
  }

  private void loop(Load load, AtomicLong sent, AtomicBoolean stop, Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    load.next().onComplete(ar -> {
      if (ar.succeeded()) {
        sent.addAndGet(ar.result());
      } else {
        System.err.println("send failed: " + ar.cause());
      }
      loop(load, sent, stop, done);
    });
  }

  private Future<Integer> transaction(int perTx) {
    long room = 1 + (seq.get() % 50);
    List<RoomEvent> events = new ArrayList<>(perTx);
    long first = seq.getAndAdd(perTx) + 1;
    for (int i = 0; i < perTx; i++) {
      events.add(new RoomEvent(first + i, RoomEvent.MESSAGE, 0, frame(room, first + i)));
    }
    ChatSignal signal = new ChatSignal.RoomEvents(room, first, first + perTx - 1, events);
    return poolA.withTransaction(conn -> busA.publishOnCommit(conn, List.of(signal))).map(perTx);
  }

  /** {@code n} out-of-transaction signals, then 10 ms (an open loop: the offered rate does not wait for the channel). */
  private Future<Integer> publishBurst(int n) {
    for (int i = 0; i < n; i++) {
      busA.publish(new ChatSignal.RoomFrame(1, 0, frame(1, seq.incrementAndGet())));
    }
    Promise<Integer> p = Promise.promise();
    vertxA.setTimer(10, t -> p.complete(n));
    return p.future();
  }

  private void close() {
    busA.close().await();
    busB.close().await();
    poolA.close().await();
    vertxA.close().await();
    vertxB.close().await();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
