package com.cobotchat.bench;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the benchmark ran on: CPU, memory, kernel, runtimes, limits, and the load average right now. */
final class Machine {
  private Machine() {
  }

  static JsonObject describe() {
    return new JsonObject()
        .put("cpu", firstMatching("/proc/cpuinfo", "model name"))
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("memory", firstMatching("/proc/meminfo", "MemTotal"))
        .put("kernel", read("/proc/sys/kernel/osrelease"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("node", command("node", "--version"))
        .put("postgres", command("psql", "--version"))
        .put("openFiles", firstMatching("/proc/self/limits", "Max open files"))
        .put("loadAverage", loadAverage());
  }

  /** The 1, 5 and 15 minute load averages. */
  static String loadAverage() {
    String s = read("/proc/loadavg");
    String[] parts = s.split(" ");
    return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : s;
  }

  static double loadAverage1() {
    try {
      return Double.parseDouble(loadAverage().split(" ")[0]);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static String firstMatching(String file, String prefix) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(prefix)) {
          String v = line.substring(prefix.length()).replaceFirst("^[\\s:]+", "").trim();
          return v.replaceAll("\\s+", " ");
        }
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return "?";
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (Exception e) {
      return "?";
    }
  }

  private static String command(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "not available";
    }
  }
}
