package com.cobotchat.sync;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's sync timers, one instance per node: the inbox poll (for retries and rows other nodes
 * received), the sweep of members past their last day, scheduled reconciliation, the queue gauges
 * and the purge of old processed rows.
 */
final class SyncVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SyncVerticle.class);
  private static final Duration METRICS_EVERY = Duration.ofSeconds(5);
  private static final Duration PURGE_EVERY = Duration.ofHours(1);
  private static final Duration KEEP_PROCESSED = Duration.ofDays(7);

  private final Sync sync;
  private final List<Long> timers = new ArrayList<>();
  private boolean reconciling;
  private boolean sweeping;

  SyncVerticle(Sync sync) {
    this.sync = sync;
  }

  @Override
  public Future<?> start() {
    SyncSettings settings = sync.settings();
    sync.worker().start(context);
    every(settings.poll(), sync.worker()::wake);
    every(METRICS_EVERY, sync::refreshGauges);
    every(settings.sweepInterval(), this::sweep);
    every(settings.reconcileInterval().compareTo(Duration.ofMinutes(1)) < 0 ? settings.reconcileInterval()
        : Duration.ofMinutes(1), this::reconcileDue);
    every(PURGE_EVERY, () -> sync.inbox().purge(KEEP_PROCESSED));
    sync.worker().wake();
    sync.refreshGauges();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    timers.forEach(vertx::cancelTimer);
    return sync.worker().stop(Duration.ofSeconds(5));
  }

  private void every(Duration interval, Runnable task) {
    timers.add(vertx.setPeriodic(Math.max(10, interval.toMillis()), t -> task.run()));
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    sync.reconciler().sweepDue(null).onComplete(ar -> {
      sweeping = false;
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", ar.cause().getMessage()).log("sync: sweep of past last days failed");
      }
    });
  }

  private void reconcileDue() {
    if (reconciling) {
      return;
    }
    reconciling = true;
    sync.reconciler().reconcileDue().onComplete(ar -> {
      reconciling = false;
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", ar.cause().getMessage()).log("sync: scheduled reconciliation failed");
      }
    });
  }
}
