package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat authorisation: at connect and on every frame")
class ChatAuthorisationTest extends ChatTestBase {

  @Test
  void another_origin_is_closed_with_1008() {
    Member ada = member(space(), "Ada");
    assertThat(connectRaw(ticket(ada), "https://evil.example").closeCode(ChatClient.WAIT)).isEqualTo(1008);
    assertThat(connectRaw(ticket(ada), "null").closeCode(ChatClient.WAIT)).isEqualTo(1008);
    assertThat(connectRaw(ticket(ada), "http://127.0.0.1:1").closeCode(ChatClient.WAIT)).isEqualTo(1008);
    assertThat(connectRaw(ticket(ada), origin()).next("ready")).as("the ticket was not used up").isNotNull();
  }

  @Test
  void an_invalid_or_used_ticket_is_closed_with_4401() {
    Member ada = member(space(), "Ada");
    assertThat(connectRaw("forged", origin()).closeCode(ChatClient.WAIT)).isEqualTo(4401);
    assertThat(connectRaw(null, origin()).closeCode(ChatClient.WAIT)).isEqualTo(4401);
    String ticket = ticket(ada);
    connectRaw(ticket, origin()).next("ready");
    assertThat(connectRaw(ticket, origin()).closeCode(ChatClient.WAIT)).isEqualTo(4401);
  }

  @Test
  void a_member_who_may_not_chat_is_closed_with_4403() {
    Member ada = member(space(), "Ada");
    app.services().members().setStatus(app.services().pool(), ada.id(), MemberStatus.ENDED).await();
    assertThat(connectRaw(ticket(ada), origin()).closeCode(ChatClient.WAIT)).isEqualTo(4403);
  }

  @Test
  void a_member_of_one_space_reaches_nothing_of_another_by_guessing_ids() {
    Space home = space();
    Space other = space();
    long otherGeneral = defaultRoom(other);
    Member ada = admin(home, "Ada");
    Member bob = member(other, "Bob");
    Member cy = member(other, "Cy");
    ChatClient b = connect(bob);
    subscribe(b, otherGeneral);
    String bobsMessage = say(b, otherGeneral, "private to other").getString("messageId");
    b.await(f -> "event".equals(f.getString("type")));
    long otherDm = membership().openDirect(bob.id(), cy.id()).await();
    b.next("room_added");
    long homeGeneral = defaultRoom(home);
    long eventsBefore = lastSeq(otherGeneral);
    long messagesBefore = rows("SELECT count(*) FROM messages").get(0).getLong(0);
    ChatClient a = connect(ada);

    List<JsonObject> attempts = List.of(
        frame("subscribe", "room", id(otherGeneral)),
        frame("subscribe", "room", id(otherGeneral), "after", 0),
        frame("subscribe", "room", id(otherDm)),
        frame("history", "room", id(otherGeneral)),
        frame("history", "room", id(otherDm), "before", 10),
        frame("send", "room", id(otherGeneral), "clientMsgId", "x1", "text", "hi"),
        frame("send", "room", id(otherDm), "clientMsgId", "x2", "text", "hi"),
        frame("edit", "room", id(otherGeneral), "messageId", bobsMessage, "text", "hacked"),
        frame("edit", "room", id(homeGeneral), "messageId", bobsMessage, "text", "hacked"),
        frame("delete", "room", id(otherGeneral), "messageId", bobsMessage),
        frame("delete", "room", id(homeGeneral), "messageId", bobsMessage),
        frame("read", "room", id(otherGeneral), "seq", 1),
        frame("typing", "room", id(otherGeneral)),
        frame("dm", "user", id(bob.id())),
        frame("room_members", "room", id(otherGeneral)),
        frame("room_rename", "room", id(otherGeneral), "name", "pwned"),
        frame("room_archive", "room", id(otherGeneral)),
        frame("room_set_rule", "room", id(otherGeneral), "autoJoin", "none"),
        frame("room_add_member", "room", id(otherGeneral), "user", id(ada.id())),
        frame("room_remove_member", "room", id(otherGeneral), "user", id(bob.id())),
        frame("room_add_member", "room", id(homeGeneral), "user", id(bob.id())),
        frame("room_remove_member", "room", id(homeGeneral), "user", id(bob.id())));
    for (int i = 0; i < attempts.size(); i++) {
      String ref = "g" + i;
      a.send(attempts.get(i).copy().put("ref", ref));
      JsonObject answer = a.await(f -> ref.equals(f.getValue("ref")));
      assertThat(answer.getString("type")).as("answer to %s", attempts.get(i)).isEqualTo("error");
      assertThat(answer.getString("code")).as("answer to %s", attempts.get(i)).isEqualTo("not_found");
    }

    assertThat(lastSeq(otherGeneral)).isEqualTo(eventsBefore);
    assertThat(rows("SELECT count(*) FROM messages").get(0).getLong(0)).isEqualTo(messagesBefore);
    assertThat(rows("SELECT text FROM messages WHERE id = $1", Long.parseLong(bobsMessage)).get(0).getString(0))
        .isEqualTo("private to other");
    assertThat(rows("SELECT name, archived_at FROM rooms WHERE id = $1", otherGeneral).get(0).getString(0)).isEqualTo("general");
    assertThat(rows("SELECT count(*) FROM room_members WHERE member_id = $1 AND room_id = $2", ada.id(), otherGeneral)
        .get(0).getLong(0)).isZero();
    assertThat(rows("SELECT count(*) FROM room_members WHERE member_id = $1", bob.id()).get(0).getLong(0)).isEqualTo(2);
    assertThat(b.drain(f -> !"presence".equals(f.getString("type")), Duration.ofMillis(300))).isEmpty();
    a.send(frame("members", "ref", "m"));
    assertThat(a.answer("members", "m").getJsonArray("members").encode()).doesNotContain("Bob").contains("Ada");
  }

  @Test
  void a_room_the_member_is_not_in_is_not_found() {
    Space space = space();
    Member boss = admin(space, "Boss");
    Member ada = member(space, "Ada");
    long secret = membership().createRoom(boss.id(), "board", "private", RoomMembership.AutoJoin.NONE).await();
    ChatClient a = connect(ada);
    for (JsonObject attempt : List.of(frame("subscribe", "room", id(secret)), frame("history", "room", id(secret)),
        frame("send", "room", id(secret), "clientMsgId", "c", "text", "t"), frame("typing", "room", id(secret)),
        frame("read", "room", id(secret), "seq", 1), frame("room_members", "room", id(secret)))) {
      a.send(attempt.copy().put("ref", "r"));
      assertThat(a.answer("error", "r").getString("code")).as("answer to %s", attempt).isEqualTo("not_found");
    }
    long dm = membership().openDirect(ada.id(), member(space, "Bob").id()).await();
    ChatClient chief = connect(boss);
    chief.send(frame("room_members", "room", id(dm), "ref", "peek"));
    assertThat(error(chief, "peek").getString("code")).as("admins do not see into direct rooms").isEqualTo("not_found");
    chief.send(frame("room_members", "room", id(secret), "ref", "own"));
    assertThat(chief.answer("room_members", "own").getJsonArray("members")).hasSize(1);
  }

  @Test
  void non_admins_are_forbidden_the_admin_operations() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient a = connect(ada);
    List<JsonObject> attempts = List.of(
        frame("room_create", "name", "mine"),
        frame("room_rename", "room", id(general), "name", "mine"),
        frame("room_archive", "room", id(general)),
        frame("room_set_rule", "room", id(general), "autoJoin", "none"),
        frame("room_add_member", "room", id(general), "user", id(bob.id())),
        frame("room_remove_member", "room", id(general), "user", id(bob.id())),
        frame("rooms"));
    for (int i = 0; i < attempts.size(); i++) {
      String ref = "n" + i;
      a.send(attempts.get(i).copy().put("ref", ref));
      assertThat(error(a, ref).getString("code")).as("answer to %s", attempts.get(i)).isEqualTo("forbidden");
    }
    assertThat(rows("SELECT count(*) FROM rooms WHERE space_id = $1", space.id()).get(0).getLong(0)).isEqualTo(1);
    assertThat(rows("SELECT name FROM rooms WHERE id = $1", general).get(0).getString(0)).isEqualTo("general");
  }

  @Test
  void an_admin_demoted_while_connected_loses_the_admin_operations() {
    Space space = space();
    long general = defaultRoom(space);
    Member boss = admin(space, "Boss");
    ChatClient chief = connect(boss);
    chief.send(frame("rooms", "ref", "before"));
    assertThat(chief.answer("rooms", "before").getJsonArray("rooms")).hasSize(1);

    app.services().members().setAdmin(app.services().pool(), space.id(), boss.cobotUserId(), false).await();

    for (JsonObject attempt : List.of(frame("rooms"), frame("room_rename", "room", id(general), "name", "x"),
        frame("room_create", "name", "y"))) {
      chief.send(attempt.copy().put("ref", "after"));
      assertThat(error(chief, "after").getString("code")).as("answer to %s", attempt).isEqualTo("forbidden");
    }
  }
}
