package com.cobotchat.chat;

import io.vertx.core.json.JsonObject;

/**
 * One committed room event as it travels to subscribers: its {@code seq}, its kind, the member a
 * {@code member_joined}/{@code member_left} event is about (0 otherwise), and the encoded
 * {@code event} frame (JSON text, encoded once).
 */
public record RoomEvent(long seq, String kind, long subjectId, String frame) {
  public static final String MESSAGE = "message";
  public static final String EDIT = "edit";
  public static final String DELETE = "delete";
  public static final String MEMBER_JOINED = "member_joined";
  public static final String MEMBER_LEFT = "member_left";

  public JsonObject toJson() {
    return new JsonObject().put("seq", seq).put("kind", kind).put("subject", subjectId).put("frame", frame);
  }

  public static RoomEvent fromJson(JsonObject json) {
    return new RoomEvent(json.getLong("seq"), json.getString("kind"), json.getLong("subject", 0L), json.getString("frame"));
  }
}
