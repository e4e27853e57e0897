package com.cobotchat.simulator;

import com.cobotchat.testing.Http;
import com.cobotchat.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator webhooks: payloads, retries with growing delays, switch-off")
class SimulatorWebhookTest {
  static final List<Duration> DELAYS = IntStream.rangeClosed(1, 10).mapToObj(i -> Duration.ofMillis(20L * i)).toList();
  static Vertx vertx;
  static CobotSimulator sim;
  static WebhookReceiver receiver;
  final Http http = new Http();
  SimWorld w;
  String token;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().webhookRetryDelays(DELAYS)
        .webhookTimeout(Duration.ofMillis(300))).await();
    receiver = WebhookReceiver.start(vertx);
  }

  @AfterAll
  static void stop() {
    receiver.stop();
    sim.stop().await();
    vertx.close().await();
  }

  @BeforeEach
  void world() {
    w = new SimWorld(sim);
    token = w.adminToken("read_memberships", "write_subscriptions", "read_subscriptions");
    receiver.answer(200);
  }

  @AfterEach
  void heal() {
    sim.succeedWebhooks();
    sim.pauseWebhooks(false);
  }

  String subscribe(String event, String path) {
    Http.Response r = http.postJson(w.spaceApi("/subscriptions"), token,
        new JsonObject().put("event", event).put("callback_url", receiver.url(path)));
    assertThat(r.status()).isEqualTo(201);
    return r.json().getString("url");
  }

  String path(String name) {
    return "/" + w.sub() + "/" + name;
  }

  @Test
  void membership_changes_post_the_membership_url_to_subscribers_of_that_event() {
    subscribe("confirmed_membership", path("confirmed"));
    subscribe("canceled_membership", path("canceled"));
    SimMember dora = sim.addMember(w.sub(), "Dora Dorn", "Flex Desk");
    var got = receiver.await(path("confirmed"), 1, Duration.ofSeconds(5));
    assertThat(got.get(0).body()).isEqualTo(new JsonObject().put("url",
        sim.membershipUrl(w.sub(), dora.membershipId())));
    assertThat(http.get(got.get(0).body().getString("url"), token).json().getString("name")).isEqualTo("Dora Dorn");
    assertThat(receiver.received(path("canceled"))).isEmpty();
  }

  @Test
  void every_membership_event_reaches_its_subscription() {
    List<String> events = List.of("created_membership", "confirmed_membership", "connected_user",
        "canceled_membership", "membership_cancellation_date_reached", "uncanceled_membership",
        "reactivated_membership", "updated_membership_details", "updated_membership_picture",
        "changed_membership_plan", "membership_plan_change_date_reached", "deleted_membership");
    events.forEach(e -> subscribe(e, path(e)));
    String id = sim.addMembership(w.sub(), null, "Eva Ernst", "Flex Desk");
    sim.confirm(id);
    sim.connectUser(id, sim.createUser("Eva Ernst", "eva@example.com"));
    sim.cancel(id, sim.today().plusDays(3));
    sim.advanceClock(Duration.ofDays(4));
    sim.uncancel(id);
    sim.reactivate(id);
    sim.rename(id, "Eva Ernst-Ebert");
    sim.changePicture(id);
    sim.changePlan(id, "Fixed Desk");
    sim.deleteMembership(id);
    for (String e : events) {
      var got = receiver.await(path(e), 1, Duration.ofSeconds(5));
      assertThat(got.get(0).body().getString("url")).as(e).isEqualTo(sim.membershipUrl(w.sub(), id));
    }
  }

  @Test
  void deleted_membership_carries_the_object_because_the_url_404s() {
    subscribe("deleted_membership", path("deleted"));
    sim.deleteMembership(w.ben.membershipId());
    JsonObject body = receiver.await(path("deleted"), 1, Duration.ofSeconds(5)).get(0).body();
    assertThat(body.getString("url")).isEqualTo(sim.membershipUrl(w.sub(), w.ben.membershipId()));
    assertThat(body.getJsonObject("membership").getString("name")).isEqualTo("Ben Becker");
    assertThat(body.getJsonObject("membership").getJsonObject("user").getString("id")).isEqualTo(w.ben.userId());
    assertThat(http.get(body.getString("url"), token).status()).isEqualTo(404);
  }

  @Test
  void cancellation_date_reached_fires_when_the_last_day_has_passed() {
    subscribe("membership_cancellation_date_reached", path("reached"));
    sim.cancel(w.anna.membershipId(), sim.today().plusDays(2));
    sim.advanceClock(Duration.ofDays(2));
    assertThat(sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/reached"))).as("last day").isEmpty();
    sim.advanceClock(Duration.ofDays(1));
    receiver.await(path("reached"), 1, Duration.ofSeconds(5));
    sim.advanceClock(Duration.ofDays(1));
    sleep(100);
    assertThat(receiver.received(path("reached"))).as("fires once").hasSize(1);
  }

  @Test
  void failing_receiver_gets_ten_retries_with_growing_delays_then_the_subscription_is_switched_off() {
    String subUrl = subscribe("confirmed_membership", path("failing"));
    receiver.answer(500);
    sim.addMember(w.sub(), "Fritz Fehler", "Flex Desk");
    var got = receiver.await(path("failing"), 11, Duration.ofSeconds(10));
    awaitInactive(subUrl);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < got.size(); i++) {
      gaps.add((got.get(i).nanoTime() - got.get(i - 1).nanoTime()) / 1_000_000);
    }
    for (int i = 0; i < gaps.size(); i++) {
      assertThat(gaps.get(i)).as("gap before retry " + (i + 1)).isGreaterThanOrEqualTo(DELAYS.get(i).toMillis() - 5);
    }
    assertThat(gaps.get(9)).isGreaterThan(gaps.get(0));
    assertThat(sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/failing")).map(Delivery::attempt))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

    receiver.answer(200);
    sim.addMember(w.sub(), "Greta Gut", "Flex Desk");
    sleep(300);
    assertThat(receiver.received(path("failing"))).as("no more deliveries when off").hasSize(11);
    assertThat(sim.subscriptions(w.sub()).get(0).active()).isFalse();
  }

  @Test
  void recovery_before_the_last_retry_keeps_the_subscription() {
    String subUrl = subscribe("confirmed_membership", path("flaky"));
    receiver.answer(r -> receiver.received(path("flaky")).size() <= 3 ? 503 : 204);
    sim.addMember(w.sub(), "Hans Hoffnung", "Flex Desk");
    receiver.await(path("flaky"), 4, Duration.ofSeconds(5));
    sleep(200);
    assertThat(receiver.received(path("flaky"))).hasSize(4);
    assertThat(http.get(subUrl, token).json().getBoolean("active")).isTrue();
  }

  @Test
  void answer_410_switches_the_subscription_off_at_once() {
    String subUrl = subscribe("confirmed_membership", path("gone"));
    receiver.answer(410);
    sim.addMember(w.sub(), "Ida Ignoriert", "Flex Desk");
    receiver.await(path("gone"), 1, Duration.ofSeconds(5));
    awaitInactive(subUrl);
    sleep(200);
    assertThat(receiver.received(path("gone"))).hasSize(1);
  }

  @Test
  void redirects_are_not_followed_and_count_as_failures() {
    subscribe("confirmed_membership", path("redirect"));
    receiver.answer(r -> r.path().endsWith("/redirect") && receiver.received(path("redirect")).size() == 1 ? 302 : 200);
    sim.addMember(w.sub(), "Jan Umleitung", "Flex Desk");
    receiver.await(path("redirect"), 2, Duration.ofSeconds(5));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/redirect")).count() < 2
        && System.nanoTime() < deadline) {
      sleep(10);
    }
    assertThat(receiver.received("/moved")).isEmpty();
    assertThat(sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/redirect")).map(Delivery::status))
        .containsExactly(302, 200);
  }

  @Test
  void a_receiver_that_does_not_answer_in_time_is_retried() {
    subscribe("confirmed_membership", path("slow"));
    receiver.answer(r -> receiver.received(path("slow")).size() == 1 ? -1 : 200);
    sim.addMember(w.sub(), "Karl Langsam", "Flex Desk");
    receiver.await(path("slow"), 2, Duration.ofSeconds(5));
    sleep(100);
    assertThat(sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/slow")).map(Delivery::status))
        .containsExactly(0, 200);
  }

  @Test
  void paused_deliveries_go_out_when_resumed() {
    subscribe("confirmed_membership", path("paused"));
    sim.pauseWebhooks(true);
    sim.addMember(w.sub(), "Lena Later", "Flex Desk");
    sleep(200);
    assertThat(receiver.received(path("paused"))).isEmpty();
    assertThat(sim.heldDeliveries()).isEqualTo(1);
    sim.pauseWebhooks(false);
    receiver.await(path("paused"), 1, Duration.ofSeconds(5));
  }

  @Test
  void failing_webhooks_do_not_reach_the_receiver_and_follow_the_retry_rules() {
    String subUrl = subscribe("confirmed_membership", path("lost"));
    sim.failWebhooks(500);
    sim.addMember(w.sub(), "Max Verloren", "Flex Desk");
    awaitInactive(subUrl);
    assertThat(receiver.received(path("lost"))).isEmpty();
    assertThat(sim.deliveries().stream().filter(d -> d.callbackUrl().endsWith("/lost")))
        .hasSize(11).allMatch(Delivery::simulated);
  }

  void awaitInactive(String subscriptionUrl) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      if (!http.get(subscriptionUrl, token).json().getBoolean("active")) {
        return;
      }
      sleep(20);
    }
    throw new AssertionError("subscription still active");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
