package com.cobotchat.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** Liveness and readiness for orchestrators. Readiness asks the database each time, with a short timeout. */
public final class Health {
  private final Pool pool;

  public Health(Pool pool) {
    this.pool = pool;
  }

  public void live(RoutingContext ctx) {
    send(ctx, 200, new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    pool.query("SELECT max(version::int) AS v FROM flyway_schema_history WHERE success").execute()
        .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
        .onSuccess(rows -> send(ctx, 200, new JsonObject().put("status", "UP")
            .put("database", "UP").put("schemaVersion", rows.iterator().next().getInteger("v"))))
        .onFailure(err -> send(ctx, 503, new JsonObject().put("status", "DOWN").put("database", "DOWN")));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
