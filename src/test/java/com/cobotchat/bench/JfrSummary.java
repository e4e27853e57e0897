package com.cobotchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A short reading of a JFR recording (the same data as {@code jfr print --events jdk.ExecutionSample}):
 * CPU samples per thread group, the hottest methods (top frame), the hottest frames of our own code
 * anywhere in the stack, and GC pauses.
 */
final class JfrSummary {
  private JfrSummary() {
  }

  static JsonObject summarize(Path file, int top) throws IOException {
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> methods = new HashMap<>();
    Map<String, Integer> ours = new HashMap<>();
    int samples = 0;
    long gcPauseNanos = 0;
    int gcs = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      if (type.equals("jdk.ExecutionSample")) {
        samples++;
        String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
        threads.merge(thread == null ? "?" : thread.replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        methods.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
        for (RecordedFrame f : stack.getFrames()) {
          if (f.getMethod() != null && f.getMethod().getType().getName().startsWith("com.cobotchat.chat")) {
            ours.merge(name(f), 1, Integer::sum);
            break;
          }
        }
      } else if (type.equals("jdk.GarbageCollection")) {
        gcs++;
        gcPauseNanos += e.getDuration("sumOfPauses").toNanos();
      }
    }
    return new JsonObject().put("samples", samples)
        .put("threads", top(threads, samples, top))
        .put("topMethods", top(methods, samples, top))
        .put("chatFrames", top(ours, samples, top))
        .put("gcCount", gcs)
        .put("gcPauseMs", gcPauseNanos / 1_000_000);
  }

  private static String name(RecordedFrame f) {
    if (f.getMethod() == null) {
      return "?";
    }
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static JsonArray top(Map<String, Integer> counts, int total, int n) {
    JsonArray out = new JsonArray();
    counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n).forEach(e -> out.add(new JsonObject()
        .put("name", e.getKey()).put("samples", e.getValue())
        .put("percent", total == 0 ? 0 : Math.round(e.getValue() * 1000.0 / total) / 10.0)));
    return out;
  }
}
