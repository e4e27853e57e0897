package com.cobotchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: our chat node (a {@link BenchServer} JVM or an in-process {@link BenchNode})
 * or one of the Node.js reference servers, with its ports and its control/stats endpoints.
 */
final class Target implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  final LoadConn.Proto proto;
  final String name;
  final int port;
  final int controlPort;
  final String origin;
  final long pid;
  private final Process process;
  private final BenchNode node;

  private Target(LoadConn.Proto proto, String name, int port, int controlPort, long pid, Process process, BenchNode node) {
    this.proto = proto;
    this.name = name;
    this.port = port;
    this.controlPort = controlPort;
    this.origin = "http://127.0.0.1:" + port;
    this.pid = pid;
    this.process = process;
    this.node = node;
  }

  static Target inProcess(BenchNode node) {
    return new Target(LoadConn.Proto.OURS, "cobot-chat", node.port(), node.controlPort(), ProcessHandle.current().pid(), null, node);
  }

  /** Starts a {@link BenchServer} JVM with this JVM's class path, the given JVM options and the bench's logging. */
  static Target chatServer(List<String> jvmOptions, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-Dlogback.configurationFile=logback-bench.xml");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchServer.class.getName());
    cmd.add("0");
    cmd.add("0");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        String[] parts = line.split(" ");
        drain(out);
        return new Target(LoadConn.Proto.OURS, "cobot-chat", Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), p.pid(), p, null);
      }
    }
    throw new IOException("bench server did not start; see " + log);
  }

  /** Starts a Node.js reference server ({@code bench/ws-server.js} or {@code bench/socketio-server.js}). */
  static Target nodeServer(LoadConn.Proto proto, File benchDir, int port, Path log) throws IOException {
    String script = proto == LoadConn.Proto.WS ? "ws-server.js" : "socketio-server.js";
    Process p = new ProcessBuilder("node", "--expose-gc", script, Integer.toString(port)).directory(benchDir)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Target t = new Target(proto, proto == LoadConn.Proto.WS ? "node-ws" : "socket.io", port, port, p.pid(), p, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        t.stats(false);
        return t;
      } catch (RuntimeException e) {
        sleep(200);
      }
    }
    p.destroy();
    throw new IOException(script + " did not start; see " + log);
  }

  private static void drain(BufferedReader out) {
    Thread t = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // keep the pipe empty
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, "bench-server-out");
    t.setDaemon(true);
    t.start();
  }

  boolean isChat() {
    return proto == LoadConn.Proto.OURS;
  }

  /** Chat: sets up a space with rooms of members (see {@link BenchNode}). */
  JsonObject setup(int rooms, int roomSize, int senders) {
    return post("/bench/setup", new JsonObject().put("rooms", rooms).put("roomSize", roomSize).put("senders", senders));
  }

  List<String> tickets(List<Long> members) {
    JsonArray tickets = post("/bench/tickets", new JsonObject().put("members", new JsonArray(new ArrayList<>(members))))
        .getJsonArray("tickets");
    List<String> out = new ArrayList<>(tickets.size());
    tickets.forEach(t -> out.add((String) t));
    return out;
  }

  /** Heap after GC, RSS and (chat) database counters. */
  JsonObject memory() {
    return isChat() ? get("/bench/memory") : stats(true);
  }

  /** Database and chat counters; retried for up to 60 s (an overloaded node may time out on its pool), empty if never. */
  JsonObject dbStats() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return get("/bench/stats");
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          return new JsonObject().put("messages", -1L).put("batches", -1L).put("connections", -1L).put("error", String.valueOf(e));
        }
        sleep(1_000);
      }
    }
  }

  long cpuMicros() {
    return isChat() ? get("/bench/cpu").getLong("cpuMicros") : stats(false).getLong("cpuMicros");
  }

  JsonObject cpuThreads() {
    return isChat() ? get("/bench/cpu").getJsonObject("threads") : new JsonObject();
  }

  void jfrStart() {
    post("/bench/jfr/start", new JsonObject());
  }

  void jfrStop(Path file) {
    post("/bench/jfr/stop", new JsonObject().put("file", file.toAbsolutePath().toString()));
  }

  private JsonObject stats(boolean gc) {
    return get(gc ? "/stats?gc=1" : "/stats");
  }

  private JsonObject get(String path) {
    return call(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(5)).GET().build());
  }

  private JsonObject post(String path, JsonObject body) {
    return call(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + controlPort + path);
  }

  private static JsonObject call(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
      }
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      if (isChat()) {
        try {
          process.getOutputStream().close();
        } catch (IOException ignored) {
          // already gone
        }
      } else {
        process.destroy();
      }
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroy();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
