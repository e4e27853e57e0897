package com.cobotchat.chat;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TcpProxy;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Database down: unavailable errors, then recovery without a restart")
class ChatDatabaseOutageTest {
  static DatabaseUrl db;
  static TcpProxy proxy;
  static Application app;
  static Vertx clients;

  @BeforeAll
  static void start() {
    db = TestDatabases.fresh("outage");
    proxy = new TcpProxy(db.host(), db.port());
    Map<String, String> env = TestConfigs.env(db, TestConfigs.freePort());
    env.put("DATABASE_URL", "postgresql://" + db.user() + "@127.0.0.1:" + proxy.port() + "/" + db.database());
    app = Application.start(AppConfig.fromEnv(env), l -> { });
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    app.stop();
    proxy.close();
    TestDatabases.drop(db);
  }

  private static ChatClient open(String ticket) {
    int port = app.services().config().port();
    return ChatClient.connect(clients, port, ticket, app.services().config().publicOrigin());
  }

  private static JsonObject frame(String type, Object... kv) {
    JsonObject f = new JsonObject().put("type", type);
    for (int i = 0; i < kv.length; i += 2) {
      f.put((String) kv[i], kv[i + 1]);
    }
    return f;
  }

  @Test
  void requests_get_unavailable_while_the_database_is_cut_and_work_again_after() {
    Fixtures fixtures = new Fixtures(app.services().pool());
    RoomMembership membership = app.services().chat().membership();
    Space space = fixtures.space("outage");
    long general = membership.ensureDefaultRoom(space.id()).await();
    Member ada = fixtures.member(space, "Ada");
    Member bob = fixtures.member(space, "Bob");
    membership.applyRules(ada.id()).await();
    membership.applyRules(bob.id()).await();
    String room = Long.toString(general);
    String spareTicket = app.services().tickets().issue(bob.id(), null).await();
    try (ChatClient a = open(app.services().tickets().issue(ada.id(), null).await());
         ChatClient b = open(app.services().tickets().issue(bob.id(), null).await())) {
      a.next("ready");
      b.next("ready");
      a.send(frame("subscribe", "room", room, "ref", "s"));
      a.answer("subscribed", "s");
      b.send(frame("subscribe", "room", room, "ref", "s"));
      b.answer("subscribed", "s");

      proxy.cut();

      List<JsonObject> requests = List.of(
          frame("send", "room", room, "clientMsgId", "while-down", "text", "hello?"),
          frame("history", "room", room),
          frame("subscribe", "room", room, "after", 0),
          frame("read", "room", room, "seq", 1),
          frame("dm", "user", Long.toString(bob.id())));
      for (int i = 0; i < requests.size(); i++) {
        String ref = "down" + i;
        a.send(requests.get(i).copy().put("ref", ref));
        JsonObject error = a.answer("error", ref);
        assertThat(error.getString("code")).as("answer to %s", requests.get(i)).isEqualTo("unavailable");
      }
      a.send(frame("ping", "ref", "p"));
      assertThat(a.answer("pong", "p")).as("the socket stays open").isNotNull();
      assertThat(open(spareTicket).closeCode(ChatClient.WAIT)).as("new sockets are told to retry").isEqualTo(1013);

      proxy.restore();

      JsonObject ack = null;
      for (int attempt = 0; attempt < 20 && ack == null; attempt++) {
        String ref = "up" + attempt;
        a.send(frame("send", "room", room, "clientMsgId", "after-restore", "text", "back", "ref", ref));
        JsonObject answer = a.await(f -> ref.equals(f.getValue("ref")));
        if ("ack".equals(answer.getString("type"))) {
          ack = answer;
        } else {
          a.drain(f -> false, Duration.ofMillis(250));
        }
      }
      assertThat(ack).as("sends work again").isNotNull();
      JsonObject event = b.await(f -> "event".equals(f.getString("type")) && "message".equals(f.getString("kind")));
      assertThat(event.getJsonObject("message").getString("text")).isEqualTo("back");
      assertThat(event.getLong("seq")).isEqualTo(ack.getLong("seq"));
      try (ChatClient again = open(app.services().tickets().issue(bob.id(), null).await())) {
        assertThat(again.next("ready").getJsonArray("rooms")).hasSize(1);
      }
    }
  }
}
