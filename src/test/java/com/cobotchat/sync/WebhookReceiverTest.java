package com.cobotchat.sync;

import com.cobotchat.simulator.RecordedRequest;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.MemberStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Receiving Cobot's webhook deliveries")
class WebhookReceiverTest {
  static SyncWorld world;
  static Vertx vertx;
  static HttpServer dummy;
  static final AtomicInteger dummyHits = new AtomicInteger();

  @BeforeAll
  static void start() {
    world = new SyncWorld("hooks");
    vertx = Vertx.vertx();
    dummy = vertx.createHttpServer().requestHandler(r -> {
      dummyHits.incrementAndGet();
      r.response().end("{}");
    }).listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    world.close();
    vertx.close().await();
  }

  @Test
  void unknown_secret_is_404_and_nothing_is_stored() {
    long before = world.count("SELECT count(*) FROM webhook_inbox");
    String url = world.publicUrl + "/hooks/cobot/" + "A".repeat(32) + "/confirmed_membership";
    assertThat(world.http.postJson(url, null, new JsonObject().put("url", "x")).status()).isEqualTo(404);
    assertThat(world.http.postJson(world.publicUrl + "/hooks/cobot/short/confirmed_membership", null,
        new JsonObject()).status()).isEqualTo(404);
    assertThat(world.count("SELECT count(*) FROM webhook_inbox")).isEqualTo(before);
  }

  @Test
  void a_body_over_the_limit_is_refused() {
    SyncWorld.TestSpace s = world.installedSpace();
    JsonObject big = new JsonObject().put("url", world.sim.membershipUrl(s.subdomain(), "abc"))
        .put("padding", "x".repeat(WebhookReceiver.BODY_LIMIT));
    assertThat(world.deliver(s.id(), "confirmed_membership", big)).isEqualTo(413);
    assertThat(world.count("SELECT count(*) FROM webhook_inbox WHERE space_id = $1", s.id())).isZero();
  }

  @Test
  void a_delivery_is_answered_within_a_second_even_while_cobot_is_slow() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna active");
    world.sim.delayResponses(Duration.ofSeconds(3));
    try {
      long start = System.nanoTime();
      int status = world.deliver(s, "updated_membership_details", anna.membershipId());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(status).isEqualTo(202);
      assertThat(millis).isLessThan(1000);
      assertThat(world.count("SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND event = 'updated_membership_details'",
          s.id())).isEqualTo(1);
    } finally {
      world.sim.delayResponses(Duration.ZERO);
    }
    world.settle(s.id());
  }

  @Test
  void a_payload_url_outside_the_space_host_makes_no_outgoing_call() {
    SyncWorld.TestSpace s = world.installedSpace();
    SyncWorld.TestSpace other = world.installedSpace();
    SimMember anna = world.sim.addMember(other.subdomain(), "Anna Other", "Flex Desk");
    world.awaitMember(other.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna active elsewhere");
    world.sim.clearRequestLog();
    int hitsBefore = dummyHits.get();
    String dummyBase = "http://127.0.0.1:" + dummy.actualPort();
    String base = world.sim.spaceUrl(s.subdomain());
    List<String> forged = List.of(
        dummyBase + "/api/memberships/abc",
        dummyBase + "/space/" + s.subdomain() + "/api/memberships/abc",
        world.sim.membershipUrl(other.subdomain(), anna.membershipId()),
        base + "/api/memberships/abc?x=" + dummyBase,
        base + "/api/memberships/../../../api/user",
        base + "/api/memberships/abc/../../subscriptions",
        base.replace("://", "://user@") + "/api/memberships/abc",
        base + "-evil/api/memberships/abc",
        base + "/api/users/abc");

    for (String url : forged) {
      assertThat(world.deliver(s.id(), "confirmed_membership", new JsonObject().put("url", url))).as(url).isEqualTo(202);
    }
    assertThat(world.deliver(s.id(), "confirmed_membership", new JsonObject().put("url", 42))).isEqualTo(202);

    List<Row> rows = world.rows("SELECT outcome, last_error, processed_at FROM webhook_inbox WHERE space_id = $1", s.id());
    assertThat(rows).hasSize(forged.size() + 1).allSatisfy(r -> {
      assertThat(r.getString("outcome")).isEqualTo("ignored");
      assertThat(r.getString("last_error")).contains("not a membership URL");
      assertThat(r.getOffsetDateTime("processed_at")).isNotNull();
    });
    sleep(500);
    assertThat(dummyHits.get()).as("requests at the forged host").isEqualTo(hitsBefore);
    assertThat(world.sim.requestLog()).as("requests at the simulated Cobot").extracting(RecordedRequest::path)
        .noneMatch(p -> p.contains("/api/memberships") || p.contains("/api/user"));
    assertThat(world.member(other.id(), anna.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);
  }

  @Test
  void a_body_that_is_not_json_is_refused_and_kept_visible() {
    SyncWorld.TestSpace s = world.installedSpace();
    var r = world.http.postForm(world.publicUrl + "/hooks/cobot/" + world.webhookSecret(s.id()) + "/confirmed_membership",
        java.util.Map.of("url", "x"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(world.rows("SELECT outcome FROM webhook_inbox WHERE space_id = $1", s.id()))
        .singleElement().satisfies(row -> assertThat(row.getString("outcome")).isEqualTo("ignored"));
  }

  @Test
  void ignored_and_waiting_rows_show_in_metrics() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.deliver(s.id(), "confirmed_membership", new JsonObject().put("url", "http://127.0.0.1:1/api/memberships/x"));
    SyncWorld.awaitUntil("ignored gauge", () -> gauge("ignored_last_day") >= 1, Duration.ofSeconds(8));
    String metrics = world.http.get(world.publicUrl + "/metrics").body();
    assertThat(metrics).contains("sync_inbox_rows{state=\"pending\"}").contains("sync_inbox_rows{state=\"failing\"}")
        .contains("sync_webhooks_received_total{event=\"confirmed_membership\",result=\"ignored\"}");
  }

  static double gauge(String state) {
    var g = world.app().services().registry().find("sync_inbox_rows").tag("state", state).gauge();
    return g == null ? -1 : g.value();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
