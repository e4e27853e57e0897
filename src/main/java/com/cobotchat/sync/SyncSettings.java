package com.cobotchat.sync;

import com.cobotchat.app.ConfigException;

import java.time.Duration;
import java.util.Map;

/**
 * Timings of the membership sync, from optional environment variables (all have defaults).
 *
 * @param reconcileInterval {@code SYNC_RECONCILE_SECONDS} (3600): how often each installed space is compared with Cobot
 * @param lease             {@code SYNC_LEASE_SECONDS} (60): how long a worker owns inbox rows before another node may take them
 * @param poll              {@code SYNC_POLL_MILLIS} (1000): how often a node looks for due inbox rows it was not told about
 * @param retryBase         {@code SYNC_RETRY_BASE_MILLIS} (2000): delay after the first failure; doubles per attempt
 * @param retryMax          {@code SYNC_RETRY_MAX_SECONDS} (3600): the longest delay between attempts
 * @param workers           {@code SYNC_WORKERS} (4): memberships one node processes at the same time
 * @param sweepInterval     {@code SYNC_SWEEP_SECONDS} (60): how often members whose last day has passed are removed
 */
public record SyncSettings(Duration reconcileInterval, Duration lease, Duration poll, Duration retryBase,
                           Duration retryMax, int workers, Duration sweepInterval) {

  public static SyncSettings defaults() {
    return fromEnv(Map.of());
  }

  public static SyncSettings fromEnv(Map<String, String> env) {
    return new SyncSettings(
        Duration.ofSeconds(number(env, "SYNC_RECONCILE_SECONDS", 3600, 1, 7 * 24 * 3600)),
        Duration.ofSeconds(number(env, "SYNC_LEASE_SECONDS", 60, 1, 3600)),
        Duration.ofMillis(number(env, "SYNC_POLL_MILLIS", 1000, 10, 60_000)),
        Duration.ofMillis(number(env, "SYNC_RETRY_BASE_MILLIS", 2000, 1, 3_600_000)),
        Duration.ofSeconds(number(env, "SYNC_RETRY_MAX_SECONDS", 3600, 1, 24 * 3600)),
        (int) number(env, "SYNC_WORKERS", 4, 1, 64),
        Duration.ofSeconds(number(env, "SYNC_SWEEP_SECONDS", 60, 1, 24 * 3600)));
  }

  /** Delay before the next attempt after {@code attempts} failed ones: doubling from {@link #retryBase}, capped. */
  public Duration backoff(int attempts) {
    int doublings = Math.max(0, Math.min(attempts - 1, 30));
    long millis = retryBase.toMillis() << doublings;
    return millis <= 0 || millis > retryMax.toMillis() ? retryMax : Duration.ofMillis(millis);
  }

  private static long number(Map<String, String> env, String name, long fallback, long min, long max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n < min || n > max) {
        throw new ConfigException(name + " must be between " + min + " and " + max + ", not " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a number, not '" + value + "'");
    }
  }
}
