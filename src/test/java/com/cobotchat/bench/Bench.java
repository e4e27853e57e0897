package com.cobotchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmark run behind {@code bench/run.sh}: starts each server in its own process (our node as
 * a {@link BenchServer} JVM on a fresh database, the two Node.js reference servers), runs the
 * scenarios with one load-tool JVM (this one), and writes the results as JSON, Markdown and an SVG chart.
 *
 * <p>Arguments: {@code --quick} (a smoke run of a few seconds per scenario), {@code --only 1,2,...},
 * {@code --docs DIR} (where benchmarks.md and the SVG go; default {@code docs}, for quick runs
 * {@code bench/results/quick}), {@code --bench DIR} (the folder with the Node servers; default {@code bench}),
 * {@code --report A.json[,B.json]} (only rewrite the Markdown and the chart from saved runs; scenarios in later
 * files replace those of earlier ones).
 */
public final class Bench {
  private final boolean quick;
  private final Set<Integer> only;
  private final Path docs;
  private final File benchDir;
  private final Path results;
  /** The server JVM's options (heap and collector); {@code BENCH_SERVER_JVM} (space-separated) replaces them. */
  private final List<String> jvm = List.of(
      System.getenv().getOrDefault("BENCH_SERVER_JVM", "-Xmx4g -XX:+UseG1GC").trim().split("\\s+"));

  private Bench(boolean quick, Set<Integer> only, Path docs, File benchDir) {
    this.quick = quick;
    this.only = only;
    this.docs = docs;
    this.benchDir = benchDir;
    this.results = benchDir.toPath().resolve("results");
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<Integer> only = new TreeSet<>(List.of(1, 2, 3, 4, 5));
    Path docs = null;
    File benchDir = new File("bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> {
          only.clear();
          for (String s : args[++i].split(",")) {
            only.add(Integer.parseInt(s.trim()));
          }
        }
        case "--docs" -> docs = Path.of(args[++i]);
        case "--bench" -> benchDir = new File(args[++i]);
        case "--report" -> {
          JsonObject saved = new JsonObject();
          for (String file : args[++i].split(",")) {
            JsonObject part = new JsonObject(Files.readString(Path.of(file)));
            if (saved.isEmpty()) {
              saved = part;
            } else {
              for (String key : List.of("endToEnd", "fanOut", "persistence", "idle", "storm")) {
                if (part.containsKey(key)) {
                  saved.put(key, part.getValue(key));
                }
              }
            }
          }
          saved.put("mergedFrom", new JsonArray(List.of(args[i].split(","))));
          Path out = docs == null ? Path.of("docs") : docs;
          Report report = new Report(saved);
          Files.writeString(out.resolve("benchmarks.md"), report.markdown());
          Files.writeString(out.resolve("benchmarks-latency.svg"), report.svg());
          System.out.println(report.summaryTable());
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (docs == null) {
      docs = quick ? benchDir.toPath().resolve("results").resolve("quick") : Path.of("docs");
    }
    new Bench(quick, only, docs, benchDir).run();
    System.exit(0);
  }

  private static java.io.PrintStream console;

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
    if (console != null) {
      console.println(line);
      console.flush();
    }
  }

  private void run() throws Exception {
    Files.createDirectories(results);
    Files.createDirectories(docs);
    String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path runDir = results.resolve(stamp);
    Files.createDirectories(runDir);
    console = new java.io.PrintStream(Files.newOutputStream(runDir.resolve("console.txt")), true, "UTF-8");
    JsonObject all = new JsonObject()
        .put("quick", quick)
        .put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("command", System.getenv().getOrDefault("BENCH_COMMAND", "bench/run.sh"))
        .put("machine", Machine.describe())
        .put("serverJvm", String.join(" ", jvm))
        .put("chatBus", System.getenv().getOrDefault("CHAT_BUS", "postgres"))
        .put("signIn", "bench-only setup: members written with com.cobotchat.testing.Fixtures (rooms and room members with "
            + "bulk SQL), WebSocket tickets issued directly with services.tickets().issue(...) on the server; no OAuth round trip");
    say("Cobot Chat benchmarks" + (quick ? " (quick smoke run)" : "") + "; results in " + runDir);
    say("Sign-in: " + all.getString("signIn"));
    say("Machine: " + all.getJsonObject("machine").encode());
    try (LoadTool tool = new LoadTool(2)) {
      Scenarios scenarios = new Scenarios(tool, Bench::say);
      if (only.contains(1)) {
        all.put("endToEnd", scenario("1. end to end", () -> endToEnd(scenarios, runDir)));
      }
      if (only.contains(2)) {
        all.put("fanOut", scenario("2. fan-out", () -> fanOut(scenarios, runDir)));
      }
      if (only.contains(3)) {
        all.put("persistence", scenario("3. persistence", () -> persistence(scenarios, runDir)));
      }
      if (only.contains(4)) {
        all.put("idle", scenario("4. idle connections", () -> idle(scenarios, runDir)));
      }
      if (only.contains(5)) {
        all.put("storm", scenario("5. reconnect storm", () -> storm(scenarios, runDir)));
      }
    }
    Files.writeString(runDir.resolve("results.json"), all.encodePrettily());
    Report report = new Report(all);
    Files.writeString(docs.resolve("benchmarks.md"), report.markdown());
    Files.writeString(docs.resolve("benchmarks-latency.svg"), report.svg());
    say("");
    say(report.summaryTable());
    say("Wrote " + runDir.resolve("results.json") + ", " + docs.resolve("benchmarks.md") + " and " + docs.resolve("benchmarks-latency.svg"));
  }

  private interface Work {
    JsonObject run() throws Exception;
  }

  private JsonObject scenario(String name, Work work) {
    say("");
    say("== " + name + " (load average " + Machine.loadAverage() + ")");
    String before = Machine.loadAverage();
    long start = System.nanoTime();
    JsonObject out;
    try {
      out = work.run();
    } catch (Exception e) {
      say("  FAILED: " + e);
      e.printStackTrace(System.out);
      if (console != null) {
        e.printStackTrace(console);
      }
      out = new JsonObject().put("failed", String.valueOf(e));
    }
    return out.put("loadAverageBefore", before).put("loadAverageAfter", Machine.loadAverage())
        .put("wallSeconds", LoadTool.round((System.nanoTime() - start) / 1e9));
  }

  private Target chat(Path runDir, String name) throws Exception {
    return Target.chatServer(jvm, runDir.resolve(name + "-server.log"));
  }

  private JsonObject profiled(Target target, Path runDir, String name, Work work) throws Exception {
    target.jfrStart();
    JsonObject out = work.run();
    Path jfr = runDir.resolve(name + ".jfr");
    target.jfrStop(jfr);
    out.put("profile", JfrSummary.summarize(jfr, 12)).put("jfr", jfr.toString());
    out.put("serverThreadsCpuMicros", target.cpuThreads());
    return out;
  }

  private JsonObject endToEnd(Scenarios s, Path runDir) throws Exception {
    try (Target t = chat(runDir, "e2e")) {
      return quick ? s.endToEnd(t, 100, 20, new double[] {50}, 2_000, 3_000)
          : profiled(t, runDir, "e2e", () -> s.endToEnd(t, 2_000, 20, new double[] {100, 250, 500, 1_000}, 15_000, 10_000));
    }
  }

  private JsonObject fanOut(Scenarios s, Path runDir) throws Exception {
    int[] sizes = quick ? new int[] {100} : new int[] {100, 1_000, 5_000};
    JsonArray runs = new JsonArray();
    for (LoadConn.Proto proto : LoadConn.Proto.values()) {
      String name = switch (proto) {
        case OURS -> "cobot-chat";
        case WS -> "node-ws";
        case SOCKETIO -> "socket.io";
      };
      try (Target t = proto == LoadConn.Proto.OURS ? chat(runDir, "fanout")
          : Target.nodeServer(proto, benchDir, freePort(), runDir.resolve(name + ".log"))) {
        for (int size : sizes) {
          say("  -- " + name + ", room of " + size);
          Work run = () -> s.fanOut(t, size, rates(size), quick ? 2_000 : 10_000, quick ? 3_000 : 10_000);
          runs.add(proto == LoadConn.Proto.OURS && !quick && size == 1_000
              ? profiled(t, runDir, "fanout-1000", run) : run.run());
        }
      }
    }
    return new JsonObject().put("runs", runs);
  }

  private double[] rates(int size) {
    if (quick) {
      return new double[] {50, 200};
    }
    return switch (size) {
      case 100 -> new double[] {100, 250, 500, 1_000, 1_500, 1_750, 2_000, 2_500};
      case 1_000 -> new double[] {5, 20, 50, 100, 125, 150, 200};
      default -> new double[] {1, 5, 10, 20, 30, 40};
    };
  }

  private JsonObject persistence(Scenarios s, Path runDir) throws Exception {
    try (Target t = chat(runDir, "persistence")) {
      return quick ? s.persistence(t, 100, 20, 2_000, new double[] {200}, 2_000, 3_000)
          : profiled(t, runDir, "persistence", () -> s.persistence(t, 4_000, 500, 15_000,
          new double[] {2_000, 5_000, 10_000, 20_000, 30_000}, 10_000, 10_000));
    }
  }

  /**
   * The idle server gets a fixed heap that is touched at start-up: its RSS then holds the whole heap
   * from the baseline on, so RSS growth per socket is memory outside the Java heap, and heap used per
   * socket is the rest. (With a growing heap, RSS growth mostly shows G1's sizing, not the sockets.)
   */
  private static final List<String> IDLE_JVM = List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:+UseG1GC");

  private JsonObject idle(Scenarios s, Path runDir) throws Exception {
    try (Target t = Target.chatServer(IDLE_JVM, runDir.resolve("idle-server.log"))) {
      return s.idle(t, quick ? new int[] {500, 1_000} : new int[] {10_000, idleCeiling()})
          .put("serverJvm", String.join(" ", IDLE_JVM));
    }
  }

  private JsonObject storm(Scenarios s, Path runDir) throws Exception {
    try (Target t = chat(runDir, "storm")) {
      return quick ? s.reconnectStorm(t, 200, 50, 1_000, 500, 1_000, 10_000)
          : s.reconnectStorm(t, 5_000, 500, 5_000, 2_000, 5_000, 60_000);
    }
  }

  /**
   * 20,000 sockets, or fewer where the open-file limit (which bench/run.sh raises as far as the hard
   * limit allows) would refuse them: every socket is a descriptor in the server and in this tool.
   */
  private static int idleCeiling() {
    long limit = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getMaxFileDescriptorCount();
    return (int) Math.min(20_000, (limit - 1_000) / 1_000 * 1_000);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
