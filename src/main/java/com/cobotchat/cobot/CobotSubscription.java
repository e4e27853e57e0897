package com.cobotchat.cobot;

import io.vertx.core.json.JsonObject;

/** A webhook subscription; {@code url} is its API URL (GET to check {@code active}, DELETE to remove). */
public record CobotSubscription(String id, String event, String callbackUrl, String url, boolean active) {

  static CobotSubscription fromJson(JsonObject json) {
    return new CobotSubscription(json.getString("id"), json.getString("event"), json.getString("callback_url"),
        json.getString("url"), json.getBoolean("active", true));
  }
}
