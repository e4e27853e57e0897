package com.cobotchat.chat;

import com.cobotchat.app.DatabaseBootstrap;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.testing.TcpProxy;
import com.cobotchat.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("PgChatBus: signals between nodes over LISTEN/NOTIFY")
class PgChatBusTest {
  private static final Duration PROBE = Duration.ofMillis(200);
  static DatabaseUrl db;
  static Vertx vertx;
  static Pool pool;
  final List<PgChatBus> buses = new ArrayList<>();
  final List<Vertx> owners = new ArrayList<>();

  @BeforeAll
  static void database() {
    db = TestDatabases.fresh("bus");
    new DatabaseBootstrap(db, 5, l -> { }).prepare();
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(db.connectOptions()).using(vertx).build();
  }

  @AfterAll
  static void drop() {
    pool.close().await();
    vertx.close().await();
    TestDatabases.drop(db);
  }

  @AfterEach
  void closeBuses() {
    buses.forEach(b -> b.close().await());
    buses.clear();
    owners.forEach(v -> v.close().await());
    owners.clear();
  }

  /** A bus of a node with its own Vert.x, as a second process would have. */
  private PgChatBus bus(String node, PgConnectOptions listen) {
    Vertx own = Vertx.vertx();
    owners.add(own);
    Pool ownPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(db.connectOptions()).using(own).build();
    PgChatBus bus = new PgChatBus(own, ownPool, listen, node, PROBE, new SimpleMeterRegistry());
    bus.start().await();
    buses.add(bus);
    return bus;
  }

  private static List<ChatSignal> received(ChatBus bus) {
    List<ChatSignal> out = new CopyOnWriteArrayList<>();
    bus.register(out::add).await();
    return out;
  }

  private static RoomEvent event(long seq, String text) {
    return new RoomEvent(seq, RoomEvent.MESSAGE, 0, "{\"type\":\"event\",\"seq\":" + seq + ",\"text\":\"" + text + "\"}");
  }

  @Test
  void a_signal_reaches_the_other_node_once_and_this_node_directly_once() {
    PgChatBus a = bus("node-a", db.connectOptions());
    PgChatBus b = bus("node-b", db.connectOptions());
    List<ChatSignal> atA = received(a);
    List<ChatSignal> atB = received(b);

    a.publish(new ChatSignal.CloseMember(7, 4403, "access to the space ended"));
    a.publish(new ChatSignal.RoomFrame(3, 7, "{\"type\":\"typing\"}"));

    eventually(() -> atB.size() == 2);
    assertThat(atB).containsExactly(new ChatSignal.CloseMember(7, 4403, "access to the space ended"),
        new ChatSignal.RoomFrame(3, 7, "{\"type\":\"typing\"}"));
    sleep(300);
    assertThat(atA).hasSize(2);
    assertThat(atB).hasSize(2);
  }

  @Test
  void signals_in_a_transaction_travel_only_if_it_commits() {
    PgChatBus a = bus("node-a", db.connectOptions());
    PgChatBus b = bus("node-b", db.connectOptions());
    List<ChatSignal> atA = received(a);
    List<ChatSignal> atB = received(b);
    ChatSignal rolledBack = new ChatSignal.RoomEvents(1, 1, 1, List.of(event(1, "never")));
    ChatSignal committed = new ChatSignal.RoomEvents(1, 2, 2, List.of(event(2, "kept")));

    pool.withTransaction(conn -> a.publishOnCommit(conn, List.of(rolledBack))
        .compose(v -> conn.query("SELECT 1/0").execute())).otherwiseEmpty().await();
    pool.withTransaction(conn -> a.publishOnCommit(conn, List.of(committed))).await();

    eventually(() -> atB.size() == 1 && atA.size() == 1);
    sleep(300);
    assertThat(atB).containsExactly(committed);
    assertThat(atA).containsExactly(committed);
  }

  @Test
  void room_events_too_big_for_one_notification_are_split_and_an_oversized_event_travels_as_its_range() {
    PgChatBus a = bus("node-a", db.connectOptions());
    PgChatBus b = bus("node-b", db.connectOptions());
    List<ChatSignal> atB = received(b);
    List<RoomEvent> events = new ArrayList<>();
    for (long seq = 1; seq <= 300; seq++) {
      events.add(event(seq, seq == 150 ? "😀".repeat(4000) : "message number " + seq + " ".repeat(200)));
    }

    pool.withTransaction(conn -> a.publishOnCommit(conn, List.of(new ChatSignal.RoomEvents(9, 1, 300, events)))).await();

    eventually(() -> atB.stream().mapToLong(s -> ((ChatSignal.RoomEvents) s).toSeq()).max().orElse(0) == 300);
    List<Long> carried = new ArrayList<>();
    List<Long> rangeOnly = new ArrayList<>();
    for (ChatSignal s : atB) {
      ChatSignal.RoomEvents part = (ChatSignal.RoomEvents) s;
      assertThat(part.roomId()).isEqualTo(9);
      if (part.events() == null) {
        for (long seq = part.fromSeq(); seq <= part.toSeq(); seq++) {
          rangeOnly.add(seq);
        }
      } else {
        assertThat(part.events()).allMatch(e -> e.seq() >= part.fromSeq() && e.seq() <= part.toSeq());
        part.events().forEach(e -> carried.add(e.seq()));
      }
    }
    assertThat(atB.size()).isGreaterThan(5);
    assertThat(rangeOnly).containsExactly(150L);
    List<Long> all = new ArrayList<>(carried);
    all.addAll(rangeOnly);
    all.sort(null);
    assertThat(all).isEqualTo(TwoNodeTestBase.range(0, 300));
    assertThat(atB.stream().filter(s -> ((ChatSignal.RoomEvents) s).events() != null)
        .flatMap(s -> ((ChatSignal.RoomEvents) s).events().stream()).filter(e -> e.seq() == 151).findFirst().orElseThrow())
        .isEqualTo(events.get(150));
  }

  @Test
  void packed_payloads_stay_under_the_notification_limit() {
    PgChatBus a = bus("node-a", db.connectOptions());
    ArrayDeque<PgChatBus.Wire> queue = new ArrayDeque<>();
    for (int i = 0; i < 500; i++) {
      queue.addAll(a.encode(new ChatSignal.RoomFrame(i, 0, "{\"type\":\"typing\",\"name\":\"Zoë " + "ü".repeat(i % 50) + "\"}")));
    }
    List<String> payloads = a.pack(queue, Integer.MAX_VALUE);
    assertThat(queue).isEmpty();
    assertThat(payloads.size()).isGreaterThan(5);
    assertThat(payloads).allMatch(p -> p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= PgChatBus.MAX_PAYLOAD);
    assertThat(payloads.stream().mapToInt(p -> new io.vertx.core.json.JsonObject(p).getJsonArray("s").size()).sum())
        .isEqualTo(500);
  }

  @Test
  void a_silent_listener_is_noticed_by_its_probe_reopened_and_followed_by_a_resync() {
    try (TcpProxy proxy = new TcpProxy(db.host(), db.port())) {
      PgConnectOptions viaProxy = new PgConnectOptions(db.connectOptions()).setHost("127.0.0.1").setPort(proxy.port());
      PgChatBus a = bus("node-a", db.connectOptions());
      PgChatBus b = bus("node-b", viaProxy);
      List<ChatSignal> atB = received(b);

      proxy.freeze();
      a.publish(new ChatSignal.CloseMember(1, 4401, "lost while frozen"));
      sleep(PROBE.toMillis() * 7);
      proxy.restore();

      eventually(() -> atB.stream().anyMatch(s -> s instanceof ChatSignal.Resync));
      a.publish(new ChatSignal.CloseMember(2, 4401, "after"));
      eventually(() -> atB.contains(new ChatSignal.CloseMember(2, 4401, "after")));
      assertThat(atB).doesNotContain(new ChatSignal.CloseMember(1, 4401, "lost while frozen"));
    }
  }

  private static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      sleep(20);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
