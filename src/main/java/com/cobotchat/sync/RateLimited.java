package com.cobotchat.sync;

import com.cobotchat.cobot.CobotException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Repeats a Cobot call that was answered 429, after the {@code Retry-After} Cobot asked for, as long
 * as the total wait stays within a budget. For the install and the reconciliation, which may wait;
 * the webhook worker instead puts its rows back with a later due time.
 */
final class RateLimited {
  private RateLimited() {
  }

  static <T> Future<T> call(Vertx vertx, Duration budget, Supplier<Future<T>> call) {
    return attempt(vertx, budget.toMillis(), call);
  }

  private static <T> Future<T> attempt(Vertx vertx, long budgetMillis, Supplier<Future<T>> call) {
    return call.get().recover(err -> {
      if (!(err instanceof CobotException e) || !e.isRateLimited()) {
        return Future.failedFuture(err);
      }
      long wait = Math.max(1, e.retryAfter().map(Duration::toMillis).orElse(60_000L));
      if (wait > budgetMillis) {
        return Future.failedFuture(err);
      }
      Promise<T> later = Promise.promise();
      vertx.setTimer(wait, t -> attempt(vertx, budgetMillis - wait, call).onComplete(later));
      return later.future();
    });
  }
}
