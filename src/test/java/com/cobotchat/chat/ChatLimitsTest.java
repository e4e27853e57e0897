package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat limits: text length, send rate, subscriptions")
class ChatLimitsTest extends ChatTestBase {

  @Test
  void text_is_one_to_4000_characters_after_trimming() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));

    a.send(frame("send", "room", id(general), "clientMsgId", "long", "text", "x".repeat(4001), "ref", "t1"));
    JsonObject tooLong = error(a, "t1");
    assertThat(tooLong.getString("code")).isEqualTo("too_large");
    a.send(frame("send", "room", id(general), "clientMsgId", "blank", "text", " \n\t ", "ref", "t2"));
    assertThat(error(a, "t2").getString("code")).isEqualTo("bad_request");
    a.send(frame("send", "room", id(general), "clientMsgId", "max", "text", "  " + "y".repeat(4000) + "  ", "ref", "t3"));
    assertThat(a.answer("ack", "t3").getLong("seq")).isPositive();
    a.send(frame("send", "room", id(general), "clientMsgId", "emoji", "text", "\uD83D\uDE00".repeat(4000), "ref", "t4"));
    assertThat(a.answer("ack", "t4").getLong("seq")).as("4000 emoji are 4000 characters").isPositive();
    assertThat(rows("SELECT count(*) FROM messages WHERE room_id = $1", general).get(0).getLong(0)).isEqualTo(2);
  }

  @Test
  void sends_beyond_the_burst_are_rate_limited_with_a_retry_hint() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    ChatClient a = connect(ada);
    ChatClient also = connect(ada);
    for (int i = 0; i < 15; i++) {
      a.send(frame("send", "room", id(general), "clientMsgId", "a" + i, "text", "t", "ref", "a" + i));
      also.send(frame("send", "room", id(general), "clientMsgId", "b" + i, "text", "t", "ref", "b" + i));
    }
    List<JsonObject> answers = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      String ra = "a" + i;
      String rb = "b" + i;
      answers.add(a.await(f -> ra.equals(f.getValue("ref"))));
      answers.add(also.await(f -> rb.equals(f.getValue("ref"))));
    }
    List<JsonObject> limited = answers.stream().filter(f -> "error".equals(f.getString("type"))).toList();
    long acks = answers.stream().filter(f -> "ack".equals(f.getString("type"))).count();

    assertThat(acks).as("the burst of 20 passes, the limit is per member across sockets").isBetween(20L, 24L);
    assertThat(limited).isNotEmpty().allSatisfy(e -> {
      assertThat(e.getString("code")).isEqualTo("rate_limited");
      assertThat(e.getLong("retryAfterMs")).isBetween(1L, 1000L);
    });
    a.drain(f -> false, Duration.ofMillis(300));
    a.send(frame("send", "room", id(general), "clientMsgId", "later", "text", "t", "ref", "later"));
    assertThat(a.answer("ack", "later")).isNotNull();
  }

  @Test
  void a_connection_gets_at_most_32_requests_in_flight() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    for (int i = 0; i < 200; i++) {
      a.send(frame("history", "room", id(general), "limit", 1, "ref", "h" + i));
    }
    int answered = 0;
    int limited = 0;
    for (int i = 0; i < 200; i++) {
      String ref = "h" + i;
      JsonObject answer = a.await(f -> ref.equals(f.getValue("ref")));
      if ("error".equals(answer.getString("type"))) {
        assertThat(answer.getString("code")).isEqualTo("rate_limited");
        limited++;
      } else {
        answered++;
      }
    }
    assertThat(answered).isGreaterThanOrEqualTo(32);
    assertThat(answered + limited).isEqualTo(200);
    a.send(frame("history", "room", id(general), "ref", "after"));
    assertThat(a.answer("history", "after")).isNotNull();
  }

  @Test
  void a_connection_holds_at_most_fifty_subscriptions() {
    Space space = space();
    Member boss = admin(space, "Boss");
    List<Long> rooms = new ArrayList<>();
    rooms.add(defaultRoom(space));
    for (int i = 0; i < 50; i++) {
      rooms.add(membership().createRoom(boss.id(), "room " + i, "channel", RoomMembership.AutoJoin.NONE).await());
    }
    ChatClient c = connect(boss);
    for (int i = 0; i < 50; i++) {
      subscribe(c, rooms.get(i));
    }
    c.send(frame("subscribe", "room", id(rooms.get(50)), "ref", "51st"));
    assertThat(error(c, "51st").getString("code")).isEqualTo("too_large");
    assertThat(subscribe(c, rooms.get(3)).getString("room")).as("subscribing again replaces").isEqualTo(id(rooms.get(3)));
    c.send(frame("unsubscribe", "room", id(rooms.get(0))));
    assertThat(subscribe(c, rooms.get(50)).getString("room")).isEqualTo(id(rooms.get(50)));
  }
}
