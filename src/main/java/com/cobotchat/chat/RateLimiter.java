package com.cobotchat.chat;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per key (a member), shared by every event loop of the node: {@code ratePerSecond}
 * sustained with bursts of {@code burst}.
 */
final class RateLimiter {
  private final double ratePerNano;
  private final double burst;
  private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(double ratePerSecond, int burst) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
  }

  /** Takes one token: 0 when allowed, else the milliseconds until the next token. */
  long acquire(long key) {
    return buckets.computeIfAbsent(key, k -> new Bucket(burst)).take(System.nanoTime(), ratePerNano, burst);
  }

  /** Forgets buckets that have refilled completely (call now and then). */
  void sweep() {
    long now = System.nanoTime();
    buckets.entrySet().removeIf(e -> e.getValue().full(now, ratePerNano, burst));
  }

  private static final class Bucket {
    private double tokens;
    private long updated = System.nanoTime();

    Bucket(double tokens) {
      this.tokens = tokens;
    }

    synchronized long take(long now, double ratePerNano, double burst) {
      refill(now, ratePerNano, burst);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano / 1e6));
    }

    synchronized boolean full(long now, double ratePerNano, double burst) {
      refill(now, ratePerNano, burst);
      return tokens >= burst;
    }

    private void refill(long now, double ratePerNano, double burst) {
      tokens = Math.min(burst, tokens + (now - updated) * ratePerNano);
      updated = now;
    }
  }
}
