package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat protocol: edit, delete, history, typing, read, dm, presence, unsubscribe")
class ChatFramesTest extends ChatTestBase {

  private static boolean event(JsonObject f, String kind) {
    return "event".equals(f.getString("type")) && kind.equals(f.getString("kind"));
  }

  @Test
  void the_author_edits_and_subscribers_see_an_edit_event() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    subscribe(b, general);
    String messageId = say(a, general, "helo").getString("messageId");

    a.send(frame("edit", "room", id(general), "messageId", messageId, "text", "hello", "ref", "e1"));
    JsonObject ok = a.answer("ok", "e1");
    JsonObject edit = b.await(f -> event(f, "edit"));

    assertThat(edit.getLong("seq")).isEqualTo(ok.getLong("seq")).isEqualTo(lastSeq(general));
    assertThat(edit.getJsonObject("message").getString("id")).isEqualTo(messageId);
    assertThat(edit.getJsonObject("message").getString("text")).isEqualTo("hello");
    assertThat(edit.getJsonObject("message").getString("editedAt")).isNotNull();
    assertThat(rows("SELECT text FROM messages WHERE id = $1", Long.parseLong(messageId)).get(0).getString(0)).isEqualTo("hello");

    b.send(frame("edit", "room", id(general), "messageId", messageId, "text", "mine now", "ref", "e2"));
    assertThat(error(b, "e2").getString("code")).isEqualTo("forbidden");
    b.send(frame("edit", "room", id(general), "messageId", "999999999", "text", "x", "ref", "e3"));
    assertThat(error(b, "e3").getString("code")).isEqualTo("not_found");
  }

  @Test
  void the_author_or_an_admin_deletes_and_the_text_is_gone() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    ChatClient boss = connect(admin(space, "Boss"));
    subscribe(b, general);
    String first = say(a, general, "secret one").getString("messageId");
    String second = say(a, general, "secret two").getString("messageId");
    String third = say(a, general, "third").getString("messageId");

    a.send(frame("delete", "room", id(general), "messageId", first, "ref", "d1"));
    a.answer("ok", "d1");
    JsonObject deleted = b.await(f -> event(f, "delete"));
    assertThat(deleted.getJsonObject("message").getString("id")).isEqualTo(first);
    assertThat(deleted.getJsonObject("message").getBoolean("deleted")).isTrue();
    assertThat(deleted.getJsonObject("message").getValue("text")).isNull();

    boss.send(frame("delete", "room", id(general), "messageId", second, "ref", "d2"));
    boss.answer("ok", "d2");
    b.send(frame("delete", "room", id(general), "messageId", third, "ref", "d3"));
    assertThat(error(b, "d3").getString("code")).isEqualTo("forbidden");
    a.send(frame("delete", "room", id(general), "messageId", first, "ref", "d4"));
    assertThat(error(a, "d4").getString("code")).isEqualTo("not_found");

    assertThat(rows("SELECT count(*) FROM messages WHERE room_id = $1 AND text LIKE 'secret%'", general).get(0).getLong(0))
        .isZero();
    b.send(frame("history", "room", id(general), "ref", "h"));
    JsonArray history = b.answer("history", "h").getJsonArray("events");
    assertThat(history.encode()).doesNotContain("secret");
    assertThat(history.stream().map(e -> (JsonObject) e).filter(e -> e.getJsonObject("message") != null
        && e.getJsonObject("message").getString("id").equals(first)).allMatch(e -> e.getJsonObject("message").getBoolean("deleted")))
        .isTrue();
  }

  @Test
  void history_pages_backwards_with_the_newest_last() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    for (int i = 0; i < 15; i++) {
      a.send(frame("send", "room", id(general), "clientMsgId", "a" + i, "text", "a" + i));
      b.send(frame("send", "room", id(general), "clientMsgId", "b" + i, "text", "b" + i));
    }
    a.await(f -> "a14".equals(f.getString("clientMsgId")));
    b.await(f -> "b14".equals(f.getString("clientMsgId")));
    long last = lastSeq(general);

    a.send(frame("history", "room", id(general), "before", last + 1, "limit", 10, "ref", "h1"));
    JsonObject page = a.answer("history", "h1");
    assertThat(page.getString("room")).isEqualTo(id(general));
    assertThat(seqs(page.getJsonArray("events"))).containsExactly(
        last - 9, last - 8, last - 7, last - 6, last - 5, last - 4, last - 3, last - 2, last - 1, last);
    assertThat(page.getBoolean("more")).isTrue();

    a.send(frame("history", "room", id(general), "before", 3, "limit", 10, "ref", "h2"));
    JsonObject oldest = a.answer("history", "h2");
    assertThat(seqs(oldest.getJsonArray("events"))).containsExactly(1L, 2L);
    assertThat(oldest.getBoolean("more")).isFalse();

    a.send(frame("history", "room", id(general), "limit", 1000, "ref", "h3"));
    assertThat(a.answer("history", "h3").getJsonArray("events").size()).isEqualTo((int) Math.min(100, last));
    a.send(frame("history", "room", id(general), "limit", 0, "ref", "h4"));
    assertThat(error(a, "h4").getString("code")).isEqualTo("bad_request");
  }

  private static List<Long> seqs(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getLong("seq")).toList();
  }

  @Test
  void typing_reaches_the_other_subscribers_only() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    ChatClient a = connect(ada);
    ChatClient b = connect(member(space, "Bob"));
    subscribe(a, general);
    subscribe(b, general);

    a.send(frame("typing", "room", id(general)));

    JsonObject typing = b.next("typing");
    assertThat(typing.getString("room")).isEqualTo(id(general));
    assertThat(typing.getJsonObject("user").getString("id")).isEqualTo(id(ada.id()));
    assertThat(typing.getJsonObject("user").getString("name")).isEqualTo("Ada");
    assertThat(a.drain(f -> "typing".equals(f.getString("type")), Duration.ofMillis(300))).isEmpty();
  }

  @Test
  void read_stores_the_marker_and_tells_every_socket_of_the_member() {
    Space space = space();
    long general = defaultRoom(space);
    Member bob = member(space, "Bob");
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b1 = connect(bob);
    ChatClient b2 = connect(bob);
    say(a, general, "1");
    say(a, general, "2");
    long secondToLast = say(a, general, "3").getLong("seq") - 1;

    b1.send(frame("read", "room", id(general), "seq", secondToLast));

    for (ChatClient c : List.of(b1, b2)) {
      JsonObject unread = c.next("unread");
      assertThat(unread.getString("room")).isEqualTo(id(general));
      assertThat(unread.getLong("readSeq")).isEqualTo(secondToLast);
      assertThat(unread.getLong("unread")).isEqualTo(1);
    }
    assertThat(rows("SELECT read_seq FROM read_markers WHERE member_id = $1 AND room_id = $2", bob.id(), general)
        .get(0).getLong(0)).isEqualTo(secondToLast);

    b2.send(frame("read", "room", id(general), "seq", 1));
    assertThat(b2.next("unread").getLong("readSeq")).as("a marker never moves back").isEqualTo(secondToLast);
    b2.send(frame("read", "room", id(general), "seq", 1_000_000));
    JsonObject all = b2.next("unread");
    assertThat(all.getLong("readSeq")).as("nor past the room's end").isEqualTo(lastSeq(general));
    assertThat(all.getLong("unread")).isZero();
    ChatClient again = connect(bob);
    assertThat(again.received().get(0).getJsonArray("rooms").getJsonObject(0).getLong("readSeq")).isEqualTo(lastSeq(general));
  }

  @Test
  void dm_creates_the_direct_room_once_and_tells_both_members() {
    Space space = space();
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient a = connect(ada);
    ChatClient b = connect(bob);

    a.send(frame("dm", "user", id(bob.id()), "ref", "dm1"));
    JsonObject mine = a.answer("room_added", "dm1").getJsonObject("room");
    JsonObject theirs = b.next("room_added").getJsonObject("room");

    assertThat(mine.getString("kind")).isEqualTo("dm");
    assertThat(mine.getString("name")).isEqualTo("Bob");
    assertThat(mine.getJsonObject("user").getString("id")).isEqualTo(id(bob.id()));
    assertThat(theirs.getString("id")).isEqualTo(mine.getString("id"));
    assertThat(theirs.getString("name")).isEqualTo("Ada");
    b.send(frame("dm", "user", id(ada.id()), "ref", "dm2"));
    assertThat(b.answer("room_added", "dm2").getJsonObject("room").getString("id")).isEqualTo(mine.getString("id"));
    assertThat(rows("SELECT count(*) FROM rooms WHERE space_id = $1 AND kind = 'dm'", space.id()).get(0).getLong(0)).isEqualTo(1);

    long dm = Long.parseLong(mine.getString("id"));
    subscribe(b, dm);
    subscribe(a, dm);
    say(a, dm, "psst");
    assertThat(b.await(f -> event(f, "message")).getJsonObject("message").getString("text")).isEqualTo("psst");
    a.send(frame("dm", "user", id(ada.id()), "ref", "self"));
    assertThat(error(a, "self").getString("code")).isEqualTo("bad_request");
  }

  @Test
  void unsubscribe_stops_live_events() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    subscribe(b, general);
    b.send(frame("unsubscribe", "room", id(general)));
    b.send(frame("ping", "ref", "p"));
    b.answer("pong", "p");

    say(a, general, "into the void");

    assertThat(b.drain(f -> "event".equals(f.getString("type")), Duration.ofMillis(400))).isEmpty();
  }

  @Test
  void presence_lists_the_online_members_of_a_room() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    Member cy = member(space, "Cy");
    ChatClient a = connect(ada);
    ChatClient b = connect(bob);
    subscribe(a, general);

    JsonObject first = a.await(f -> "presence".equals(f.getString("type")));
    assertThat(first.getString("room")).isEqualTo(id(general));
    assertThat(first.getJsonArray("online").getList()).containsExactlyInAnyOrder(id(ada.id()), id(bob.id()));

    connect(cy);
    a.await(f -> "presence".equals(f.getString("type")) && f.getJsonArray("online").contains(id(cy.id())));
    b.close();
    a.await(f -> "presence".equals(f.getString("type")) && !f.getJsonArray("online").contains(id(bob.id())));
  }
}
