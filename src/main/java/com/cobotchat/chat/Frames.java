package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;

/** Encoders of the server frames of SPEC 8. Each returns JSON text, built once and written to many sockets. */
final class Frames {
  private Frames() {
  }

  static String at(OffsetDateTime time) {
    return time == null ? null : time.toInstant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String at(Instant time) {
    return time == null ? null : time.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static JsonObject person(long id, String name, String avatarUrl) {
    return new JsonObject().put("id", Long.toString(id)).put("name", name).put("avatarUrl", avatarUrl);
  }

  /** A {@code message}, {@code edit} or {@code delete} event with the message's state; deleted messages carry no text. */
  static String messageEvent(long roomId, long seq, String kind, String at, long messageId, long authorId, String authorName,
                             String authorAvatar, String text, String editedAt, boolean deleted) {
    JsonObject message = new JsonObject()
        .put("id", Long.toString(messageId))
        .put("author", person(authorId, authorName, authorAvatar))
        .put("text", deleted ? null : text)
        .put("editedAt", editedAt)
        .put("deleted", deleted);
    return eventHead(roomId, seq, kind, at).put("message", message).encode();
  }

  /** A {@code member_joined} or {@code member_left} event. */
  static String memberEvent(long roomId, long seq, String kind, String at, long memberId, String name, String avatarUrl) {
    return eventHead(roomId, seq, kind, at).put("member", person(memberId, name, avatarUrl)).encode();
  }

  private static JsonObject eventHead(long roomId, long seq, String kind, String at) {
    return new JsonObject().put("type", "event").put("room", Long.toString(roomId)).put("seq", seq).put("kind", kind)
        .put("at", at);
  }

  static String error(ChatException e, Object ref) {
    JsonObject json = new JsonObject().put("type", "error").put("code", e.code().wire()).put("message", e.getMessage());
    if (e.code() == ChatException.Code.RATE_LIMITED) {
      json.put("retryAfterMs", e.retryAfterMs());
    }
    return withRef(json, ref).encode();
  }

  static String ready(Member member, Space space, List<RoomSummary> rooms) {
    JsonArray list = new JsonArray();
    rooms.forEach(r -> list.add(r.toJson()));
    return new JsonObject()
        .put("type", "ready")
        .put("protocol", 1)
        .put("user", person(member.id(), member.name(), member.avatarUrl()).put("admin", member.admin()))
        .put("space", new JsonObject().put("subdomain", space.subdomain()).put("name", space.name()))
        .put("rooms", list)
        .encode();
  }

  static String subscribed(long roomId, List<RoomEvent> events, long lastSeq, boolean more, Object ref) {
    StringBuilder out = new StringBuilder(64 + events.size() * 256);
    out.append("{\"type\":\"subscribed\",\"room\":\"").append(roomId).append("\",\"events\":");
    appendEvents(out, events);
    out.append(",\"lastSeq\":").append(lastSeq).append(",\"more\":").append(more);
    return appendRef(out, ref).append('}').toString();
  }

  static String history(long roomId, List<RoomEvent> events, boolean more, Object ref) {
    StringBuilder out = new StringBuilder(64 + events.size() * 256);
    out.append("{\"type\":\"history\",\"room\":\"").append(roomId).append("\",\"events\":");
    appendEvents(out, events);
    out.append(",\"more\":").append(more);
    return appendRef(out, ref).append('}').toString();
  }

  private static void appendEvents(StringBuilder out, List<RoomEvent> events) {
    out.append('[');
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(events.get(i).frame());
    }
    out.append(']');
  }

  private static StringBuilder appendRef(StringBuilder out, Object ref) {
    if (ref != null) {
      out.append(",\"ref\":").append(Json.encode(ref));
    }
    return out;
  }

  static String ack(String clientMsgId, long messageId, long seq, Object ref) {
    return withRef(new JsonObject().put("type", "ack").put("clientMsgId", clientMsgId)
        .put("messageId", Long.toString(messageId)).put("seq", seq), ref).encode();
  }

  static String ok(String op, Object ref, JsonObject extra) {
    JsonObject json = new JsonObject().put("type", "ok").put("op", op);
    if (extra != null) {
      json.mergeIn(extra);
    }
    return withRef(json, ref).encode();
  }

  static String pong(Object ref) {
    return withRef(new JsonObject().put("type", "pong"), ref).encode();
  }

  static String typing(long roomId, long memberId, String name) {
    return new JsonObject().put("type", "typing").put("room", Long.toString(roomId))
        .put("user", new JsonObject().put("id", Long.toString(memberId)).put("name", name)).encode();
  }

  static String unread(long roomId, long readSeq, long unread) {
    return new JsonObject().put("type", "unread").put("room", Long.toString(roomId)).put("readSeq", readSeq)
        .put("unread", unread).encode();
  }

  static String roomAdded(RoomSummary room, Object ref) {
    return withRef(new JsonObject().put("type", "room_added").put("room", room.toJson()), ref).encode();
  }

  static String roomRemoved(long roomId) {
    return new JsonObject().put("type", "room_removed").put("room", Long.toString(roomId)).encode();
  }

  static String roomUpdated(JsonObject room) {
    return new JsonObject().put("type", "room_updated").put("room", room).encode();
  }

  static String presence(long roomId, Collection<Long> online) {
    JsonArray ids = new JsonArray();
    online.forEach(id -> ids.add(Long.toString(id)));
    return new JsonObject().put("type", "presence").put("room", Long.toString(roomId)).put("online", ids).encode();
  }

  static JsonObject withRef(JsonObject json, Object ref) {
    if (ref != null) {
      json.put("ref", ref);
    }
    return json;
  }
}
