package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat protocol: connect, subscribe, send, live events")
class ChatProtocolTest extends ChatTestBase {

  @Test
  void ready_lists_the_members_rooms_with_counts() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient b = connect(bob);
    subscribe(b, general);
    say(b, general, "hello");
    say(b, general, "anyone?");

    ChatClient a = ChatClient.connect(clients, port(), ticket(ada), origin());
    opened.add(a);
    JsonObject ready = a.next("ready");

    assertThat(ready.getInteger("protocol")).isEqualTo(1);
    assertThat(ready.getJsonObject("user").getString("id")).isEqualTo(id(ada.id()));
    assertThat(ready.getJsonObject("user").getString("name")).isEqualTo("Ada");
    assertThat(ready.getJsonObject("user").getBoolean("admin")).isFalse();
    assertThat(ready.getJsonObject("space").getString("subdomain")).isEqualTo(space.subdomain());
    JsonArray rooms = ready.getJsonArray("rooms");
    assertThat(rooms).hasSize(1);
    JsonObject room = rooms.getJsonObject(0);
    assertThat(room.getString("id")).isEqualTo(id(general));
    assertThat(room.getString("name")).isEqualTo("general");
    assertThat(room.getString("kind")).isEqualTo("channel");
    assertThat(room.getLong("lastSeq")).isEqualTo(lastSeq(general));
    assertThat(room.getLong("readSeq")).isZero();
    assertThat(room.getLong("unread")).isEqualTo(2);
  }

  @Test
  void a_sent_message_is_acked_after_commit_and_reaches_subscribers() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    long before = subscribe(a, general).getLong("lastSeq");
    subscribe(b, general);

    JsonObject ack = say(a, general, "  hello Bob  ");

    assertThat(ack.getLong("seq")).isEqualTo(before + 1);
    var stored = rows("SELECT text, seq FROM messages WHERE id = $1", Long.parseLong(ack.getString("messageId")));
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getString("text")).isEqualTo("hello Bob");
    JsonObject event = b.await(f -> "event".equals(f.getString("type")) && f.getLong("seq") == before + 1);
    assertThat(event.getString("room")).isEqualTo(id(general));
    assertThat(event.getString("kind")).isEqualTo("message");
    assertThat(event.getString("at")).endsWith("Z");
    JsonObject message = event.getJsonObject("message");
    assertThat(message.getString("id")).isEqualTo(ack.getString("messageId"));
    assertThat(message.getString("text")).isEqualTo("hello Bob");
    assertThat(message.getJsonObject("author").getString("name")).isEqualTo("Ada");
    assertThat(message.getValue("editedAt")).isNull();
    assertThat(message.getBoolean("deleted")).isFalse();
    assertThat(a.await(f -> "event".equals(f.getString("type")) && f.getLong("seq") == before + 1)).isNotNull();
  }

  @Test
  void a_repeated_client_msg_id_gets_the_same_ack_and_creates_nothing() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    a.send(frame("send", "room", id(general), "clientMsgId", "c-1", "text", "once", "ref", "r1"));
    JsonObject first = a.answer("ack", "r1");
    a.send(frame("send", "room", id(general), "clientMsgId", "c-1", "text", "once", "ref", "r2"));
    JsonObject second = a.answer("ack", "r2");

    assertThat(second.getString("messageId")).isEqualTo(first.getString("messageId"));
    assertThat(second.getLong("seq")).isEqualTo(first.getLong("seq"));
    assertThat(rows("SELECT count(*) FROM messages WHERE room_id = $1 AND client_msg_id = 'c-1'", general).get(0).getLong(0))
        .isEqualTo(1);
    assertThat(lastSeq(general)).isEqualTo(first.getLong("seq"));
  }

  @Test
  void subscribe_without_after_returns_the_latest_fifty_and_says_more() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient[] writers = {connect(member(space, "Ada")), connect(member(space, "Cy")), connect(member(space, "Dee"))};
    for (int i = 0; i < 55; i++) {
      writers[i % 3].send(frame("send", "room", id(general), "clientMsgId", "m" + i, "text", "n" + i));
    }
    for (int i = 52; i < 55; i++) {
      String cmid = "m" + i;
      writers[i % 3].await(f -> "ack".equals(f.getString("type")) && cmid.equals(f.getString("clientMsgId")));
    }
    ChatClient bob = connect(member(space, "Bob"));
    long last = lastSeq(general);

    JsonObject answer = subscribe(bob, general);

    JsonArray events = answer.getJsonArray("events");
    assertThat(events).hasSize(50);
    assertThat(answer.getLong("lastSeq")).isEqualTo(last);
    assertThat(answer.getBoolean("more")).isTrue();
    assertThat(events.getJsonObject(49).getLong("seq")).isEqualTo(last);
    assertThat(events.getJsonObject(0).getLong("seq")).isEqualTo(last - 49);
  }

  @Test
  void subscribe_after_returns_exactly_the_missed_events_then_live_ones() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    long start = lastSeq(general);
    say(a, general, "one");
    say(a, general, "two");
    ChatClient b = connect(member(space, "Bob"));

    JsonObject answer = subscribeAfter(b, general, start);
    JsonArray events = answer.getJsonArray("events");

    assertThat(answer.getBoolean("more")).isFalse();
    assertThat(events.stream().map(e -> ((JsonObject) e).getLong("seq")).toList())
        .containsExactly(start + 1, start + 2, start + 3);
    assertThat(answer.getLong("lastSeq")).isEqualTo(start + 3);
    assertThat(events.getJsonObject(1).getJsonObject("message").getString("text")).isEqualTo("two");
    say(a, general, "three");
    assertThat(b.await(f -> "event".equals(f.getString("type"))).getLong("seq")).isEqualTo(start + 4);
  }

  @Test
  void ping_is_answered_with_pong() {
    Space space = space();
    ChatClient a = connect(member(space, "Ada"));
    a.send(frame("ping", "ref", "p"));
    assertThat(a.answer("pong", "p")).isNotNull();
  }
}
