package com.cobotchat.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The load generator: a Vert.x instance with a few event loops, WebSocket clients spread over them,
 * an open-loop pacer (messages are sent on schedule whether or not earlier ones were answered, so
 * a slow server shows as latency, not as a lower offered rate), and timed steps. Loopback only.
 */
final class LoadTool implements AutoCloseable {
  static final String PADDING = "x".repeat(100);

  final Vertx vertx;
  final Context[] contexts;
  final WebSocketClient client;

  LoadTool(int eventLoops) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setBlockedThreadCheckInterval(10_000));
    contexts = new Context[eventLoops];
    for (int i = 0; i < eventLoops; i++) {
      contexts[i] = vertx.getOrCreateContext();
    }
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(1_000_000)
        .setMaxFrameSize(1 << 20)
        .setMaxMessageSize(64 << 20)
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false)
        .setConnectTimeout(120_000));
  }

  /** New connections (not yet open) numbered from {@code firstIndex}, spread round-robin over the event loops. */
  List<LoadConn> conns(LoadConn.Proto proto, int firstIndex, int n, LoadStats stats) {
    List<LoadConn> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = firstIndex + i;
      out.add(new LoadConn(proto, index, contexts[index % contexts.length], stats));
    }
    return out;
  }

  /** Result of opening many sockets: how many opened, and the first failure if any. */
  record Opened(int ok, int failed, int retried, String firstError, double seconds) {
  }

  /** An ack slower than this marks its 100-ms sending slot as a stall in a step's report. */
  static final long STALL_MICROS = 50_000;

  /** Attempts per socket: a refused open (for example 1013 when the server's database pool is exhausted) is retried with a new ticket. */
  static final int MAX_ATTEMPTS = 5;

  /**
   * Opens the connections, {@code wave} at a time (all at once when {@code wave} ≥ n). For the chat,
   * tickets are issued for each chunk right before it connects (they live 30 s). Refused sockets are
   * retried after 300–700 ms, up to {@value #MAX_ATTEMPTS} attempts, as the UI would; then opening stops. Members are given
   * per connection ({@code memberOf}); ignored by the reference servers.
   */
  Opened open(Target target, List<LoadConn> conns, Function<LoadConn, Long> memberOf, boolean subscriber, int wave) {
    return open(target, conns, memberOf, subscriber, wave, MAX_ATTEMPTS);
  }

  Opened open(Target target, List<LoadConn> conns, Function<LoadConn, Long> memberOf, boolean subscriber, int wave, int attempts) {
    long start = System.nanoTime();
    int ok = 0;
    int failed = 0;
    int retried = 0;
    String firstError = null;
    int chunk = Math.max(wave, 1);
    for (int from = 0; from < conns.size() && failed == 0; from += chunk) {
      List<LoadConn> todo = conns.subList(from, Math.min(conns.size(), from + chunk));
      for (int attempt = 1; !todo.isEmpty(); attempt++) {
        List<String> tickets = target.isChat() ? target.tickets(todo.stream().map(memberOf).toList()) : null;
        List<Future<Void>> opening = new ArrayList<>(todo.size());
        for (int i = 0; i < todo.size(); i++) {
          opening.add(todo.get(i).open(client, target.port, tickets == null ? null : tickets.get(i), target.origin, subscriber));
        }
        List<LoadConn> again = new ArrayList<>();
        for (int i = 0; i < opening.size(); i++) {
          try {
            opening.get(i).toCompletionStage().toCompletableFuture().get(LoadConn.OPEN_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
            ok++;
          } catch (Exception e) {
            again.add(todo.get(i));
            if (attempt == attempts && firstError == null) {
              firstError = String.valueOf(e.getCause() == null ? e : e.getCause());
            }
          }
        }
        if (again.isEmpty()) {
          break;
        }
        if (attempt == attempts) {
          failed += again.size();
          break;
        }
        retried += again.size();
        Target.sleep(300 + (long) (Math.random() * 400));
        todo = again;
      }
    }
    return new Opened(ok, failed, retried, firstError, (System.nanoTime() - start) / 1e9);
  }

  /** Subscribes each connection to its room ({@code after} when given), {@code wave} at a time; returns failures. */
  int subscribe(List<LoadConn> conns, Function<LoadConn, String> roomOf, Function<LoadConn, Long> after, int wave) {
    int failed = 0;
    for (int from = 0; from < conns.size(); from += wave) {
      List<Future<Void>> subs = new ArrayList<>();
      for (LoadConn c : conns.subList(from, Math.min(conns.size(), from + wave))) {
        subs.add(c.subscribe(roomOf.apply(c), after == null ? null : after.apply(c)));
      }
      for (Future<Void> f : subs) {
        try {
          f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
          failed++;
        }
      }
    }
    return failed;
  }

  void closeAll(List<LoadConn> conns) {
    List<Future<Void>> closing = new ArrayList<>();
    conns.forEach(c -> closing.add(c.close()));
    for (Future<Void> f : closing) {
      try {
        f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  /** Open-loop sending: {@code rate} messages/s in total, spread round-robin over the senders of each event loop. */
  final class Pacer {
    private final List<Long> timers = new ArrayList<>();

    Pacer(List<LoadConn> senders, double rate) {
      for (Context ctx : contexts) {
        List<LoadConn> mine = senders.stream().filter(s -> s.context == ctx).toList();
        if (mine.isEmpty()) {
          continue;
        }
        double share = rate * mine.size() / senders.size();
        long[] state = new long[2];
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Long> id = new java.util.concurrent.CompletableFuture<>();
        ctx.runOnContext(v -> id.complete(vertx.setPeriodic(1, t -> {
          long due = (long) ((System.nanoTime() - start) * share / 1e9) - state[0];
          for (long i = 0; i < due; i++) {
            LoadConn c = mine.get((int) (state[1]++ % mine.size()));
            c.send(c.room, PADDING);
          }
          state[0] += Math.max(0, due);
        })));
        timers.add(id.join());
      }
    }

    void stop() {
      timers.forEach(vertx::cancelTimer);
    }
  }

  /**
   * One timed step at a steady rate. {@code receivers} is how many deliveries one message should
   * make (sender's own copy excluded). Waits up to {@code drainMs} after sending stops for the rest.
   */
  JsonObject step(Target target, LoadStats stats, List<LoadConn> senders, double rate, long millis, long receivers, long drainMs) {
    stats.deliveryLatency.getIntervalHistogram();
    stats.ackLatency.getIntervalHistogram();
    long sent0 = stats.sent.sum();
    long delivered0 = stats.delivered.sum();
    long acked0 = stats.acked.sum();
    long errors0 = stats.errors.sum();
    long closed0 = stats.closedByServer.sum();
    long cpu0 = target.cpuMicros();
    long ownCpu0 = ownCpuMicros();
    long start = System.nanoTime();
    Pacer pacer = new Pacer(senders, rate);
    Target.sleep(millis);
    pacer.stop();
    double seconds = (System.nanoTime() - start) / 1e9;
    long sent = stats.sent.sum() - sent0;
    long deliveredInWindow = stats.delivered.sum() - delivered0;
    long ackedInWindow = stats.acked.sum() - acked0;
    long cpu = target.cpuMicros() - cpu0;
    long ownCpu = ownCpuMicros() - ownCpu0;
    long expected = sent * receivers;
    long drainStart = System.nanoTime();
    while ((stats.delivered.sum() - delivered0 < expected || (target.isChat() && stats.acked.sum() - acked0 < sent))
        && (System.nanoTime() - drainStart) / 1_000_000 < drainMs) {
      Target.sleep(5);
    }
    double drain = (System.nanoTime() - drainStart) / 1e9;
    long delivered = stats.delivered.sum() - delivered0;
    Histogram latency = stats.deliveryLatency.getIntervalHistogram();
    Histogram acks = stats.ackLatency.getIntervalHistogram();
    JsonObject out = new JsonObject()
        .put("rate", rate)
        .put("seconds", round(seconds))
        .put("sent", sent)
        .put("sentPerSecond", round(sent / seconds))
        .put("receiversPerMessage", receivers)
        .put("offeredDeliveriesPerSecond", round(rate * receivers))
        .put("deliveriesPerSecond", round(deliveredInWindow / seconds))
        .put("delivered", delivered)
        .put("expected", expected)
        .put("missing", Math.max(0, expected - delivered))
        .put("drainSeconds", round(drain))
        .put("latency", LoadStats.percentiles(latency))
        .put("errors", stats.errors.sum() - errors0)
        .put("closedByServer", stats.closedByServer.sum() - closed0)
        .put("serverCpuPercent", round(cpu / 10_000.0 / seconds))
        .put("loadToolCpuPercent", round(ownCpu / 10_000.0 / seconds))
        .put("serverCpuMicrosPerDelivery", deliveredInWindow == 0 ? null : round((double) cpu / deliveredInWindow));
    if (target.isChat()) {
      out.put("ackedPerSecond", round(ackedInWindow / seconds))
          .put("acked", stats.acked.sum() - acked0)
          .put("ack", LoadStats.percentiles(acks))
          .put("stalls", stats.stalls(start, start + (long) (seconds * 1e9), STALL_MICROS));
    }
    if (stats.lastError.get() != null) {
      out.put("lastError", stats.lastError.getAndSet(null));
    }
    return out;
  }

  /**
   * Saturated when the server was still delivering the step's messages more than a second after sending stopped (it
   * fell behind), or p99 passed one second, or frames were lost. (A share of the offered rate would misjudge slow
   * steps: at 1 msg/s the last message of a ten-second window lands after it closes.) Deliveries per second count
   * only what arrived inside the window: what a backlog delivers while the step drains is not throughput.
   */
  static boolean saturated(JsonObject step) {
    return step.getDouble("drainSeconds") > 1.0
        || step.getJsonObject("latency").getDouble("p99") > 1000
        || step.getLong("missing") > 0
        || step.getLong("errors") > 0;
  }

  static long ownCpuMicros() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1000;
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  @Override
  public void close() {
    client.close().await();
    vertx.close().await();
  }
}
