package com.cobotchat.chat;

import com.cobotchat.app.Application;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.sso.PageTokens;
import com.cobotchat.sso.Sessions;
import com.cobotchat.testing.ChatClient;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Two nodes on one database: chat, removals, tickets, presence and limits cross nodes")
class MultiNodeChatTest extends TwoNodeTestBase {

  @Test
  void members_on_different_nodes_chat_and_see_the_same_gap_free_sequence() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient onA = connect(nodeA, ada);
    ChatClient onB = connect(nodeB, bob);
    long start = subscribe(onA, general).getLong("lastSeq");
    subscribe(onB, general);

    List<String> fromAda = new ArrayList<>();
    List<String> fromBob = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      fromAda.add(post(onA, general, "ada " + i));
      fromBob.add(post(onB, general, "bob " + i));
      if (i == 7) {
        membership(nodeB).applyRules(fixtures.member(space, "Cleo").id()).await();
      }
    }
    fromAda.forEach(cmid -> ack(onA, cmid));
    fromBob.forEach(cmid -> ack(onB, cmid));
    long end = lastSeq(general);

    assertThat(end - start).isEqualTo(31);
    assertThat(dbSeqs(general, start)).isEqualTo(range(start, end));
    for (ChatClient c : List.of(onA, onB)) {
      c.await(f -> "event".equals(f.getString("type")) && f.getLong("seq") == end);
      assertThat(receivedSeqs(c, general).stream().filter(s -> s > start).toList()).isEqualTo(range(start, end));
    }
    assertThat(receivedEvents(onB, general, start)).isEqualTo(receivedEvents(onA, general, start));
    assertThat(receivedEvents(onA, general, start)).anyMatch(e -> e.contains("\"member_joined\""));
  }

  @Test
  void a_removal_decided_on_one_node_closes_the_members_socket_on_the_other_within_a_second() {
    Space space = space();
    long general = defaultRoom(space);
    Member bob = member(space, "Bob");
    ChatClient onB = connect(nodeB, bob);
    subscribe(onB, general);

    long started = System.nanoTime();
    membership(nodeA).removeFromSpace(bob.id()).await();

    JsonObject removed = onB.await(f -> "room_removed".equals(f.getString("type")), Duration.ofSeconds(1));
    assertThat(removed.getString("room")).isEqualTo(id(general));
    assertThat(onB.closeCode(Duration.ofSeconds(1))).isEqualTo(RoomMembership.LOST_SPACE);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void close_member_on_one_node_closes_sockets_on_both() {
    Space space = space();
    Member ada = member(space, "Ada");
    ChatClient onA = connect(nodeA, ada);
    ChatClient onB = connect(nodeB, ada);

    membership(nodeB).closeMember(ada.id(), 4401);

    assertThat(onA.closeCode(Duration.ofSeconds(1))).isEqualTo(4401);
    assertThat(onB.closeCode(Duration.ofSeconds(1))).isEqualTo(4401);
  }

  @Test
  void a_ticket_from_node_a_opens_a_socket_on_node_b() {
    Space space = space();
    Member ada = member(space, "Ada");
    Sessions.Session session = nodeA.services().sessions().create(ada.id()).await();
    String pageToken = new PageTokens(nodeA.services().config().secret(), Clock.systemUTC()).issue(session.hash());

    Http.Response answer = new Http().postJson("http://127.0.0.1:" + port(nodeA) + "/api/ws-ticket", pageToken,
        new JsonObject());
    assertThat(answer.status()).isEqualTo(200);
    ChatClient onB = ChatClient.connect(clients, port(nodeB), answer.json().getString("ticket"), publicUrl);
    opened.add(onB);

    JsonObject ready = onB.next("ready");
    assertThat(ready.getJsonObject("user").getString("id")).isEqualTo(id(ada.id()));

    Http.Response viaB = new Http().postJson("http://127.0.0.1:" + port(nodeB) + "/api/ws-ticket",
        answer.json().getString("pageToken"), new JsonObject());
    assertThat(viaB.status()).as("a session made on node A holds on node B").isEqualTo(200);
    ChatClient back = ChatClient.connect(clients, port(nodeA), viaB.json().getString("ticket"), publicUrl);
    opened.add(back);
    assertThat(back.next("ready").getJsonObject("user").getString("id")).isEqualTo(id(ada.id()));
  }

  @Test
  void room_changes_and_archives_on_one_node_reach_sockets_on_the_other() {
    Space space = space();
    Member admin = admin(space, "Adele");
    Member bob = member(space, "Bob");
    long room = membership(nodeA).createRoom(admin.id(), "projects", "channel", RoomMembership.AutoJoin.ALL).await();
    ChatClient onB = connect(nodeB, bob);
    subscribe(onB, room);

    membership(nodeA).renameRoom(admin.id(), room, "projects-2026").await();
    JsonObject updated = onB.await(f -> "room_updated".equals(f.getString("type")), Duration.ofSeconds(2));
    assertThat(updated.encode()).contains("projects-2026");

    membership(nodeA).archiveRoom(admin.id(), room).await();
    JsonObject removed = onB.await(f -> "room_removed".equals(f.getString("type")), Duration.ofSeconds(2));
    assertThat(removed.getString("room")).isEqualTo(id(room));
  }

  @Test
  void typing_and_unread_frames_cross_nodes() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient adaOnA = connect(nodeA, ada);
    ChatClient adaOnB = connect(nodeB, ada);
    ChatClient bobOnB = connect(nodeB, bob);
    subscribe(bobOnB, general);
    subscribe(adaOnA, general);

    adaOnA.send(frame("typing", "room", id(general)));
    JsonObject typing = bobOnB.await(f -> "typing".equals(f.getString("type")), Duration.ofSeconds(2));
    assertThat(typing.getJsonObject("user").getString("id")).isEqualTo(id(ada.id()));

    long seq = say(bobOnB, general, "hi Ada").getLong("seq");
    adaOnA.send(frame("read", "room", id(general), "seq", seq));
    JsonObject unread = adaOnB.await(f -> "unread".equals(f.getString("type")), Duration.ofSeconds(2));
    assertThat(unread.getLong("readSeq")).isEqualTo(seq);
  }

  @Test
  void presence_shows_members_online_on_the_other_node_and_drops_them_when_they_leave() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient onA = connect(nodeA, ada);
    subscribe(onA, general);

    ChatClient onB = connect(nodeB, bob);
    onA.await(f -> "presence".equals(f.getString("type")) && online(f).contains(id(bob.id())), Duration.ofSeconds(3));
    subscribe(onB, general);
    onB.await(f -> "presence".equals(f.getString("type")) && online(f).contains(id(ada.id())), Duration.ofSeconds(3));

    onA.drain(f -> "presence".equals(f.getString("type")), Duration.ofMillis(400));
    assertThat(rows("SELECT 1 FROM chat_presence WHERE member_id = $1", bob.id())).hasSize(1);

    onB.close();
    onA.await(f -> "presence".equals(f.getString("type")) && !online(f).contains(id(bob.id())), Duration.ofSeconds(3));
    assertThat(rows("SELECT 1 FROM chat_presence WHERE member_id = $1", bob.id())).as("written before the signal went")
        .isEmpty();
  }

  @Test
  void a_node_started_later_learns_who_is_online_elsewhere() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient onA = connect(nodeA, ada);
    eventually(Duration.ofSeconds(3), () -> !rows("SELECT 1 FROM chat_presence WHERE member_id = $1", ada.id()).isEmpty(),
        "Ada's presence row");

    Application nodeC = Application.start(config(TestConfigs.freePort()), l -> { });
    try {
      ChatClient onC = connect(nodeC, bob);
      subscribe(onC, general);
      onC.await(f -> "presence".equals(f.getString("type")) && online(f).contains(id(ada.id())), Duration.ofSeconds(3));
      assertThat(nodeC.services().chat().liveNodes()).isGreaterThanOrEqualTo(1);
      eventually(Duration.ofSeconds(4), () -> nodeA.services().chat().liveNodes() == 3, "node A counts three nodes");
    } finally {
      nodeC.stop();
    }
    assertThat(onA.isClosed()).isFalse();
    eventually(Duration.ofSeconds(4), () -> nodeA.services().chat().liveNodes() == 2, "node A counts two nodes again");
  }

  @Test
  void the_send_limit_holds_per_member_across_nodes() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    ChatClient onA = connect(nodeA, ada);
    ChatClient onB = connect(nodeB, ada);
    eventually(Duration.ofSeconds(3), () -> nodeA.services().chat().presence().nodesOnline(ada.id()) == 2
        && nodeB.services().chat().presence().nodesOnline(ada.id()) == 2, "both nodes see Ada on two nodes");

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add(post(onA, general, "a" + i));
      sent.add(post(onB, general, "b" + i));
    }
    int acked = 0;
    int limited = 0;
    for (int i = 0; i < sent.size(); i++) {
      String cmid = sent.get(i);
      JsonObject answer = answer(i % 2 == 0 ? onA : onB, cmid);
      if ("ack".equals(answer.getString("type"))) {
        acked++;
      } else if ("rate_limited".equals(answer.getString("code"))) {
        limited++;
      }
    }

    assertThat(acked).as("about the burst of %d, shared by the two nodes", ChatNode.SEND_BURST)
        .isBetween(ChatNode.SEND_BURST - 2, ChatNode.SEND_BURST + 4);
    assertThat(limited).isEqualTo(sent.size() - acked);
  }

  @Test
  void a_node_with_chat_bus_local_refuses_to_start_beside_a_live_node() {
    assertThatThrownBy(() -> Application.start(config(TestConfigs.freePort(), Map.of("CHAT_BUS", "local")), l -> { }))
        .hasMessageContaining("CHAT_BUS=local").hasMessageContaining("CHAT_BUS=postgres");
    eventually(Duration.ofSeconds(3), () -> rows("SELECT 1 FROM chat_nodes WHERE bus = 'local'").isEmpty(),
        "the refused node left no row");
  }

  private static List<String> online(JsonObject presence) {
    JsonArray ids = presence.getJsonArray("online");
    List<String> out = new ArrayList<>();
    ids.forEach(v -> out.add(String.valueOf(v)));
    return out;
  }
}
