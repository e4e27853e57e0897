package com.cobotchat.sync;

import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotException;
import com.cobotchat.cobot.CobotSubscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;

/**
 * The space's webhook subscriptions at Cobot: one per event of {@link Events#SUBSCRIBED}, calling
 * {@code PUBLIC_URL/hooks/cobot/{secret}/{event}}. Ensuring them adds what is missing and
 * re-creates what Cobot switched off; it never creates a second one for an event.
 */
final class Subscriptions {
  private final Vertx vertx;
  private final CobotClient cobot;
  private final String publicUrl;
  private final Duration rateBudget;

  Subscriptions(Vertx vertx, CobotClient cobot, String publicUrl, Duration rateBudget) {
    this.vertx = vertx;
    this.cobot = cobot;
    this.publicUrl = publicUrl;
    this.rateBudget = rateBudget;
  }

  String callbackPrefix(String webhookSecret) {
    return publicUrl + "/hooks/cobot/" + webhookSecret + "/";
  }

  /** Makes every subscription present and active; returns how many were created or re-created. */
  Future<Integer> ensure(String subdomain, String token, String webhookSecret) {
    String prefix = callbackPrefix(webhookSecret);
    return RateLimited.call(vertx, rateBudget, () -> cobot.listSubscriptions(subdomain, token)).compose(existing -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String event : Events.SUBSCRIBED) {
        String callback = prefix + event;
        List<CobotSubscription> same = existing.stream()
            .filter(s -> event.equals(s.event()) && callback.equals(s.callbackUrl())).toList();
        if (same.stream().anyMatch(CobotSubscription::active)) {
          continue;
        }
        chain = chain.compose(n -> removeAll(same, token).compose(v -> create(subdomain, token, event, callback))
            .map(created -> n + (created ? 1 : 0)));
      }
      return chain;
    });
  }

  /** Deletes this service's subscriptions of the space (any event, this secret); returns how many. */
  Future<Integer> removeAll(String subdomain, String token, String webhookSecret) {
    String prefix = callbackPrefix(webhookSecret);
    return RateLimited.call(vertx, rateBudget, () -> cobot.listSubscriptions(subdomain, token)).compose(existing -> {
      List<CobotSubscription> ours = existing.stream()
          .filter(s -> s.callbackUrl() != null && s.callbackUrl().startsWith(prefix)).toList();
      return removeAll(ours, token).map(v -> ours.size());
    });
  }

  private Future<Void> removeAll(List<CobotSubscription> subscriptions, String token) {
    Future<Void> chain = Future.succeededFuture();
    for (CobotSubscription s : subscriptions) {
      chain = chain.compose(v -> RateLimited.call(vertx, rateBudget, () -> cobot.deleteSubscription(s.url(), token)));
    }
    return chain;
  }

  private Future<Boolean> create(String subdomain, String token, String event, String callback) {
    return RateLimited.call(vertx, rateBudget, () -> cobot.createSubscription(subdomain, token, event, callback))
        .map(s -> true)
        .recover(err -> err instanceof CobotException e && e.isConflict()
            ? Future.succeededFuture(false) : Future.failedFuture(err));
  }
}
