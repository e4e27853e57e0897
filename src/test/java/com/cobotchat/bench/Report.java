package com.cobotchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a run's results into {@code docs/benchmarks.md}, the latency chart (SVG) and the console summary. */
final class Report {
  private static final String[] SERVERS = {"cobot-chat", "node-ws", "socket.io"};
  private static final String[] COLORS = {"#c0392b", "#2471a3", "#229954"};

  private final JsonObject r;

  Report(JsonObject results) {
    this.r = results;
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String num(double v) {
    return f("%,.0f", v);
  }

  // ---- targets ----

  private record Check(String scenario, String target, String measured, Boolean met, String gap) {
  }

  private List<Check> checks() {
    List<Check> out = new ArrayList<>();
    JsonObject e2e = r.getJsonObject("endToEnd");
    if (e2e != null && e2e.getJsonArray("steps") != null) {
      JsonObject step = stepAt(e2e.getJsonArray("steps"), 1_000);
      if (step != null) {
        double p99 = step.getJsonObject("latency").getDouble("p99");
        out.add(new Check("1", "p99 send→delivered ≤ 10 ms at 1,000 msg/s, durable commits", f("%.2f ms", p99), p99 <= 10,
            p99 <= 10 ? "" : f("%.1f× over (+%.1f ms)", p99 / 10, p99 - 10)));
      }
    }
    JsonObject fan = r.getJsonObject("fanOut");
    if (fan != null && fan.getJsonArray("runs") != null) {
      double best = 0;
      for (int size : sizes()) {
        best = Math.max(best, sustained(run("cobot-chat", size)));
      }
      out.add(new Check("2", "≥ 100,000 deliveries/s sustained", num(best) + "/s", best >= 100_000,
          best >= 100_000 ? "" : f("%.0f%% short", 100 - best / 1000)));
      JsonObject room1000 = run("cobot-chat", 1_000);
      JsonObject at20 = room1000 == null ? null : stepAt(room1000.getJsonArray("steps"), 20);
      if (at20 != null) {
        double p99 = at20.getJsonObject("latency").getDouble("p99");
        out.add(new Check("2", "p99 ≤ 25 ms, room of 1,000 at 20 msg/s", f("%.2f ms", p99), p99 <= 25,
            p99 <= 25 ? "" : f("%.1f× over (+%.1f ms)", p99 / 25, p99 - 25)));
      }
      for (String ref : new String[] {"node-ws", "socket.io"}) {
        double need = ref.equals("node-ws") ? 1.0 : 2.0;
        double ours = 0;
        double theirs = 0;
        for (int size : sizes()) {
          ours = Math.max(ours, peak(run("cobot-chat", size)));
          theirs = Math.max(theirs, peak(run(ref, size)));
        }
        if (theirs > 0) {
          double ratio = ours / theirs;
          out.add(new Check("2", f("peak throughput ≥ %.1f× %s", need, ref), f("%.2f×", ratio), ratio >= need,
              ratio >= need ? "" : f("%.0f%% short of %.1f×", (1 - ratio / need) * 100, need)));
        }
      }
    }
    JsonObject p = r.getJsonObject("persistence");
    if (p != null && p.getJsonArray("underLoad") != null) {
      double best = bestCommits(p);
      out.add(new Check("3", "≥ 20,000 messages/s committed under load", num(best) + "/s", best >= 20_000,
          best >= 20_000 ? "" : f("%.0f%% short", 100 - best / 200)));
    }
    JsonObject idle = r.getJsonObject("idle");
    if (idle != null && idle.getJsonArray("points") != null && !idle.getJsonArray("points").isEmpty()) {
      for (Object o : idle.getJsonArray("points")) {
        JsonObject pt = (JsonObject) o;
        double heap = pt.getLong("heapPerConnection") / 1024.0;
        double outside = pt.getLong("rssPerConnection") / 1024.0;
        double total = perConnectionKb(pt);
        out.add(new Check("4", f("≤ 20 KB per idle connection (%,d sockets)", pt.getLong("connections")),
            f("%.1f KB (heap %.1f + outside %.1f)", total, heap, outside), total <= 20,
            total <= 20 ? "" : f("%.1f KB over", total - 20)));
      }
    }
    JsonObject storm = r.getJsonObject("storm");
    if (storm != null && storm.containsKey("clients")) {
      Double t = storm.getDouble("allCaughtUpSeconds");
      boolean met = t != null && t <= 10 && storm.getLong("lost") == 0;
      out.add(new Check("5", f("%,d clients caught up within 10 s, 0 lost", storm.getInteger("clients")),
          f("%s s, %d lost", t == null ? "not all" : f("%.2f", t), storm.getLong("lost")), met,
          met ? "" : t == null ? "did not finish" : t > 10 ? f("+%.1f s", t - 10) : "messages lost"));
    }
    return out;
  }

  private int[] sizes() {
    return r.getBoolean("quick", false) ? new int[] {100} : new int[] {100, 1_000, 5_000};
  }

  private JsonObject run(String server, int size) {
    JsonObject fan = r.getJsonObject("fanOut");
    if (fan == null || fan.getJsonArray("runs") == null) {
      return null;
    }
    for (Object o : fan.getJsonArray("runs")) {
      JsonObject run = (JsonObject) o;
      if (server.equals(run.getString("server")) && run.getInteger("roomSize") == size) {
        return run;
      }
    }
    return null;
  }

  /** What one idle connection costs: heap used plus RSS growth (the heap is pre-touched, so that growth is off-heap). */
  private static double perConnectionKb(JsonObject point) {
    return (point.getLong("heapPerConnection") + Math.max(0, point.getLong("rssPerConnection"))) / 1024.0;
  }

  /** The highest deliveries/s of any step, overloaded or not: what the server can push at most. */
  private static double peak(JsonObject run) {
    double any = 0;
    if (run != null && run.getJsonArray("steps") != null) {
      for (Object o : run.getJsonArray("steps")) {
        any = Math.max(any, ((JsonObject) o).getDouble("deliveriesPerSecond"));
      }
    }
    return any;
  }

  /** The highest deliveries/s of a step that kept up (or the highest measured, when none did). */
  private static double sustained(JsonObject run) {
    if (run == null || run.getJsonArray("steps") == null) {
      return 0;
    }
    double ok = 0;
    double any = 0;
    for (Object o : run.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      any = Math.max(any, s.getDouble("deliveriesPerSecond"));
      if (!s.getBoolean("saturated", false)) {
        ok = Math.max(ok, s.getDouble("deliveriesPerSecond"));
      }
    }
    return ok > 0 ? ok : any;
  }

  private static double bestCommits(JsonObject p) {
    double best = 0;
    for (Object o : p.getJsonArray("underLoad")) {
      JsonObject s = (JsonObject) o;
      if (!s.getBoolean("saturated", false)) {
        best = Math.max(best, s.getDouble("ackedPerSecond"));
      }
    }
    if (best == 0) {
      for (Object o : p.getJsonArray("underLoad")) {
        best = Math.max(best, ((JsonObject) o).getDouble("ackedPerSecond"));
      }
    }
    return best;
  }

  private static JsonObject stepAt(JsonArray steps, double rate) {
    for (Object o : steps) {
      JsonObject s = (JsonObject) o;
      if (s.getDouble("rate") == rate) {
        return s;
      }
    }
    return null;
  }

  // ---- console ----

  String summaryTable() {
    StringBuilder out = new StringBuilder("Targets (issue 9):\n");
    for (Check c : checks()) {
      out.append(f("  [%s] %-4s %-58s measured %-24s %s%n", c.met() ? "met " : "MISS", c.scenario(), c.target(), c.measured(),
          c.gap()));
    }
    return out.toString();
  }

  // ---- markdown ----

  String markdown() {
    StringBuilder md = new StringBuilder();
    JsonObject m = r.getJsonObject("machine");
    md.append("# Benchmarks\n\n");
    md.append("Generated by `").append(r.getString("command")).append("` on ").append(r.getString("date"))
        .append(r.getBoolean("quick") ? " (**quick smoke run: sizes and durations are tiny, the numbers mean nothing**)" : "")
        .append(". Raw numbers: `bench/results/<run>/results.json` (not committed). Re-run with `bench/run.sh`; ")
        .append("`bench/run.sh --quick` is a smoke run of about a minute.")
        .append(r.containsKey("mergedFrom") ? " Scenarios taken from the runs `" + String.join("`, `",
            r.getJsonArray("mergedFrom").stream().map(String::valueOf).toList()) + "` (later ones replace earlier ones' scenarios)." : "")
        .append("\n\nWhich targets are missed, by how much and why, with profiles and repeated runs: `docs/performance.md`.\n\n");
    md.append("## Machine and method\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| CPU | ").append(m.getString("cpu")).append(", ").append(m.getInteger("cores")).append(" cores |\n");
    md.append("| Memory | ").append(m.getString("memory")).append(" |\n");
    md.append("| Kernel | ").append(m.getString("kernel")).append(" |\n");
    md.append("| Java | ").append(m.getString("java")).append(" (server JVM: `")
        .append(r.getString("serverJvm", "-Xmx4g -XX:+UseG1GC")).append("`, NIO transport, `CHAT_BUS=")
        .append(r.getString("chatBus", "postgres")).append("`) |\n");
    md.append("| Node.js | ").append(m.getString("node")).append(" (ws 8.18.3, socket.io 4.8.1) |\n");
    md.append("| PostgreSQL | ").append(m.getString("postgres")).append(", default settings");
    JsonObject db = dbSettings();
    if (db != null) {
      md.append(": `synchronous_commit = ").append(db.getString("synchronousCommit")).append("`, `fsync = ")
          .append(db.getString("fsync")).append("`");
    }
    md.append(" |\n");
    md.append("| Open files | ").append(m.getString("openFiles")).append(" (soft hard) |\n");
    md.append("| Load average at start (1/5/15 min) | ").append(m.getString("loadAverage")).append(" |\n\n");
    md.append("- Everything runs on this one machine over loopback (127.0.0.1): the server, PostgreSQL and the load tool share ")
        .append("the two cores, so every number here is pessimistic for the server and best read relative to the ")
        .append("reference servers measured in the same run.\n");
    md.append("- Each server runs in its own process: our node as a `BenchServer` JVM on a fresh database, the references ")
        .append("as `node bench/ws-server.js` and `node bench/socketio-server.js`. The load tool is one JVM with two event ")
        .append("loops (`src/test/java/com/cobotchat/bench/`), HdrHistogram latencies from a `System.nanoTime()` stamp in ")
        .append("each message's text (sender and receivers are in the same JVM).\n");
    md.append("- Sign-in: ").append(r.getString("signIn")).append(".\n");
    md.append("- Sending is open-loop: messages leave on schedule whether or not earlier ones were answered, so an ")
        .append("overloaded server shows as latency and a lower delivered rate, not as a politely lower offered rate.\n");
    md.append("- Our node commits every message before anyone sees it (durable commit, ack after commit). ")
        .append("**The two reference servers persist nothing**: they only relay frames. Ratios to them compare a ")
        .append("durable chat with a bare relay.\n");
    md.append("- Load average is recorded next to each scenario: the machine was shared with other work while measuring ")
        .append("when it is above ~1.5.\n\n");

    md.append("## Targets\n\n| Scenario | Target | Measured | Met | Gap |\n|---|---|---|---|---|\n");
    for (Check c : checks()) {
      md.append(f("| %s | %s | %s | %s | %s |%n", c.scenario(), c.target(), c.measured(), c.met() ? "yes" : "**no**",
          c.gap()));
    }
    md.append('\n');
    endToEnd(md);
    fanOut(md);
    persistence(md);
    idle(md);
    storm(md);
    profiles(md);
    Path notes = Path.of("bench", "analysis.md");
    if (Files.exists(notes)) {
      try {
        md.append(Files.readString(notes));
      } catch (Exception ignored) {
        // optional
      }
    }
    return md.toString();
  }

  private JsonObject dbSettings() {
    for (String key : new String[] {"endToEnd", "persistence"}) {
      JsonObject s = r.getJsonObject(key);
      if (s != null && s.getJsonObject("database") != null) {
        return s.getJsonObject("database");
      }
    }
    return null;
  }

  private static String load(JsonObject scenario) {
    return "load average before " + scenario.getString("loadAverageBefore") + ", after " + scenario.getString("loadAverageAfter")
        + "; " + f("%.0f", scenario.getDouble("wallSeconds", 0.0)) + " s";
  }

  private static String lat(JsonObject l) {
    return f("%.2f | %.2f | %.2f", l.getDouble("p50"), l.getDouble("p99"), l.getDouble("p999"));
  }

  private void failed(StringBuilder md, JsonObject s) {
    md.append("Failed: `").append(s.getString("failed")).append("`\n\n");
  }

  private void endToEnd(StringBuilder md) {
    JsonObject s = r.getJsonObject("endToEnd");
    if (s == null) {
      return;
    }
    md.append("## 1. End to end\n\n(").append(load(s)).append(")\n\n");
    if (s.containsKey("failed")) {
      failed(md, s);
      return;
    }
    md.append(f("%,d members in %,d rooms of %d, all connected and subscribed; each member sends at the same steady rate. "
            + "send → ack is the sender's wait for the commit; send → delivered is measured at the 19 other members of the room.%n%n",
        s.getInteger("members"), s.getInteger("rooms"), s.getInteger("roomSize")));
    md.append("| msg/s offered | msg/s sent | deliveries/s | send→ack p50 / p99 / p99.9 ms | send→delivered p50 / p99 / p99.9 ms "
        + "| server CPU | µs CPU per delivery | missing | errors |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Object o : s.getJsonArray("steps")) {
      JsonObject st = (JsonObject) o;
      md.append(f("| %s | %s | %s | %s | %s | %.0f%% | %s | %d | %d |%n", num(st.getDouble("rate")), num(st.getDouble("sentPerSecond")),
          num(st.getDouble("deliveriesPerSecond")), lat(st.getJsonObject("ack")).replace(" | ", " / "),
          lat(st.getJsonObject("latency")).replace(" | ", " / "), st.getDouble("serverCpuPercent"),
          st.getValue("serverCpuMicrosPerDelivery"), st.getLong("missing"), st.getLong("errors")));
    }
    md.append(f("%nAcked %,d messages; %,d rows in `messages` afterwards; lost %d, duplicates %d.%n%n", s.getLong("acked"),
        s.getLong("messagesInDatabase"), s.getLong("lost"), s.getLong("duplicates")));
  }

  private void fanOut(StringBuilder md) {
    JsonObject s = r.getJsonObject("fanOut");
    if (s == null) {
      return;
    }
    md.append("## 2. Fan-out, against the reference servers\n\n(").append(load(s)).append(")\n\n");
    if (s.containsKey("failed")) {
      failed(md, s);
      return;
    }
    md.append("One room of N receivers; separate sender connections (members of the room that do not subscribe) send at a ")
        .append("rising rate until the server saturates (still delivering more than a second after sending stopped, p99 over ")
        .append("1 s, or frames missing). Deliveries/s count what arrived inside the ten-second window. Same load tool, same message size class (~100-character text), for all three servers. ")
        .append("**node-ws and socket.io persist nothing; cobot-chat commits every message to PostgreSQL before fan-out.**\n\n")
        .append("![latency against load](benchmarks-latency.svg)\n\n");
    md.append("| server | room | msg/s | deliveries/s offered | deliveries/s | p50 / p99 / p99.9 ms | server CPU | µs CPU per delivery | saturated |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (int size : sizes()) {
      for (String server : SERVERS) {
        JsonObject run = run(server, size);
        if (run == null) {
          continue;
        }
        for (Object o : run.getJsonArray("steps")) {
          JsonObject st = (JsonObject) o;
          md.append(f("| %s | %,d | %s | %s | %s | %s | %.0f%% | %s | %s |%n", server, size, num(st.getDouble("rate")),
              num(st.getDouble("offeredDeliveriesPerSecond")), num(st.getDouble("deliveriesPerSecond")),
              lat(st.getJsonObject("latency")).replace(" | ", " / "), st.getDouble("serverCpuPercent"),
              st.getValue("serverCpuMicrosPerDelivery"), st.getBoolean("saturated") ? "**yes**" : "no"));
        }
      }
    }
    md.append("\n### Ratios (cobot-chat ÷ reference)\n\n")
        .append("Sustained: the highest deliveries/s of a step that kept up (no backlog a second after the window, p99 under one second, nothing lost); it is bounded ")
        .append("by the rate ladder, so two servers that both kept up at the same step tie. Peak: the highest deliveries/s of any ")
        .append("step, overloaded included: what the server pushes at most; the throughput ratios use it. p99: at the highest ")
        .append("rate that all three sustained (a ratio above 1 means we are slower).\n\n")
        .append("| room | sustained: cobot-chat / node-ws / socket.io | peak: cobot-chat / node-ws / socket.io "
            + "| peak ÷ node-ws | peak ÷ socket.io | p99 at (msg/s) | p99 ÷ node-ws | p99 ÷ socket.io |\n|---|---|---|---|---|---|---|---|\n");
    for (int size : sizes()) {
      JsonObject ours = run("cobot-chat", size);
      JsonObject ws = run("node-ws", size);
      JsonObject io = run("socket.io", size);
      if (ours == null || ws == null || io == null) {
        continue;
      }
      double common = commonRate(ours, ws, io);
      String p99 = "–";
      String r1 = "–";
      String r2 = "–";
      if (common > 0) {
        double a = stepAt(ours.getJsonArray("steps"), common).getJsonObject("latency").getDouble("p99");
        double b = stepAt(ws.getJsonArray("steps"), common).getJsonObject("latency").getDouble("p99");
        double c = stepAt(io.getJsonArray("steps"), common).getJsonObject("latency").getDouble("p99");
        p99 = f("%s (%.2f / %.2f / %.2f ms)", num(common), a, b, c);
        r1 = f("%.2f", a / b);
        r2 = f("%.2f", a / c);
      }
      md.append(f("| %,d | %s / %s / %s | %s / %s / %s | %.2f | %.2f | %s | %s | %s |%n", size, num(sustained(ours)),
          num(sustained(ws)), num(sustained(io)), num(peak(ours)), num(peak(ws)), num(peak(io)), peak(ours) / peak(ws),
          peak(ours) / peak(io), p99, r1, r2));
    }
    md.append('\n');
  }

  private static double commonRate(JsonObject... runs) {
    double best = 0;
    for (Object o : runs[0].getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      double rate = s.getDouble("rate");
      boolean all = true;
      for (JsonObject run : runs) {
        JsonObject st = stepAt(run.getJsonArray("steps"), rate);
        all &= st != null && !st.getBoolean("saturated", false);
      }
      if (all) {
        best = Math.max(best, rate);
      }
    }
    return best;
  }

  private void persistence(StringBuilder md) {
    JsonObject s = r.getJsonObject("persistence");
    if (s == null) {
      return;
    }
    md.append("## 3. Persistence\n\n(").append(load(s)).append(")\n\n");
    if (s.containsKey("failed")) {
      failed(md, s);
      return;
    }
    JsonObject one = s.getJsonObject("oneAtATime");
    md.append(f("One at a time (the next send leaves only after the previous ack; %d senders in turn, to stay under the "
            + "10/s per-member limit): **%s commits/s**, send→ack p50 / p99 / p99.9 %s ms.%n%n", one.getInteger("senders"),
        num(one.getDouble("committedPerSecond")), lat(one.getJsonObject("ack")).replace(" | ", " / ")));
    md.append("Under load: many senders (none subscribed, so this is the write path alone), open-loop at rising rates. "
        + "Each ack means the message's transaction committed.\n\n");
    md.append("| msg/s offered | commits/s (acks) | rows committed | mean rows per transaction | send→ack p50 / p99 / p99.9 ms "
        + "| server CPU | errors | saturated |\n|---|---|---|---|---|---|---|---|\n");
    for (Object o : s.getJsonArray("underLoad")) {
      JsonObject st = (JsonObject) o;
      md.append(f("| %s | %s | %,d | %s | %s | %.0f%% | %d | %s |%n", num(st.getDouble("rate")), num(st.getDouble("ackedPerSecond")),
          st.getLong("rowsCommitted"), st.getValue("meanBatch"), lat(st.getJsonObject("ack")).replace(" | ", " / "),
          st.getDouble("serverCpuPercent"), st.getLong("errors"), st.getBoolean("saturated") ? "**yes**" : "no"));
    }
    md.append(f("%nAcked %,d; rows added to `messages` in the scenario: %,d.%n%n", s.getLong("acked"), s.getLong("messagesInDatabase")));
  }

  private void idle(StringBuilder md) {
    JsonObject s = r.getJsonObject("idle");
    if (s == null) {
      return;
    }
    md.append("## 4. Idle connections\n\n(").append(load(s)).append(")\n\n");
    if (s.containsKey("failed")) {
      failed(md, s);
      return;
    }
    JsonObject base = s.getJsonObject("base");
    md.append(f("Each socket is a different member, signed in and subscribed to its room (rooms of 20), then left idle. "
            + "Memory of the server process after three `System.gc()`; baseline with no socket: heap %.1f MB, RSS %.1f MB. "
            + "The server runs with a fixed, pre-touched heap (`%s`), so the heap is resident from the baseline on: RSS "
            + "growth per socket is what a connection costs outside the Java heap (Netty buffers, native memory), and a "
            + "connection costs heap per connection plus that. Kernel socket buffers are not in RSS.%n%n",
        base.getLong("heapUsed") / 1e6, base.getLong("rss") / 1e6, s.getString("serverJvm", "-Xms2g -Xmx2g -XX:+AlwaysPreTouch")));
    md.append("| sockets | opened in | refused and retried | heap used | RSS | heap per connection "
        + "| RSS growth per connection (outside the heap) | total per connection |\n|---|---|---|---|---|---|---|---|\n");
    for (Object o : s.getJsonArray("points")) {
      JsonObject p = (JsonObject) o;
      md.append(f("| %,d | %.1f s | %,d | %.1f MB | %.1f MB | %.1f KB | %.1f KB | %.1f KB |%n", p.getLong("connections"),
          p.getDouble("openSeconds"), p.getInteger("openRetries", 0), p.getLong("heapUsed") / 1e6,
          p.getLong("rss") / 1e6, p.getLong("heapPerConnection") / 1024.0, p.getLong("rssPerConnection") / 1024.0,
          perConnectionKb(p)));
    }
    if (s.getString("stoppedBy") != null) {
      md.append("\nStopped before the last level: `").append(s.getString("stoppedBy")).append("`.\n");
    }
    md.append('\n');
  }

  private void storm(StringBuilder md) {
    JsonObject s = r.getJsonObject("storm");
    if (s == null) {
      return;
    }
    md.append("## 5. Reconnect storm\n\n(").append(load(s)).append(")\n\n");
    if (s.containsKey("failed")) {
      failed(md, s);
      return;
    }
    md.append(f("%,d clients in %,d rooms of 20 while one more member per room keeps sending (%s msg/s in total). All %,d "
            + "drop at once, stay away %d ms, then reconnect at the same instant with fresh tickets and `subscribe` with "
            + "`after` = the last seq each had. Caught up = has the room's last acknowledged seq as of the reconnect. A client whose "
            + "socket or subscribe is refused (for example `unavailable` when the database pool is exhausted) retries after "
            + "200–500 ms with a new ticket, as the UI does; the time includes those retries. Lost = seqs a client never "
            + "received (gaps, or still missing when the run ended).%n%n",
        s.getInteger("clients"), s.getInteger("rooms"), num(s.getDouble("rate")), s.getInteger("clients"), s.getLong("offlineMs")));
    md.append("| all caught up | p50 | p99 | events replayed | lost | duplicates | retries | failed for good |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    md.append(f("| %s s | %s s | %s s | %,d | %d | %d | %d | %d |%n%n", s.getValue("allCaughtUpSeconds"), s.getValue("caughtUpP50Seconds"),
        s.getValue("caughtUpP99Seconds"), s.getLong("eventsReplayed"), s.getLong("lost"), s.getLong("duplicates"),
        s.getLong("retries"), s.getLong("failedReconnects")));
    if (s.getString("lastError") != null) {
      md.append("Last error frame seen: `").append(s.getString("lastError")).append("`\n\n");
    }
  }

  private void profiles(StringBuilder md) {
    Map<String, JsonObject> found = new LinkedHashMap<>();
    JsonObject e2e = r.getJsonObject("endToEnd");
    if (e2e != null && e2e.getJsonObject("profile") != null) {
      found.put("Scenario 1 (end to end, all steps)", e2e);
    }
    JsonObject fan = r.getJsonObject("fanOut");
    if (fan != null && fan.getJsonArray("runs") != null) {
      for (Object o : fan.getJsonArray("runs")) {
        JsonObject run = (JsonObject) o;
        if (run.getJsonObject("profile") != null) {
          found.put("Scenario 2 (cobot-chat, room of " + run.getInteger("roomSize") + ", all steps)", run);
        }
      }
    }
    JsonObject p = r.getJsonObject("persistence");
    if (p != null && p.getJsonObject("profile") != null) {
      found.put("Scenario 3 (persistence)", p);
    }
    if (found.isEmpty()) {
      return;
    }
    md.append("## Profiles of the server (JFR execution samples)\n\n")
        .append("From a JFR recording of the server JVM (`profile` settings) over the scenario; the same data as ")
        .append("`jfr print --events jdk.ExecutionSample`. Thread groups: where CPU samples were taken; top methods: the ")
        .append("frame on top of the stack; chat frames: the first `com.cobotchat.chat` frame of each stack that has one.\n\n");
    found.forEach((title, s) -> {
      JsonObject prof = s.getJsonObject("profile");
      md.append("### ").append(title).append("\n\n");
      md.append(f("%,d samples, %d GCs with %d ms of pauses.%n%n", prof.getInteger("samples"), prof.getInteger("gcCount"),
          prof.getLong("gcPauseMs")));
      md.append("| thread group | % | top method | % | chat frame | % |\n|---|---|---|---|---|---|\n");
      JsonArray t = prof.getJsonArray("threads");
      JsonArray mth = prof.getJsonArray("topMethods");
      JsonArray ch = prof.getJsonArray("chatFrames");
      int rows = Math.max(t.size(), Math.max(mth.size(), ch.size()));
      for (int i = 0; i < rows; i++) {
        md.append("| ").append(cell(t, i)).append(" | ").append(cell(mth, i)).append(" | ").append(cell(ch, i)).append(" |\n");
      }
      md.append('\n');
    });
  }

  private static String cell(JsonArray a, int i) {
    if (i >= a.size()) {
      return " | ";
    }
    JsonObject o = a.getJsonObject(i);
    return "`" + o.getString("name") + "` | " + o.getDouble("percent");
  }

  // ---- chart ----

  /** Three panels (room of 100, 1,000, 5,000): p99 latency (log scale) against deliveries/s, one line per server. */
  String svg() {
    int[] sizes = sizes();
    int pw = 300;
    int ph = 260;
    int left = 60;
    int top = 50;
    int gap = 40;
    int width = Math.max(760, left + sizes.length * (pw + gap) + 20);
    int height = top + ph + 90;
    StringBuilder svg = new StringBuilder();
    svg.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
    svg.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append(f("<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Fan-out: p99 latency against delivered load "
        + "(scenario 2, %s)</text>%n", left, r.getString("date", "").substring(0, Math.min(10, r.getString("date", "").length()))));
    svg.append(f("<text x=\"%d\" y=\"36\" fill=\"#555\">Solid: p99, dashed: p50. Hollow marker: saturated step. "
        + "node-ws and socket.io persist nothing; cobot-chat commits each message.</text>%n", left));
    double yMin = 0.1;
    double yMax = 10_000;
    for (int k = 0; k < sizes.length; k++) {
      int size = sizes[k];
      int x0 = left + k * (pw + gap);
      double xMax = 1;
      for (String server : SERVERS) {
        JsonObject run = run(server, size);
        if (run != null) {
          for (Object o : run.getJsonArray("steps")) {
            xMax = Math.max(xMax, ((JsonObject) o).getDouble("deliveriesPerSecond"));
          }
        }
      }
      xMax = niceCeil(xMax);
      svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", x0, top, pw, ph));
      svg.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">room of %,d</text>%n", x0 + pw / 2, top - 4, size));
      for (double y = yMin; y <= yMax; y *= 10) {
        double py = top + ph - (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) * ph;
        svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n", x0, py, x0 + pw, py));
        if (k == 0) {
          svg.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x0 - 4, py + 4, y < 1 ? "0.1 ms" : f("%,.0f ms", y)));
        }
      }
      for (int i = 0; i <= 4; i++) {
        double v = xMax * i / 4;
        double px = x0 + pw * i / 4.0;
        svg.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n", px, top, px, top + ph));
        svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, top + ph + 14, v >= 1000 ? f("%.0fk", v / 1000) : f("%.0f", v)));
      }
      svg.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">deliveries per second</text>%n", x0 + pw / 2, top + ph + 30));
      for (int s = 0; s < SERVERS.length; s++) {
        JsonObject run = run(SERVERS[s], size);
        if (run == null) {
          continue;
        }
        for (String pct : new String[] {"p99", "p50"}) {
          StringBuilder path = new StringBuilder();
          for (Object o : run.getJsonArray("steps")) {
            JsonObject st = (JsonObject) o;
            double x = x0 + st.getDouble("deliveriesPerSecond") / xMax * pw;
            double v = Math.max(yMin, Math.min(yMax, st.getJsonObject("latency").getDouble(pct)));
            double y = top + ph - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) * ph;
            path.append(path.length() == 0 ? "M" : " L").append(f("%.1f %.1f", x, y));
            if (pct.equals("p99")) {
              boolean sat = st.getBoolean("saturated", false);
              svg.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" stroke=\"%s\"/>%n", x, y, sat ? "white" : COLORS[s], COLORS[s]));
            }
          }
          svg.append(f("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n", path, COLORS[s],
              pct.equals("p99") ? "2" : "1", pct.equals("p50") ? " stroke-dasharray=\"4 3\"" : ""));
        }
      }
    }
    int ly = top + ph + 55;
    for (int s = 0; s < SERVERS.length; s++) {
      int lx = left + s * 180;
      svg.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", lx, ly, lx + 24, ly, COLORS[s]));
      svg.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 30, ly + 4, SERVERS[s]
          + (s == 0 ? " (durable)" : " (no persistence)")));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double niceCeil(double v) {
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * mag >= v) {
        return m * mag;
      }
    }
    return 10 * mag;
  }
}
