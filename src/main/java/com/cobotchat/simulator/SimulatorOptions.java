package com.cobotchat.simulator;

import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link CobotSimulator}. The defaults behave like Cobot (retries spread over about
 * 20 hours, 60 requests per minute per token, 6 per minute for the membership list); tests shrink
 * the intervals, e.g. {@code new SimulatorOptions().webhookRetryDelays(List.of(Duration.ofMillis(50)))}.
 */
public final class SimulatorOptions {
  /** Cobot-like growing retry intervals: ten retries within about 20 hours. */
  public static final List<Duration> COBOT_RETRY_DELAYS = List.of(
      Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
      Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3), Duration.ofHours(4),
      Duration.ofHours(4), Duration.ofHours(5));

  private int port;
  private String host = "localhost";
  private List<Duration> webhookRetryDelays = COBOT_RETRY_DELAYS;
  private int maxWebhookRetries = 10;
  private Duration webhookTimeout = Duration.ofSeconds(10);
  private int requestsPerWindow = 60;
  private int membershipListPerWindow = 6;
  private Duration rateWindow = Duration.ofMinutes(1);
  private Duration codeLifetime = Duration.ofMinutes(10);
  private boolean demoControls;

  /** Port to listen on (on 127.0.0.1 only); 0 picks a free one, see {@link CobotSimulator#port()}. */
  public SimulatorOptions port(int port) {
    this.port = port;
    return this;
  }

  /** Host name used in the simulator's own URLs; {@code localhost} so it is another site than 127.0.0.1. */
  public SimulatorOptions host(String host) {
    this.host = host;
    return this;
  }

  /**
   * Delays before retry 1, 2, … of a failed webhook delivery; when the list is shorter than the
   * number of retries its last value repeats.
   */
  public SimulatorOptions webhookRetryDelays(List<Duration> delays) {
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("at least one retry delay");
    }
    this.webhookRetryDelays = List.copyOf(delays);
    return this;
  }

  /** Retries after the first failed attempt before the subscription is switched off (Cobot: 10). */
  public SimulatorOptions maxWebhookRetries(int retries) {
    this.maxWebhookRetries = retries;
    return this;
  }

  /** How long one delivery may take before it counts as failed. */
  public SimulatorOptions webhookTimeout(Duration timeout) {
    this.webhookTimeout = timeout;
    return this;
  }

  /** Requests per token per window (Cobot: 60 per minute). */
  public SimulatorOptions requestsPerWindow(int limit) {
    this.requestsPerWindow = limit;
    return this;
  }

  /** Membership-list requests per token per window (Cobot: 6 per minute). */
  public SimulatorOptions membershipListPerWindow(int limit) {
    this.membershipListPerWindow = limit;
    return this;
  }

  /** Length of the rate-limit window (Cobot: one minute). */
  public SimulatorOptions rateWindow(Duration window) {
    this.rateWindow = window;
    return this;
  }

  /** How long an authorization code can be exchanged. */
  public SimulatorOptions codeLifetime(Duration lifetime) {
    this.codeLifetime = lifetime;
    return this;
  }

  /** Shows the demo buttons (add member, cancel member, advance clock) on the host page. */
  public SimulatorOptions demoControls(boolean enabled) {
    this.demoControls = enabled;
    return this;
  }

  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  public List<Duration> webhookRetryDelays() {
    return webhookRetryDelays;
  }

  public int maxWebhookRetries() {
    return maxWebhookRetries;
  }

  public Duration webhookTimeout() {
    return webhookTimeout;
  }

  public int requestsPerWindow() {
    return requestsPerWindow;
  }

  public int membershipListPerWindow() {
    return membershipListPerWindow;
  }

  public Duration rateWindow() {
    return rateWindow;
  }

  public Duration codeLifetime() {
    return codeLifetime;
  }

  public boolean demoControls() {
    return demoControls;
  }

  /** The delay before retry number {@code retry} (1-based). */
  Duration retryDelay(int retry) {
    return webhookRetryDelays.get(Math.min(retry, webhookRetryDelays.size()) - 1);
  }
}
