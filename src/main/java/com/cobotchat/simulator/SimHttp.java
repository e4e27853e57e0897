package com.cobotchat.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small response helpers shared by the simulator's handlers. */
final class SimHttp {
  private SimHttp() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body.encode());
  }

  static void json(RoutingContext ctx, int status, JsonArray body) {
    send(ctx, status, body.encode());
  }

  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  static void text(RoutingContext ctx, int status, String text) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text);
  }

  static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }

  /** The body as JSON when it was sent as JSON, else an empty object. */
  static JsonObject jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.startsWith("application/json") || ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    try {
      return ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  /** A request field sent either form-encoded or as JSON (Cobot's API 1 accepts both). */
  static String param(MultiMap form, JsonObject json, String name) {
    String value = form.get(name);
    if (value == null && json.getValue(name) != null) {
      value = String.valueOf(json.getValue(name));
    }
    return value;
  }

  /** The access token from {@code Authorization: Bearer} or the {@code access_token} query parameter. */
  static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return ctx.request().getParam("access_token");
  }

  private static void send(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body);
  }
}
