package com.cobotchat.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Counters and latency recorders shared by the load tool's connections (any thread). Latencies in microseconds. */
final class LoadStats {
  final Recorder deliveryLatency = new Recorder(3);
  final Recorder ackLatency = new Recorder(3);
  final LongAdder sent = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder socketErrors = new LongAdder();
  final LongAdder closedByServer = new LongAdder();
  final LongAdder sendsOnClosed = new LongAdder();
  final LongAdder caughtUp = new LongAdder();
  final LongAdder caughtUpEvents = new LongAdder();
  final LongAdder morePages = new LongAdder();
  final AtomicReference<String> lastError = new AtomicReference<>();
  /** Highest acknowledged seq per room (chat protocol). */
  final ConcurrentHashMap<String, Long> ackedSeq = new ConcurrentHashMap<>();

  void delivery(long nanos) {
    delivered.increment();
    deliveryLatency.recordValue(Math.max(0, nanos / 1000));
  }

  void ack(long nanos) {
    acked.increment();
    ackLatency.recordValue(Math.max(0, nanos / 1000));
  }

  void acked(String room, long seq) {
    if (room != null) {
      ackedSeq.merge(room, seq, Math::max);
    }
  }

  void error(String frame) {
    errors.increment();
    lastError.set(frame);
  }

  /** Percentiles of a histogram of microseconds, as milliseconds. */
  static JsonObject percentiles(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("p50", ms(h.getValueAtPercentile(50)))
        .put("p99", ms(h.getValueAtPercentile(99)))
        .put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue()));
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
