package com.cobotchat.chat;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.Await;
import com.cobotchat.testing.ChatClient;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Two nodes (two {@link Application}s, each with its own Vert.x, pool, HTTP port and listening
 * connection) on one fresh database, behind one public URL as a load balancer would present them,
 * with {@code CHAT_BUS=postgres} and a one-second heartbeat.
 */
abstract class TwoNodeTestBase extends ChatFrames {
  static DatabaseUrl db;
  static String publicUrl;
  static Application nodeA;
  static Application nodeB;
  static Fixtures fixtures;
  static Vertx clients;
  final List<ChatClient> opened = new ArrayList<>();

  @BeforeAll
  static void startNodes() {
    db = TestDatabases.fresh("nodes");
    int portA = TestConfigs.freePort();
    publicUrl = "http://127.0.0.1:" + portA;
    nodeA = Application.start(config(portA), l -> { });
    nodeB = Application.start(config(TestConfigs.freePort()), l -> { });
    fixtures = new Fixtures(nodeA.services().pool());
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopNodes() {
    clients.close().await();
    for (Application node : new Application[] {nodeA, nodeB}) {
      if (node != null) {
        node.stop();
      }
    }
    TestDatabases.drop(db);
  }

  @AfterEach
  void closeClients() {
    opened.forEach(ChatClient::close);
    opened.clear();
  }

  /** A node's configuration: its own port, the shared public URL, database, secret and heartbeat of one second. */
  static AppConfig config(int port) {
    return config(port, Map.of());
  }

  static AppConfig config(int port, Map<String, String> extra) {
    Map<String, String> env = TestConfigs.env(db, port);
    env.put("PUBLIC_URL", publicUrl);
    env.put("CHAT_BUS", "postgres");
    env.put("NODE_HEARTBEAT_SECONDS", "1");
    env.putAll(extra);
    return AppConfig.fromEnv(env);
  }

  static int port(Application node) {
    return node.services().config().port();
  }

  static RoomMembership membership(Application node) {
    return node.services().chat().membership();
  }

  static Space space() {
    Space s = fixtures.space("s" + UUID.randomUUID().toString().substring(0, 8));
    membership(nodeA).ensureDefaultRoom(s.id()).await();
    return s;
  }

  static long defaultRoom(Space space) {
    return membership(nodeA).ensureDefaultRoom(space.id()).await();
  }

  static Member member(Space space, String name) {
    Member m = fixtures.member(space, name);
    membership(nodeA).applyRules(m.id()).await();
    return m;
  }

  static Member admin(Space space, String name) {
    Member m = fixtures.admin(space, name);
    membership(nodeA).applyRules(m.id()).await();
    return m;
  }

  /** Opens a socket for the member on a node (ticket issued by that node) and takes its {@code ready}. */
  ChatClient connect(Application node, Member m) {
    return connect(node, m, node);
  }

  /** Opens a socket on {@code node} with a ticket issued by {@code issuer}. */
  ChatClient connect(Application node, Member m, Application issuer) {
    String ticket = issuer.services().tickets().issue(m.id(), null).await();
    ChatClient c = ChatClient.connect(clients, port(node), ticket, publicUrl);
    opened.add(c);
    c.next("ready");
    return c;
  }

  static List<Row> rows(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    nodeA.services().pool().preparedQuery(sql).execute(Tuple.from(args)).await().forEach(out::add);
    return out;
  }

  static long lastSeq(long room) {
    return rows("SELECT last_seq FROM rooms WHERE id = $1", room).get(0).getLong(0);
  }

  /** The seqs of the room's events after {@code after}, as the database has them. */
  static List<Long> dbSeqs(long room, long after) {
    return rows("SELECT seq FROM room_events WHERE room_id = $1 AND seq > $2 ORDER BY seq", room, after).stream()
        .map(r -> r.getLong(0)).toList();
  }

  /** The seqs of the room's events a client received (subscribed answers and live events), in order of arrival. */
  static List<Long> receivedSeqs(ChatClient c, long room) {
    List<Long> out = new ArrayList<>();
    for (JsonObject f : c.received()) {
      if ("subscribed".equals(f.getString("type")) && id(room).equals(f.getString("room"))) {
        f.getJsonArray("events").forEach(e -> out.add(((JsonObject) e).getLong("seq")));
      } else if ("event".equals(f.getString("type")) && id(room).equals(f.getString("room"))) {
        out.add(f.getLong("seq"));
      }
    }
    return out;
  }

  /** The room's events a client received after {@code after}, by seq, as JSON text (to compare clients). */
  static List<String> receivedEvents(ChatClient c, long room, long after) {
    List<String> out = new ArrayList<>();
    for (JsonObject f : c.received()) {
      if ("subscribed".equals(f.getString("type")) && id(room).equals(f.getString("room"))) {
        f.getJsonArray("events").forEach(e -> {
          if (((JsonObject) e).getLong("seq") > after) {
            out.add(((JsonObject) e).encode());
          }
        });
      } else if ("event".equals(f.getString("type")) && id(room).equals(f.getString("room")) && f.getLong("seq") > after) {
        out.add(f.copy().encode());
      }
    }
    return out;
  }

  static void eventually(Duration within, BooleanSupplier condition, String what) {
    Await.until(what, condition, within);
  }

  static List<Long> range(long fromExclusive, long toInclusive) {
    List<Long> out = new ArrayList<>();
    for (long s = fromExclusive + 1; s <= toInclusive; s++) {
      out.add(s);
    }
    return out;
  }
}
