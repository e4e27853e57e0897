package com.cobotchat.chat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongToIntFunction;

/**
 * Token buckets per key (a member), shared by every event loop of the node: {@code ratePerSecond}
 * sustained with bursts of {@code burst}.
 *
 * <p>Across nodes the limit is shared out: an action costs as many tokens as {@code share} says
 * (the number of nodes the member has sockets on), so each of k nodes grants 1/k of the rate and
 * the burst, and together they grant about the limit. A member with sockets on one node, the usual
 * case, gets the whole limit there.
 */
final class RateLimiter {
  private final double ratePerNano;
  private final double burst;
  private final LongToIntFunction share;
  private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(double ratePerSecond, int burst) {
    this(ratePerSecond, burst, key -> 1);
  }

  RateLimiter(double ratePerSecond, int burst, LongToIntFunction share) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.share = share;
  }

  /** Takes this node's share of one action: 0 when allowed, else the milliseconds until it would be. */
  long acquire(long key) {
    double cost = Math.max(1, Math.min(share.applyAsInt(key), burst));
    return buckets.computeIfAbsent(key, k -> new Bucket(burst)).take(System.nanoTime(), ratePerNano, burst, cost);
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

    synchronized long take(long now, double ratePerNano, double burst, double cost) {
      refill(now, ratePerNano, burst);
      if (tokens >= cost) {
        tokens -= cost;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((cost - tokens) / ratePerNano / 1e6));
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
