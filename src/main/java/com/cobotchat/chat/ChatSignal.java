package com.cobotchat.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What a node tells every chat hub on every node (itself included) through the {@link ChatBus}.
 * Each signal is small and self-describing, and has a JSON form ({@link #toJson()} /
 * {@link #fromJson(JsonObject)}, field {@code t} names the kind) for transports between processes.
 */
public sealed interface ChatSignal {

  JsonObject toJson();

  /** Reads the JSON form written by {@link #toJson()}; throws IllegalArgumentException for an unknown kind. */
  static ChatSignal fromJson(JsonObject json) {
    String t = json.getString("t");
    if (t == null) {
      throw new IllegalArgumentException("signal without kind");
    }
    return switch (t) {
      case "events" -> RoomEvents.fromJson(json);
      case "room_frame" -> new RoomFrame(json.getLong("room"), json.getLong("except", 0L), json.getString("frame"));
      case "member_frame" -> new MemberFrame(json.getLong("member"), json.getString("frame"));
      case "access" -> new AccessChanged(json.getLong("member"), longs(json.getJsonArray("added")), longs(json.getJsonArray("removed")));
      case "room_changed" -> new RoomChanged(json.getLong("room"), json.getBoolean("archived", false), json.getString("frame"));
      case "close" -> new CloseMember(json.getLong("member"), json.getInteger("code"), json.getString("reason", ""));
      case "presence" -> new PresenceChanged(json.getString("node"), json.getLong("member"), json.getBoolean("online"));
      case "resync" -> new Resync();
      default -> throw new IllegalArgumentException("unknown signal kind " + t);
    };
  }

  /**
   * Events {@code fromSeq..toSeq} of a room were committed. {@code events} carries them encoded, in
   * seq order; it may be null when the sender left them out (e.g. too big for its transport): a
   * receiver then re-reads the range from the database, as it does whenever it detects a gap.
   */
  record RoomEvents(long roomId, long fromSeq, long toSeq, List<RoomEvent> events) implements ChatSignal {
    /** The same signal without the encoded events. */
    public RoomEvents withoutEvents() {
      return new RoomEvents(roomId, fromSeq, toSeq, null);
    }

    @Override
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("t", "events").put("room", roomId).put("from", fromSeq).put("to", toSeq);
      if (events != null) {
        JsonArray list = new JsonArray();
        events.forEach(e -> list.add(e.toJson()));
        json.put("events", list);
      }
      return json;
    }

    static RoomEvents fromJson(JsonObject json) {
      JsonArray list = json.getJsonArray("events");
      List<RoomEvent> events = null;
      if (list != null) {
        events = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
          events.add(RoomEvent.fromJson(list.getJsonObject(i)));
        }
      }
      return new RoomEvents(json.getLong("room"), json.getLong("from"), json.getLong("to"), events);
    }
  }

  /** An ephemeral frame (typing) for the subscribers of a room, except the connections of one member (0 = none). */
  record RoomFrame(long roomId, long exceptMemberId, String frame) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "room_frame").put("room", roomId).put("except", exceptMemberId).put("frame", frame);
    }
  }

  /** A frame for every live connection of one member (e.g. {@code unread}). */
  record MemberFrame(long memberId, String frame) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "member_frame").put("member", memberId).put("frame", frame);
    }
  }

  /** A member gained ({@code room_added}) or lost ({@code room_removed}) rooms. */
  record AccessChanged(long memberId, List<Long> added, List<Long> removed) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "access").put("member", memberId)
          .put("added", new JsonArray(new ArrayList<>(added))).put("removed", new JsonArray(new ArrayList<>(removed)));
    }
  }

  /**
   * A room changed for everyone who has it: {@code frame} ({@code room_updated}, or {@code room_removed}
   * when archived) goes to each connection that can see the room; archived rooms are dropped.
   */
  record RoomChanged(long roomId, boolean archived, String frame) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "room_changed").put("room", roomId).put("archived", archived).put("frame", frame);
    }
  }

  /** Close every live socket of a member with this close code. */
  record CloseMember(long memberId, int code, String reason) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "close").put("member", memberId).put("code", code).put("reason", reason);
    }
  }

  /** A member's first socket opened ({@code online}) or last socket closed on a node. */
  record PresenceChanged(String nodeId, long memberId, boolean online) implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "presence").put("node", nodeId).put("member", memberId).put("online", online);
    }
  }

  /**
   * This node may have missed signals (its listening connection dropped and is back): every hub
   * re-reads its subscribed rooms after the last seq it delivered, and its members' access. Published
   * by the bus on the node concerned only.
   */
  record Resync() implements ChatSignal {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("t", "resync");
    }
  }

  private static List<Long> longs(JsonArray array) {
    List<Long> out = new ArrayList<>();
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        out.add(array.getLong(i));
      }
    }
    return out;
  }
}
