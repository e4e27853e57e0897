package com.cobotchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Counters and latency recorders shared by the load tool's connections (any thread). Latencies in microseconds. */
final class LoadStats {
  private static final long EPOCH = System.nanoTime();
  private static final long SLOT_NANOS = 100_000_000L;
  final Recorder deliveryLatency = new Recorder(3);
  private final AtomicLongArray worstAckBySendSlot = new AtomicLongArray(6 * 3600 * 10);
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
    long slot = (System.nanoTime() - nanos - EPOCH) / SLOT_NANOS;
    if (slot >= 0 && slot < worstAckBySendSlot.length()) {
      worstAckBySendSlot.accumulateAndGet((int) slot, nanos / 1000, Math::max);
    }
  }

  /**
   * The slowest acks by when their message was sent, in 100-ms slots between two {@code System.nanoTime()}
   * readings: shows whether a high p99 is a few stalls (many messages sent in the same slot all slow) or a spread.
   */
  JsonArray stalls(long fromNanos, long toNanos, long thresholdMicros) {
    JsonArray out = new JsonArray();
    long first = Math.max(0, (fromNanos - EPOCH) / SLOT_NANOS);
    long last = Math.min(worstAckBySendSlot.length() - 1L, (toNanos - EPOCH) / SLOT_NANOS);
    for (long slot = first; slot <= last; slot++) {
      long worst = worstAckBySendSlot.get((int) slot);
      if (worst >= thresholdMicros) {
        out.add(new JsonObject().put("atSecond", Math.round((slot * SLOT_NANOS + EPOCH - fromNanos) / 1e8) / 10.0)
            .put("worstAckMs", ms(worst)));
      }
    }
    return out;
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
