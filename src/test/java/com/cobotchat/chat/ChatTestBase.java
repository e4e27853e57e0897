package com.cobotchat.chat;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A node on a fresh database per test class, a client Vert.x, and helpers to open member sockets. */
abstract class ChatTestBase extends ChatFrames {
  static DatabaseUrl db;
  static Application app;
  static Fixtures fixtures;
  static Vertx clients;
  final List<ChatClient> opened = new ArrayList<>();

  @BeforeAll
  static void startNode() {
    db = TestDatabases.fresh("chat");
    app = Application.start(TestConfigs.config(db), l -> { });
    fixtures = new Fixtures(app.services().pool());
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopNode() {
    clients.close().await();
    app.stop();
    TestDatabases.drop(db);
  }

  @AfterEach
  void closeClients() {
    opened.forEach(ChatClient::close);
    opened.clear();
  }

  static int port() {
    return app.services().config().port();
  }

  static String origin() {
    return app.services().config().publicOrigin();
  }

  static RoomMembership membership() {
    return app.services().chat().membership();
  }

  /** A new space with its default room. */
  static Space space() {
    Space s = fixtures.space("s" + UUID.randomUUID().toString().substring(0, 8));
    membership().ensureDefaultRoom(s.id()).await();
    return s;
  }

  static long defaultRoom(Space space) {
    return membership().ensureDefaultRoom(space.id()).await();
  }

  /** An active member who joined the space's rule rooms. */
  static Member member(Space space, String name) {
    Member m = fixtures.member(space, name);
    membership().applyRules(m.id()).await();
    return m;
  }

  static Member member(Space space, String name, String plan) {
    Member m = fixtures.member(space, name, plan);
    membership().applyRules(m.id()).await();
    return m;
  }

  static Member admin(Space space, String name) {
    Member m = fixtures.admin(space, name);
    membership().applyRules(m.id()).await();
    return m;
  }

  static String ticket(Member m) {
    return app.services().tickets().issue(m.id(), null).await();
  }

  /** Opens a socket for the member and takes its {@code ready} frame. */
  ChatClient connect(Member m) {
    ChatClient c = ChatClient.connect(clients, port(), ticket(m), origin());
    opened.add(c);
    c.next("ready");
    return c;
  }

  ChatClient connectRaw(String ticket, String origin) {
    ChatClient c = ChatClient.connect(clients, port(), ticket, origin);
    opened.add(c);
    return c;
  }

  static List<Row> rows(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    app.services().pool().preparedQuery(sql).execute(Tuple.from(args)).await().forEach(out::add);
    return out;
  }

  static long lastSeq(long room) {
    return rows("SELECT last_seq FROM rooms WHERE id = $1", room).get(0).getLong(0);
  }
}
