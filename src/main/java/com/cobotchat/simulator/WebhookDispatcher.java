package com.cobotchat.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers webhooks the way Cobot does: POST the JSON body to each active subscription of the
 * event, asynchronously; a non-2xx answer, a redirect or a timeout is retried after growing delays
 * up to {@link SimulatorOptions#maxWebhookRetries()} times, then the subscription is switched off;
 * {@code 410} switches it off at once.
 */
final class WebhookDispatcher implements SimState.EventSink {
  // Lock order: SimState before this; code holding this lock never calls into SimState.
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  private record Job(String subscriptionId, String event, String callbackUrl, String body, int attempt) {
  }

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final WebClient client;
  private final BoundedLog<Delivery> deliveries = new BoundedLog<>(10_000);
  private final Set<Long> timers = ConcurrentHashMap.newKeySet();
  private final List<Job> held = new ArrayList<>();
  private SimState state;
  private boolean paused;
  private int failStatus;
  private boolean stopped;

  WebhookDispatcher(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false)
        .setConnectTimeout((int) Math.max(1, options.webhookTimeout().toMillis()))
        .setUserAgent("Cobot-Simulator-Webhooks/1.0"));
  }

  void state(SimState state) {
    this.state = state;
  }

  @Override
  public void fire(String subdomain, String event, JsonObject payload) {
    String body = payload.encode();
    for (SimState.Subscription s : state.activeSubscriptions(subdomain, event)) {
      submit(new Job(s.id, event, s.callbackUrl, body, 0));
    }
  }

  synchronized void pause(boolean pause) {
    paused = pause;
    if (!pause) {
      List<Job> release = List.copyOf(held);
      held.clear();
      release.forEach(job -> vertx.runOnContext(v -> attempt(job)));
    }
  }

  synchronized void fail(int status) {
    failStatus = status;
  }

  List<Delivery> deliveries() {
    return deliveries.snapshot();
  }

  synchronized int held() {
    return held.size();
  }

  void stop() {
    synchronized (this) {
      stopped = true;
    }
    timers.forEach(vertx::cancelTimer);
    client.close();
  }

  private synchronized void submit(Job job) {
    if (!stopped) {
      vertx.runOnContext(v -> attempt(job));
    }
  }

  private void attempt(Job job) {
    if (!state.isActive(job.subscriptionId)) {
      return;
    }
    int simulated;
    synchronized (this) {
      if (stopped) {
        return;
      }
      if (paused) {
        held.add(job);
        return;
      }
      simulated = failStatus;
    }
    if (simulated != 0) {
      finished(job, simulated, true);
      return;
    }
    client.postAbs(job.callbackUrl)
        .timeout(options.webhookTimeout().toMillis())
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(job.body))
        .onComplete(ar -> finished(job, ar.succeeded() ? ar.result().statusCode() : 0, false));
  }

  private void finished(Job job, int status, boolean simulated) {
    deliveries.add(new Delivery(job.subscriptionId, job.event, job.callbackUrl, job.body, job.attempt, status,
        simulated, Instant.now()));
    if (status >= 200 && status < 300) {
      return;
    }
    if (status == 410) {
      log.atInfo().addKeyValue("subscription", job.subscriptionId).addKeyValue("event", job.event)
          .log("simulator: receiver answered 410, subscription switched off");
      state.deactivate(job.subscriptionId);
      return;
    }
    int retry = job.attempt + 1;
    if (retry > options.maxWebhookRetries()) {
      log.atInfo().addKeyValue("subscription", job.subscriptionId).addKeyValue("event", job.event)
          .log("simulator: delivery failed after all retries, subscription switched off");
      state.deactivate(job.subscriptionId);
      return;
    }
    long delay = Math.max(1, options.retryDelay(retry).toMillis());
    Job next = new Job(job.subscriptionId, job.event, job.callbackUrl, job.body, retry);
    synchronized (this) {
      if (stopped) {
        return;
      }
      long[] id = new long[1];
      id[0] = vertx.setTimer(delay, t -> {
        timers.remove(id[0]);
        attempt(next);
      });
      timers.add(id[0]);
    }
  }
}
