package com.cobotchat.chat;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat node: bus re-reads, slow consumers, metrics, graceful stop")
class ChatNodeBehaviourTest extends ChatTestBase {

  /** Commits messages straight into the database, as another node would; returns their seqs. */
  private static List<Long> commitElsewhere(long room, Member author, int count, int length) {
    List<Row> inserted = rows("""
        WITH r AS (UPDATE rooms SET last_seq = last_seq + $3 WHERE id = $1 RETURNING last_seq - $3 AS base),
             m AS (INSERT INTO messages (room_id, author_id, author_name, client_msg_id, text, seq)
                   SELECT $1, $2, 'Elsewhere', 'ext-' || gen_random_uuid(), repeat('x', $4), r.base + g
                     FROM r, generate_series(1, $3) g RETURNING id, seq)
        INSERT INTO room_events (room_id, seq, kind, message_id, actor_id)
        SELECT $1, seq, 'message', id, $2 FROM m RETURNING seq""", room, author.id(), count, length);
    return inserted.stream().map(r -> r.getLong(0)).sorted().toList();
  }

  @Test
  void a_signal_without_events_or_after_a_gap_is_filled_from_the_database_in_order() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    ChatClient a = connect(ada);
    subscribe(a, general);
    ChatBus bus = app.services().chat().bus();

    List<Long> first = commitElsewhere(general, ada, 1, 5);
    bus.publish(new ChatSignal.RoomEvents(general, first.get(0), first.get(0), null));
    assertThat(a.next("event").getLong("seq")).isEqualTo(first.get(0));

    List<Long> next = commitElsewhere(general, ada, 3, 5);
    long last = next.get(2);
    bus.publish(new ChatSignal.RoomEvents(general, last, last, List.of(new RoomEvent(last, RoomEvent.MESSAGE, 0,
        Frames.messageEvent(general, last, RoomEvent.MESSAGE, "2026-01-01T00:00:00Z", 1, ada.id(), "Ada", null, "x", null, false)))));
    assertThat(List.of(a.next("event").getLong("seq"), a.next("event").getLong("seq"), a.next("event").getLong("seq")))
        .containsExactlyElementsOf(next);
    bus.publish(new ChatSignal.RoomEvents(general, next.get(0), next.get(0), null));
    assertThat(a.drain(f -> "event".equals(f.getString("type")), Duration.ofMillis(300))).as("no duplicates").isEmpty();
  }

  @Test
  void a_client_that_stops_reading_is_disconnected() throws Exception {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    commitElsewhere(general, ada, 100, 3900);
    double before = app.services().registry().counter("chat.slow.consumer.disconnects").count();

    ClientWebSocket ws = clients.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20)).webSocket();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    ws.textMessageHandler(t -> {
      if (t.contains("\"ready\"")) {
        ws.pause();
        ready.complete(null);
      }
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode()));
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI("/ws?ticket=" + ticket(ada))
        .addHeader("Origin", origin())).await();
    ready.get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 100; i++) {
      ws.writeTextMessage(frame("history", "room", id(general), "limit", 100).encode());
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (app.services().registry().counter("chat.slow.consumer.disconnects").count() <= before && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(app.services().registry().counter("chat.slow.consumer.disconnects").count()).isGreaterThan(before);
    ws.resume();
    assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo(1013);
  }

  @Test
  void metrics_show_connections_messages_deliveries_and_batches() throws Exception {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    subscribe(b, general);
    say(a, general, "counted");
    b.next("event");

    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(metrics.body()).contains("chat_connections ", "chat_messages_persisted_total ", "chat_deliveries_total ",
        "chat_batch_size_count ", "chat_slow_consumer_disconnects_total ");
    assertThat(app.services().registry().get("chat.connections").gauge().value()).isGreaterThanOrEqualTo(2);
    assertThat(app.services().registry().counter("chat.messages.persisted").count()).isGreaterThanOrEqualTo(1);
    assertThat(app.services().registry().counter("chat.deliveries").count()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void stopping_a_node_closes_sockets_with_1001_and_keeps_committed_messages() {
    DatabaseUrl ownDb = TestDatabases.fresh("chatstop");
    Application node = Application.start(TestConfigs.config(ownDb), l -> { });
    try {
      Fixtures own = new Fixtures(node.services().pool());
      Space space = own.space("stop");
      long general = node.services().chat().membership().ensureDefaultRoom(space.id()).await();
      Member ada = own.member(space, "Ada");
      node.services().chat().membership().applyRules(ada.id()).await();
      ChatClient a = ChatClient.connect(clients, node.services().config().port(),
          node.services().tickets().issue(ada.id(), null).await(), node.services().config().publicOrigin());
      a.next("ready");
      for (int i = 0; i < 5; i++) {
        a.send(frame("send", "room", id(general), "clientMsgId", "s" + i, "text", "t" + i, "ref", "s" + i));
      }
      for (int i = 0; i < 5; i++) {
        a.answer("ack", "s" + i);
      }

      node.stop();

      assertThat(a.closeCode(ChatClient.WAIT)).isEqualTo(1001);
      a.close();
    } finally {
      TestDatabases.drop(ownDb);
    }
  }
}
