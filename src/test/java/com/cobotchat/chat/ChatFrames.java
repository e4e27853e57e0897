package com.cobotchat.chat;

import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** The protocol steps chat tests take with a {@link ChatClient}: build frames, subscribe, send and await answers. */
abstract class ChatFrames {

  static JsonObject frame(String type, Object... keyValues) {
    JsonObject f = new JsonObject().put("type", type);
    for (int i = 0; i < keyValues.length; i += 2) {
      f.put((String) keyValues[i], keyValues[i + 1]);
    }
    return f;
  }

  static String id(long id) {
    return Long.toString(id);
  }

  /** Subscribes and returns the {@code subscribed} answer. */
  static JsonObject subscribe(ChatClient c, long room) {
    String ref = "sub-" + UUID.randomUUID();
    c.send(frame("subscribe", "room", id(room), "ref", ref));
    return c.answer("subscribed", ref);
  }

  static JsonObject subscribeAfter(ChatClient c, long room, long after) {
    String ref = "sub-" + UUID.randomUUID();
    c.send(frame("subscribe", "room", id(room), "after", after, "ref", ref));
    return c.answer("subscribed", ref);
  }

  /** Sends without waiting; returns the clientMsgId (also the frame's ref). */
  static String post(ChatClient c, long room, String text) {
    String cmid = UUID.randomUUID().toString();
    c.send(frame("send", "room", id(room), "clientMsgId", cmid, "text", text, "ref", cmid));
    return cmid;
  }

  /** The answer to a {@link #post}: its {@code ack} or its {@code error}. */
  static JsonObject answer(ChatClient c, String cmid) {
    return c.await(f -> cmid.equals(f.getValue("ref")) && ("ack".equals(f.getString("type")) || "error".equals(f.getString("type"))));
  }

  static JsonObject ack(ChatClient c, String cmid) {
    return c.await(f -> "ack".equals(f.getString("type")) && cmid.equals(f.getString("clientMsgId")));
  }

  /** Sends a message and returns its ack. */
  static JsonObject say(ChatClient c, long room, String text) {
    return ack(c, post(c, room, text));
  }

  static JsonObject error(ChatClient c, String ref) {
    return c.answer("error", ref);
  }
}
