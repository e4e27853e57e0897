package com.cobotchat.sync;

import com.cobotchat.space.SpaceRepository;
import com.cobotchat.space.SpaceSync;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code POST /hooks/cobot/{secret}/{event}}: stores Cobot's delivery durably, answers 202 at once
 * and wakes the worker. Unknown secret: 404; uninstalled space: 410 (Cobot then switches the
 * subscription off). A payload whose URL is not a membership URL of that space's Cobot host is
 * stored as ignored, with the reason, and never fetched.
 */
public final class WebhookReceiver {
  private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);
  /** Cobot's payload is a URL (deleted memberships add the object): a few hundred bytes to a few KiB. */
  public static final int BODY_LIMIT = 16 * 1024;
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{22,100}");
  private static final Pattern EVENT = Pattern.compile("[a-z_]{1,64}");

  private final SpaceRepository spaces;
  private final Inbox inbox;
  private final Function<String, String> spaceBase;
  private final Runnable wake;
  private final MeterRegistry registry;

  WebhookReceiver(SpaceRepository spaces, Inbox inbox, Function<String, String> spaceBase, Runnable wake,
      MeterRegistry registry) {
    this.spaces = spaces;
    this.inbox = inbox;
    this.spaceBase = spaceBase;
    this.wake = wake;
    this.registry = registry;
  }

  /** The body handler to put in front of {@link #receive}: small limit, no file uploads. */
  public static BodyHandler bodyHandler() {
    return BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
  }

  public void receive(RoutingContext ctx) {
    String secret = ctx.pathParam("secret");
    String event = ctx.pathParam("event");
    if (secret == null || !SECRET.matcher(secret).matches() || event == null || !EVENT.matcher(event).matches()) {
      answer(ctx, 404, event, "unknown");
      return;
    }
    spaces.syncStateBySecret(secret).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", ar.cause().getMessage()).log("sync: cannot look up the webhook's space");
        answer(ctx, 503, event, "unavailable");
      } else if (ar.result().isEmpty()) {
        answer(ctx, 404, event, "unknown");
      } else if (ar.result().get().uninstalled()) {
        answer(ctx, 410, event, "uninstalled");
      } else {
        store(ctx, ar.result().get(), event);
      }
    });
  }

  private void store(RoutingContext ctx, SpaceSync state, String event) {
    long spaceId = state.space().id();
    JsonObject body = parse(ctx);
    if (body == null) {
      inbox.insertIgnored(spaceId, event, null, new JsonObject().put("unreadable", true), "body is not a JSON object")
          .onComplete(ar -> answer(ctx, ar.succeeded() ? 400 : 503, event, "malformed"));
      return;
    }
    String url = body.getValue("url") instanceof String s ? s : null;
    Optional<String> membershipId = PayloadUrl.membershipId(spaceBase.apply(state.space().subdomain()), url);
    if (membershipId.isEmpty()) {
      log.atWarn().addKeyValue("space", spaceId).addKeyValue("event", event)
          .log("sync: delivery URL is not a membership URL of the space's Cobot host; not fetched");
      inbox.insertIgnored(spaceId, event, url == null ? null : Inbox.truncate(url), body,
              "payload URL is not a membership URL of this space's Cobot host; not fetched")
          .onComplete(ar -> answer(ctx, ar.succeeded() ? 202 : 503, event, "ignored"));
      return;
    }
    inbox.insert(spaceId, event, url, membershipId.get(), body).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", ar.cause().getMessage()).log("sync: cannot store a delivery; Cobot will retry");
        answer(ctx, 503, event, "unavailable");
        return;
      }
      answer(ctx, 202, event, "stored");
      wake.run();
    });
  }

  private static JsonObject parse(RoutingContext ctx) {
    try {
      Object value = ctx.body().asJsonObject();
      return value instanceof JsonObject o ? o : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private void answer(RoutingContext ctx, int status, String event, String result) {
    Counter.builder("sync_webhooks_received").description("Webhook deliveries by event and result")
        .tag("event", event == null ? "other" : Events.tag(event)).tag("result", result).register(registry).increment();
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("status", result).encode());
  }
}
