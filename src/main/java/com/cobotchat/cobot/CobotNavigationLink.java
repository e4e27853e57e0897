package com.cobotchat.cobot;

import io.vertx.core.json.JsonObject;

/**
 * A navigation link (iFrame page): {@code url} is its API URL (DELETE), {@code userUrl} the Cobot
 * page that shows it, where an admin is sent after installing.
 */
public record CobotNavigationLink(String section, String label, String iframeUrl, String url, String userUrl) {

  static CobotNavigationLink fromJson(JsonObject json) {
    return new CobotNavigationLink(json.getString("section"), json.getString("label"), json.getString("iframe_url"),
        json.getString("url"), json.getString("user_url"));
  }
}
