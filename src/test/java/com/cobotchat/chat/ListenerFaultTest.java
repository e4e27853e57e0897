package com.cobotchat.chat;

import com.cobotchat.app.Application;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A node whose listening connection is terminated loses no event")
class ListenerFaultTest extends TwoNodeTestBase {

  @Test
  void terminating_the_listener_of_a_node_while_messages_flow_leaves_every_client_gap_free() {
    Space space = space();
    long general = defaultRoom(space);
    List<ChatClient> senders = new ArrayList<>();
    List<ChatClient> everyone = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ChatClient c = connect(i % 2 == 0 ? nodeA : nodeB, member(space, "Sender " + i));
      senders.add(c);
      everyone.add(c);
    }
    for (int i = 0; i < 3; i++) {
      everyone.add(connect(nodeB, member(space, "Reader " + i)));
    }
    everyone.add(connect(nodeA, member(space, "Reader A")));
    long start = lastSeq(general);
    everyone.forEach(c -> subscribeAfter(c, general, start));
    double reconnectsBefore = reconnects(nodeB);

    Map<String, ChatClient> posted = new LinkedHashMap<>();
    int terminated = 0;
    for (int round = 0; round < 36; round++) {
      for (ChatClient s : senders) {
        posted.put(post(s, general, "round " + round), s);
      }
      if (round == 8 || round == 20) {
        terminated += terminateListener(nodeB);
      }
      sleep(110);
    }
    posted.forEach((cmid, c) -> assertThat(answer(c, cmid).getString("type")).isEqualTo("ack"));
    long end = lastSeq(general);

    assertThat(terminated).as("listening connections terminated").isEqualTo(2);
    assertThat(end - start).isEqualTo(posted.size());
    assertThat(dbSeqs(general, start)).isEqualTo(range(start, end));
    for (ChatClient c : everyone) {
      c.await(f -> "event".equals(f.getString("type")) && f.getLong("seq") == end, Duration.ofSeconds(10));
      assertThat(receivedSeqs(c, general)).as("what one client saw").isEqualTo(range(start, end));
      assertThat(c.isClosed()).isFalse();
    }
    assertThat(reconnects(nodeB) - reconnectsBefore).isGreaterThanOrEqualTo(2);
  }

  @Test
  void after_the_listener_is_back_a_node_applies_access_changes_whose_signals_it_missed() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    ChatClient adaOnB = connect(nodeB, ada);
    ChatClient bobOnB = connect(nodeB, bob);
    subscribe(adaOnB, general);
    subscribe(bobOnB, general);
    double reconnectsBefore = reconnects(nodeB);

    rows("DELETE FROM room_members WHERE member_id = $1", ada.id());
    rows("UPDATE members SET status = 'ended' WHERE id = $1", bob.id());
    assertThat(terminateListener(nodeB)).isEqualTo(1);

    JsonObject removed = adaOnB.await(f -> "room_removed".equals(f.getString("type")), Duration.ofSeconds(5));
    assertThat(removed.getString("room")).isEqualTo(id(general));
    assertThat(bobOnB.closeCode(Duration.ofSeconds(5))).isEqualTo(RoomMembership.LOST_SPACE);
    assertThat(adaOnB.isClosed()).isFalse();
    assertThat(reconnects(nodeB)).isGreaterThan(reconnectsBefore);
  }

  /** Terminates the node's listening connection; returns how many backends were terminated. */
  static int terminateListener(Application node) {
    String name = PgChatBus.applicationName(node.services().chat().nodeId());
    return rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
        name).size();
  }

  static double reconnects(Application node) {
    return node.services().registry().get("chat.bus.listener.reconnects").counter().count();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
