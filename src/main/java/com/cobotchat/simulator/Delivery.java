package com.cobotchat.simulator;

import java.time.Instant;

/**
 * One webhook delivery attempt.
 *
 * @param subscriptionId the subscription it belongs to
 * @param event          the event name
 * @param callbackUrl    where it was POSTed
 * @param body           the JSON body sent
 * @param attempt        0 for the first attempt, 1..10 for retries
 * @param status         the HTTP status received; 0 for a timeout or connection failure
 * @param simulated      true when {@link CobotSimulator#failWebhooks} answered instead of the receiver
 * @param at             when the attempt ended (real time)
 */
public record Delivery(String subscriptionId, String event, String callbackUrl, String body, int attempt, int status,
    boolean simulated, Instant at) {

  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
