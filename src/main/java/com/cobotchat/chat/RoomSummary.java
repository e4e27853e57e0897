package com.cobotchat.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A room as one member sees it in {@code ready} and {@code room_added}: SPEC 8 fields plus the
 * extensions of {@code docs/protocol-extensions.md} ({@code default}, {@code autoJoin}, {@code plans},
 * and for direct rooms the other member as {@code user}).
 */
public record RoomSummary(long id, String name, String kind, long lastSeq, long readSeq, long unread,
                          boolean isDefault, String autoJoin, List<String> plans, Person dmUser) {

  /** A member as frames show it. */
  public record Person(long id, String name, String avatarUrl) {
    public JsonObject toJson() {
      return new JsonObject().put("id", Long.toString(id)).put("name", name).put("avatarUrl", avatarUrl);
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", Long.toString(id))
        .put("name", dmUser != null ? dmUser.name() : name)
        .put("kind", kind)
        .put("lastSeq", lastSeq)
        .put("readSeq", readSeq)
        .put("unread", unread)
        .put("default", isDefault)
        .put("autoJoin", autoJoin)
        .put("plans", new JsonArray(List.copyOf(plans)));
    if (dmUser != null) {
      json.put("user", dmUser.toJson());
    }
    return json;
  }

  /** The member-independent part, for {@code room_updated}. */
  public static JsonObject describe(long id, String name, String kind, boolean isDefault, String autoJoin, List<String> plans) {
    return new JsonObject().put("id", Long.toString(id)).put("name", name).put("kind", kind).put("default", isDefault)
        .put("autoJoin", autoJoin).put("plans", new JsonArray(List.copyOf(plans)));
  }
}
