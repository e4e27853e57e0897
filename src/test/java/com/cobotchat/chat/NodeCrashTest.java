package com.cobotchat.chat;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.NodeProcess;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.cobotchat.chat.TwoNodeTestBase.frame;
import static com.cobotchat.chat.TwoNodeTestBase.id;
import static com.cobotchat.chat.TwoNodeTestBase.range;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node A runs in its own JVM and is killed with SIGKILL while messages flow; node B runs in the test.
 * A's clients reconnect to B with {@code after} and resend what was not acknowledged.
 */
@DisplayName("A node killed while messages flow: its clients catch up exactly on the other node")
class NodeCrashTest {
  private DatabaseUrl db;
  private String publicUrl;
  private Application nodeB;
  private NodeProcess nodeA;
  private Vertx clients;
  private Fixtures fixtures;
  private final List<ChatClient> opened = new ArrayList<>();

  /** One member's client: the sockets it had, what it posted, and which of those were acknowledged. */
  private final class Client {
    final Member member;
    final List<ChatClient> sockets = new ArrayList<>();
    final Map<String, Boolean> posted = new LinkedHashMap<>();

    Client(Member member) {
      this.member = member;
    }

    ChatClient socket() {
      return sockets.get(sockets.size() - 1);
    }

    void connect(int port) {
      String ticket = nodeB.services().tickets().issue(member.id(), null).await();
      ChatClient c = ChatClient.connect(clients, port, ticket, publicUrl);
      opened.add(c);
      c.next("ready");
      sockets.add(c);
    }

    void post(long room, String cmid, String text) {
      socket().send(frame("send", "room", id(room), "clientMsgId", cmid, "text", text, "ref", cmid));
      posted.putIfAbsent(cmid, false);
    }

    /** Marks what the current socket acknowledged. */
    void collectAcks() {
      for (JsonObject f : socket().received()) {
        if ("ack".equals(f.getString("type"))) {
          posted.put(f.getString("clientMsgId"), true);
        }
      }
    }

    long lastSeen(long room) {
      List<Long> seen = seqs(room);
      return seen.isEmpty() ? -1 : seen.get(seen.size() - 1);
    }

    /** Every seq of the room this member's sockets received, in order, across reconnects. */
    List<Long> seqs(long room) {
      List<Long> out = new ArrayList<>();
      sockets.forEach(s -> out.addAll(TwoNodeTestBase.receivedSeqs(s, room)));
      return out;
    }
  }

  @BeforeEach
  void startNodes() {
    db = TestDatabases.fresh("crash");
    int portA = TestConfigs.freePort();
    publicUrl = "http://127.0.0.1:" + portA;
    nodeB = Application.start(AppConfig.fromEnv(env(TestConfigs.freePort())), l -> { });
    nodeA = NodeProcess.start(env(portA), Path.of("target", "test-logs", "node-crash-a.log"), Duration.ofSeconds(90));
    fixtures = new Fixtures(nodeB.services().pool());
    clients = Vertx.vertx();
  }

  @AfterEach
  void stopNodes() {
    opened.forEach(ChatClient::close);
    clients.close().await();
    nodeA.close();
    nodeB.stop();
    TestDatabases.drop(db);
  }

  private Map<String, String> env(int port) {
    Map<String, String> env = TestConfigs.env(db, port);
    env.put("PUBLIC_URL", publicUrl);
    env.put("CHAT_BUS", "postgres");
    env.put("NODE_HEARTBEAT_SECONDS", "1");
    return env;
  }

  @Test
  void clients_of_a_killed_node_reconnect_to_the_other_with_after_and_catch_up_exactly() {
    RoomMembership rooms = nodeB.services().chat().membership();
    Space space = fixtures.space("crash" + UUID.randomUUID().toString().substring(0, 6));
    long general = rooms.ensureDefaultRoom(space.id()).await();
    List<Client> onA = new ArrayList<>();
    List<Client> onB = new ArrayList<>();
    for (String name : List.of("Ada", "Bob", "Dora")) {
      Member m = fixtures.member(space, name);
      rooms.applyRules(m.id()).await();
      Client c = new Client(m);
      c.connect(nodeA.port());
      onA.add(c);
    }
    for (String name : List.of("Cleo", "Emil")) {
      Member m = fixtures.member(space, name);
      rooms.applyRules(m.id()).await();
      Client c = new Client(m);
      c.connect(TwoNodeTestBase.port(nodeB));
      onB.add(c);
    }
    long start = lastSeq(general);
    List<Client> everyone = new ArrayList<>(onA);
    everyone.addAll(onB);
    everyone.forEach(c -> TwoNodeTestBase.subscribeAfter(c.socket(), general, start));
    Client dora = onA.get(2);
    Client cleo = onB.get(0);
    cleo.socket().await(f -> "presence".equals(f.getString("type")) && f.getJsonArray("online").contains(id(dora.member.id())),
        Duration.ofSeconds(5));

    for (int round = 0; round < 24; round++) {
      if (round == 12) {
        nodeA.kill();
      }
      for (Client c : everyone) {
        if (c == dora || round >= 12 && onA.contains(c)) {
          continue;
        }
        c.post(general, UUID.randomUUID().toString(), c.member.name() + " " + round);
      }
      sleep(120);
    }
    for (Client c : onA.subList(0, 2)) {
      assertThat(c.socket().closeCode(Duration.ofSeconds(5))).as("the killed node's socket dropped").isNotIn(1000, 1001);
      c.collectAcks();
      long after = c.lastSeen(general);
      c.connect(TwoNodeTestBase.port(nodeB));
      TwoNodeTestBase.subscribeAfter(c.socket(), general, after);
      List<String> unacked = c.posted.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
      unacked.forEach(cmid -> c.post(general, cmid, c.member.name() + " again"));
      unacked.forEach(cmid -> assertThat(TwoNodeTestBase.answer(c.socket(), cmid).getString("type")).isEqualTo("ack"));
    }
    for (Client c : onB) {
      c.posted.keySet().forEach(cmid -> assertThat(TwoNodeTestBase.answer(c.socket(), cmid).getString("type"))
          .isEqualTo("ack"));
    }
    long end = lastSeq(general);

    int posted = everyone.stream().mapToInt(c -> c.posted.size()).sum();
    assertThat(count("SELECT count(*) FROM messages WHERE room_id = $1", general)).as("each send stored once")
        .isEqualTo(posted);
    assertThat(end - start).isEqualTo(posted);
    for (Client c : everyone) {
      if (c == dora) {
        continue;
      }
      eventually(() -> c.seqs(general).contains(end));
      assertThat(c.seqs(general)).as(c.member.name() + " saw every event once, in order").isEqualTo(range(start, end));
      Set<Long> distinct = new LinkedHashSet<>(c.seqs(general));
      assertThat(distinct).hasSize(c.seqs(general).size());
    }
    cleo.socket().await(f -> "presence".equals(f.getString("type"))
        && !f.getJsonArray("online").contains(id(dora.member.id())), Duration.ofSeconds(10));
    eventually(() -> nodeB.services().chat().liveNodes() == 1);
  }

  private long lastSeq(long room) {
    return count("SELECT last_seq FROM rooms WHERE id = $1", room);
  }

  private long count(String sql, long arg) {
    return nodeB.services().pool().preparedQuery(sql).execute(io.vertx.sqlclient.Tuple.of(arg)).await()
        .iterator().next().getLong(0);
  }

  private static void eventually(java.util.function.BooleanSupplier condition) {
    TwoNodeTestBase.eventually(Duration.ofSeconds(10), condition, "condition");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
