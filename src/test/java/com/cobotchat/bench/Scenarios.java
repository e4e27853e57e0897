package com.cobotchat.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The five benchmark scenarios of issue 9. Each takes a started {@link Target} and returns its
 * numbers as JSON; {@code log} gets one line per step for the console.
 */
final class Scenarios {
  private static final int WAVE = 500;

  private final LoadTool tool;
  private final Consumer<String> log;

  Scenarios(LoadTool tool, Consumer<String> log) {
    this.tool = tool;
    this.log = log;
  }

  /** Chat connections for the members of the rooms {@code setup} answered: receivers then senders, with their rooms. */
  private record Members(List<LoadConn> receivers, List<LoadConn> senders, Map<LoadConn, Long> memberOf) {
  }

  private Members chatMembers(JsonObject setup, LoadStats stats) {
    List<LoadConn> receivers = new ArrayList<>();
    List<LoadConn> senders = new ArrayList<>();
    Map<LoadConn, Long> memberOf = new HashMap<>();
    int index = 0;
    for (Object o : setup.getJsonArray("rooms")) {
      JsonObject room = (JsonObject) o;
      String id = Long.toString(room.getLong("id"));
      for (Object m : room.getJsonArray("members")) {
        LoadConn c = tool.conns(LoadConn.Proto.OURS, index++, 1, stats).get(0);
        c.room = id;
        memberOf.put(c, ((Number) m).longValue());
        receivers.add(c);
      }
      for (Object m : room.getJsonArray("senders")) {
        LoadConn c = tool.conns(LoadConn.Proto.OURS, index++, 1, stats).get(0);
        c.room = id;
        memberOf.put(c, ((Number) m).longValue());
        senders.add(c);
      }
    }
    return new Members(receivers, senders, memberOf);
  }

  private void openOrFail(Target target, List<LoadConn> conns, java.util.function.Function<LoadConn, Long> memberOf, boolean subscriber) {
    LoadTool.Opened opened = tool.open(target, conns, memberOf, subscriber, WAVE);
    if (opened.failed() > 0) {
      throw new IllegalStateException(opened.failed() + " of " + conns.size() + " sockets did not open: " + opened.firstError());
    }
    if (opened.retried() > 0) {
      log.accept(String.format("  (opening %,d sockets took %.1f s; %,d refused opens were retried)", conns.size(), opened.seconds(),
          opened.retried()));
    }
  }

  /** "; stalls at 3.1 s (212 ms), …" when some 100-ms sending slots had acks slower than {@link LoadTool#STALL_MICROS}. */
  static String stallNote(JsonObject step) {
    JsonArray stalls = step.getJsonArray("stalls");
    if (stalls == null || stalls.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("; ").append(stalls.size()).append(" slow 100-ms slots:");
    for (int i = 0; i < Math.min(8, stalls.size()); i++) {
      JsonObject s = stalls.getJsonObject(i);
      out.append(String.format(" %.1fs(%.0fms)", s.getDouble("atSecond"), s.getDouble("worstAckMs")));
    }
    return out.toString();
  }

  private void subscribeOrFail(List<LoadConn> conns) {
    int failed = tool.subscribe(conns, c -> c.room, null, WAVE);
    if (failed > 0) {
      throw new IllegalStateException(failed + " subscriptions failed");
    }
  }

  /** Scenario 1: members in rooms of {@code roomSize}, everybody subscribed and sending; send → ack and send → delivered. */
  JsonObject endToEnd(Target target, int members, int roomSize, double[] rates, long millis, long drainMs) {
    LoadStats stats = new LoadStats();
    long t0 = System.nanoTime();
    JsonObject setup = target.setup(members / roomSize, roomSize, 0);
    double setupSeconds = (System.nanoTime() - t0) / 1e9;
    Members m = chatMembers(setup, stats);
    openOrFail(target, m.receivers(), m.memberOf()::get, true);
    subscribeOrFail(m.receivers());
    Target.sleep(1000);
    warmUp(target, stats, m.receivers(), rates[0], millis, roomSize - 1, drainMs);
    JsonArray steps = new JsonArray();
    for (double rate : rates) {
      JsonObject step = tool.step(target, stats, m.receivers(), rate, millis, roomSize - 1, drainMs);
      log.accept(String.format("  e2e %,d members, %.0f msg/s: send→delivered p50 %.2f p99 %.2f p99.9 %.2f ms; send→ack p99 %.2f ms; "
              + "%,.0f deliveries/s; missing %d, errors %d", members, rate, step.getJsonObject("latency").getDouble("p50"),
          step.getJsonObject("latency").getDouble("p99"), step.getJsonObject("latency").getDouble("p999"),
          step.getJsonObject("ack").getDouble("p99"), step.getDouble("deliveriesPerSecond"), step.getLong("missing"),
          step.getLong("errors")) + stallNote(step));
      steps.add(step);
    }
    Target.sleep(300);
    JsonObject db = target.dbStats();
    tool.closeAll(m.receivers());
    return new JsonObject()
        .put("members", members).put("roomSize", roomSize).put("rooms", members / roomSize)
        .put("setupSeconds", LoadTool.round(setupSeconds))
        .put("steps", steps)
        .put("acked", stats.acked.sum()).put("messagesInDatabase", db.getLong("messages"))
        .put("lost", stats.lost.sum()).put("duplicates", stats.duplicates.sum())
        .put("closedByServer", stats.closedByServer.sum())
        .put("database", db);
  }

  /** Scenario 2 for one server and one room size: rising rates until saturation (the first saturated step ends it). */
  JsonObject fanOut(Target target, int size, double[] rates, long millis, long drainMs) {
    LoadStats stats = new LoadStats();
    double maxRate = rates[rates.length - 1];
    int senderCount = (int) Math.max(1, Math.ceil(maxRate / 8));
    List<LoadConn> receivers;
    List<LoadConn> senders;
    if (target.isChat()) {
      Members m = chatMembers(target.setup(1, size, senderCount), stats);
      receivers = m.receivers();
      senders = m.senders();
      openOrFail(target, receivers, m.memberOf()::get, true);
      openOrFail(target, senders, m.memberOf()::get, false);
    } else {
      receivers = tool.conns(target.proto, 0, size, stats);
      senders = tool.conns(target.proto, size, senderCount, stats);
      String room = "room-" + size;
      receivers.forEach(c -> c.room = room);
      senders.forEach(c -> c.room = room);
      openOrFail(target, receivers, c -> 0L, true);
      openOrFail(target, senders, c -> 0L, false);
    }
    subscribeOrFail(receivers);
    Target.sleep(1000);
    warmUp(target, stats, senders, rates[0], millis, size, drainMs);
    JsonArray steps = new JsonArray();
    for (double rate : rates) {
      JsonObject step = tool.step(target, stats, senders, rate, millis, size, drainMs);
      boolean saturated = LoadTool.saturated(step);
      step.put("saturated", saturated);
      log.accept(String.format("  fan-out %s, room of %,d, %.0f msg/s: %,.0f deliveries/s (offered %,.0f), p50 %.2f p99 %.2f p99.9 %.2f ms, "
              + "server CPU %.0f%% (%.1f µs/delivery)%s", target.name, size, rate, step.getDouble("deliveriesPerSecond"),
          step.getDouble("offeredDeliveriesPerSecond"), step.getJsonObject("latency").getDouble("p50"),
          step.getJsonObject("latency").getDouble("p99"), step.getJsonObject("latency").getDouble("p999"),
          step.getDouble("serverCpuPercent"), step.getDouble("serverCpuMicrosPerDelivery") == null ? 0
              : step.getDouble("serverCpuMicrosPerDelivery"), saturated ? "  SATURATED" : "") + stallNote(step));
      steps.add(step);
      if (saturated) {
        break;
      }
    }
    tool.closeAll(receivers);
    tool.closeAll(senders);
    Target.sleep(500);
    return new JsonObject().put("server", target.name).put("roomSize", size).put("senders", senderCount).put("steps", steps)
        .put("closedByServer", stats.closedByServer.sum()).put("lost", stats.lost.sum());
  }

  /** Scenario 3: commits one at a time (next send after the ack), then open-loop at rising rates from many senders. */
  JsonObject persistence(Target target, int senders, int serialSenders, long serialMillis, double[] rates, long millis, long drainMs) {
    LoadStats stats = new LoadStats();
    Members m = chatMembers(target.setup(senders / 20, 20, 0), stats);
    List<LoadConn> conns = m.receivers();
    openOrFail(target, conns, m.memberOf()::get, false);
    Target.sleep(500);
    JsonObject db0 = target.dbStats();

    List<LoadConn> serial = conns.subList(0, Math.min(serialSenders, conns.size()));
    stats.ackLatency.getIntervalHistogram();
    long acked0 = stats.acked.sum();
    AtomicBoolean running = new AtomicBoolean(true);
    int[] next = {0};
    Runnable sendNext = new Runnable() {
      @Override
      public void run() {
        if (!running.get()) {
          return;
        }
        LoadConn c = serial.get(next[0]++ % serial.size());
        c.context.runOnContext(v -> c.send(c.room, LoadTool.PADDING));
      }
    };
    serial.forEach(c -> c.onAck = sendNext);
    long start = System.nanoTime();
    sendNext.run();
    Target.sleep(serialMillis);
    running.set(false);
    double seconds = (System.nanoTime() - start) / 1e9;
    Target.sleep(200);
    serial.forEach(c -> c.onAck = null);
    long serialAcked = stats.acked.sum() - acked0;
    JsonObject oneAtATime = new JsonObject().put("senders", serial.size()).put("seconds", LoadTool.round(seconds))
        .put("committed", serialAcked).put("committedPerSecond", LoadTool.round(serialAcked / seconds))
        .put("ack", LoadStats.percentiles(stats.ackLatency.getIntervalHistogram()));
    log.accept(String.format("  persistence one at a time: %,.0f commits/s, send→ack p50 %.2f p99 %.2f ms",
        oneAtATime.getDouble("committedPerSecond"), oneAtATime.getJsonObject("ack").getDouble("p50"),
        oneAtATime.getJsonObject("ack").getDouble("p99")));

    JsonArray steps = new JsonArray();
    for (double rate : rates) {
      JsonObject before = target.dbStats();
      JsonObject step = tool.step(target, stats, conns, rate, millis, 0, drainMs);
      JsonObject after = target.dbStats();
      step.put("rowsCommitted", after.getLong("messages") - before.getLong("messages"))
          .put("batches", after.getLong("batches") - before.getLong("batches"));
      long batches = step.getLong("batches");
      step.put("meanBatch", batches == 0 ? 0 : LoadTool.round((double) step.getLong("rowsCommitted") / batches));
      boolean saturated = step.getDouble("ackedPerSecond") < 0.9 * rate || step.getJsonObject("ack").getDouble("p99") > 1000
          || step.getLong("errors") > 0;
      step.put("saturated", saturated);
      log.accept(String.format("  persistence under load, %,.0f msg/s offered from %,d senders: %,.0f commits/s acked, "
              + "send→ack p50 %.2f p99 %.2f p99.9 %.2f ms, mean batch %.1f, errors %d%s", rate, conns.size(),
          step.getDouble("ackedPerSecond"), step.getJsonObject("ack").getDouble("p50"), step.getJsonObject("ack").getDouble("p99"),
          step.getJsonObject("ack").getDouble("p999"), step.getDouble("meanBatch"), step.getLong("errors"),
          saturated ? "  SATURATED" : ""));
      steps.add(step);
      if (saturated) {
        break;
      }
    }
    JsonObject db = target.dbStats();
    tool.closeAll(conns);
    return new JsonObject().put("oneAtATime", oneAtATime).put("underLoad", steps)
        .put("acked", stats.acked.sum()).put("messagesInDatabase", db.getLong("messages") - db0.getLong("messages"))
        .put("database", db);
  }

  /** Scenario 4: idle sockets (connected and subscribed to their room), memory per connection at each level. */
  JsonObject idle(Target target, int[] levels) {
    LoadStats stats = new LoadStats();
    int max = levels[levels.length - 1];
    long t0 = System.nanoTime();
    Members m = chatMembers(target.setup(max / 20, 20, 0), stats);
    double setupSeconds = (System.nanoTime() - t0) / 1e9;
    log.accept(String.format("  idle: %,d members created in %.1f s", max, setupSeconds));
    Target.sleep(1000);
    JsonObject base = target.memory();
    JsonArray points = new JsonArray();
    int connected = 0;
    String stoppedBy = null;
    for (int level : levels) {
      List<LoadConn> part = m.receivers().subList(connected, level);
      LoadTool.Opened opened = tool.open(target, part, m.memberOf()::get, true, 200, 2);
      int subFailed = tool.subscribe(part.stream().filter(c -> c.ready && !c.closed).toList(), c -> c.room, null, 1000);
      connected += opened.ok();
      Target.sleep(2000);
      JsonObject mem = target.memory();
      JsonObject db = target.dbStats();
      long open = db.getLong("connections");
      JsonObject point = new JsonObject().put("target", level).put("connections", open).put("openSeconds", opened.seconds())
          .put("openRetries", opened.retried())
          .put("heapUsed", mem.getLong("heapUsed")).put("rss", mem.getLong("rss"))
          .put("heapPerConnection", open == 0 ? 0 : (mem.getLong("heapUsed") - base.getLong("heapUsed")) / open)
          .put("rssPerConnection", open == 0 ? 0 : (mem.getLong("rss") - base.getLong("rss")) / open)
          .put("heapCommitted", mem.getLong("heapCommitted"))
          .put("subscribeFailures", subFailed).put("openFailures", opened.failed());
      points.add(point);
      log.accept(String.format("  idle %,d sockets (asked %,d, opened in %.1f s, %,d retries): heap %,d B/connection, RSS %,d B/connection%s", open,
          level, opened.seconds(), opened.retried(), point.getLong("heapPerConnection"), point.getLong("rssPerConnection"),
          opened.failed() > 0 ? "; stopped: " + opened.firstError() : ""));
      if (opened.failed() > 0) {
        stoppedBy = opened.firstError();
        break;
      }
    }
    tool.closeAll(m.receivers().subList(0, Math.min(connected + 1000, m.receivers().size())));
    return new JsonObject().put("base", base).put("points", points).put("stoppedBy", stoppedBy)
        .put("setupSeconds", LoadTool.round(setupSeconds));
  }

  /** Scenario 5: all receivers drop at once while messages keep coming, then reconnect at once with {@code after}. */
  JsonObject reconnectStorm(Target target, int clients, double rate, long beforeMs, long offlineMs, long afterMs, long timeoutMs) {
    LoadStats stats = new LoadStats();
    int rooms = clients / 20;
    Members m = chatMembers(target.setup(rooms, 20, 1), stats);
    openOrFail(target, m.receivers(), m.memberOf()::get, true);
    openOrFail(target, m.senders(), m.memberOf()::get, false);
    subscribeOrFail(m.receivers());
    LoadTool.Pacer pacer = tool.new Pacer(m.senders(), rate);
    Target.sleep(beforeMs);
    List<String> tickets = target.tickets(m.receivers().stream().map(m.memberOf()::get).toList());
    tool.closeAll(m.receivers());
    Target.sleep(offlineMs);

    long t1 = System.nanoTime();
    for (LoadConn c : m.receivers()) {
      c.target = stats.ackedSeq.getOrDefault(c.room, 0L);
      c.caughtUpAt = 0;
    }
    long caught0 = stats.caughtUp.sum();
    long deadline = t1 + timeoutMs * 1_000_000;
    List<LoadConn> todo = m.receivers();
    List<String> todoTickets = tickets;
    int retries = 0;
    int rounds = 0;
    while (!todo.isEmpty() && System.nanoTime() < deadline) {
      rounds++;
      List<Future<Void>> back = new ArrayList<>();
      for (int i = 0; i < todo.size(); i++) {
        LoadConn c = todo.get(i);
        Future<Void> open = c.ready && !c.closed ? Future.succeededFuture()
            : c.open(tool.client, target.port, todoTickets.get(i), target.origin, true);
        back.add(open.compose(v -> c.subscribe(c.room, c.lastSeq)));
      }
      List<LoadConn> failed = new ArrayList<>();
      for (int i = 0; i < back.size(); i++) {
        try {
          back.get(i).toCompletionStage().toCompletableFuture()
              .get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          failed.add(todo.get(i));
        }
      }
      todo = failed;
      if (!todo.isEmpty()) {
        retries += todo.size();
        Target.sleep(200 + (long) (Math.random() * 300));
        todoTickets = target.tickets(todo.stream().map(m.memberOf()::get).toList());
      }
    }
    int failedReconnects = todo.size();
    while (stats.caughtUp.sum() - caught0 < clients && System.nanoTime() < deadline) {
      Target.sleep(10);
    }
    double allCaughtUp = stats.caughtUp.sum() - caught0 < clients ? -1 : m.receivers().stream()
        .mapToLong(c -> c.caughtUpAt - t1).max().orElse(0) / 1e9;
    long[] times = m.receivers().stream().filter(c -> c.caughtUpAt > 0).mapToLong(c -> (c.caughtUpAt - t1) / 1000).sorted().toArray();
    Target.sleep(afterMs);
    pacer.stop();
    long drainStart = System.nanoTime();
    while (!allAtEnd(m.receivers(), stats) && (System.nanoTime() - drainStart) / 1_000_000 < 15_000) {
      Target.sleep(20);
    }
    long behind = 0;
    for (LoadConn c : m.receivers()) {
      behind += Math.max(0, stats.ackedSeq.getOrDefault(c.room, 0L) - c.lastSeq);
    }
    JsonObject out = new JsonObject().put("clients", clients).put("rooms", rooms).put("rate", rate)
        .put("offlineMs", offlineMs)
        .put("allCaughtUpSeconds", allCaughtUp < 0 ? null : LoadTool.round(allCaughtUp))
        .put("caughtUp", stats.caughtUp.sum() - caught0)
        .put("caughtUpP50Seconds", times.length == 0 ? null : times[times.length / 2] / 1e6)
        .put("caughtUpP99Seconds", times.length == 0 ? null : times[(int) Math.min(times.length - 1, times.length * 0.99)] / 1e6)
        .put("failedReconnects", failedReconnects).put("retries", retries).put("rounds", rounds)
        .put("lastError", stats.lastError.get())
        .put("eventsReplayed", stats.caughtUpEvents.sum())
        .put("lost", stats.lost.sum() + behind).put("gaps", stats.lost.sum()).put("behindAtEnd", behind)
        .put("duplicates", stats.duplicates.sum()).put("morePages", stats.morePages.sum())
        .put("errors", stats.errors.sum()).put("closedByServer", stats.closedByServer.sum())
        .put("allReconnected", failedReconnects == 0);
    log.accept(String.format("  storm: %,d clients reconnected with after; all caught up in %s s (p50 %s s, p99 %s s); lost %d, "
            + "duplicates %d, retried %d, failed reconnects %d", clients, out.getValue("allCaughtUpSeconds"), out.getValue("caughtUpP50Seconds"),
        out.getValue("caughtUpP99Seconds"), out.getLong("lost"), out.getLong("duplicates"), retries, failedReconnects));
    tool.closeAll(m.receivers());
    tool.closeAll(m.senders());
    return out;
  }

  /** A discarded step at the first rate, so the JIT has compiled the paths before anything is measured (skipped for short steps). */
  private void warmUp(Target target, LoadStats stats, List<LoadConn> senders, double rate, long millis, long receivers, long drainMs) {
    if (millis >= 5_000) {
      tool.step(target, stats, senders, rate, 5_000, receivers, drainMs);
    }
  }

  private static boolean allAtEnd(List<LoadConn> receivers, LoadStats stats) {
    for (LoadConn c : receivers) {
      if (c.lastSeq < stats.ackedSeq.getOrDefault(c.room, 0L)) {
        return false;
      }
    }
    return true;
  }
}
