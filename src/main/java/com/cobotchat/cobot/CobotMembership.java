package com.cobotchat.cobot;

import io.vertx.core.json.JsonObject;

import java.time.LocalDate;

/**
 * A membership as Cobot's API 1 returns it, reduced to what the chat needs; {@link #raw()} has
 * every field. {@code userId} is null for members without a Cobot user account.
 */
public record CobotMembership(String id, String name, String email, String userId, String pictureUrl,
    String planName, String confirmedAt, LocalDate canceledTo, JsonObject raw) {

  /** Confirmed, has a user account, and {@code canceled_to} is empty or not yet past (SPEC section 6). */
  public boolean activeOn(LocalDate today) {
    return confirmedAt != null && userId != null && (canceledTo == null || !canceledTo.isBefore(today));
  }

  static CobotMembership fromJson(JsonObject json) {
    JsonObject user = json.getJsonObject("user");
    JsonObject plan = json.getJsonObject("plan");
    return new CobotMembership(
        json.getString("id"),
        json.getString("name"),
        json.getString("email"),
        user == null ? null : user.getString("id"),
        json.getString("picture"),
        plan == null ? null : plan.getString("name"),
        json.getString("confirmed_at"),
        parseDate(json.getString("canceled_to")),
        json);
  }

  static LocalDate parseDate(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return LocalDate.parse(value.trim().substring(0, 10).replace('/', '-'));
  }
}
