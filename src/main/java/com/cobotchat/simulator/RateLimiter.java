package com.cobotchat.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/** Sliding-window request counting per key; answers how many seconds to wait when a key is over its limit. */
final class RateLimiter {
  private final Map<String, Deque<Long>> hits = new HashMap<>();

  /**
   * Counts a request for {@code key} unless it is over {@code limit} within {@code window}.
   *
   * @return empty when allowed, else the seconds until a request would be allowed again (at least 1)
   */
  synchronized OptionalLong hit(String key, int limit, Duration window) {
    long now = System.nanoTime();
    long windowNanos = window.toNanos();
    Deque<Long> times = hits.computeIfAbsent(key, k -> new ArrayDeque<>());
    while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
      times.pollFirst();
    }
    if (times.size() >= limit) {
      long waitNanos = windowNanos - (now - times.peekFirst());
      return OptionalLong.of(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
    }
    times.addLast(now);
    return OptionalLong.empty();
  }

  synchronized void reset() {
    hits.clear();
  }
}
