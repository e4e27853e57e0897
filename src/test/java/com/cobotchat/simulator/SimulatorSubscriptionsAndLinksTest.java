package com.cobotchat.simulator;

import com.cobotchat.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator subscriptions, navigation links and rate limits")
class SimulatorSubscriptionsAndLinksTest {
  static Vertx vertx;
  static CobotSimulator sim;
  final Http http = new Http();
  SimWorld w;
  String token;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().requestsPerWindow(1000)).await();
  }

  @AfterAll
  static void stop() {
    sim.stop().await();
    vertx.close().await();
  }

  @BeforeEach
  void world() {
    w = new SimWorld(sim);
    token = w.adminToken("write_subscriptions", "read_subscriptions", "navigation");
  }

  JsonObject sub(String event, String url) {
    return new JsonObject().put("event", event).put("callback_url", url);
  }

  @Test
  void subscription_create_list_show_delete() {
    Http.Response created = http.postJson(w.spaceApi("/subscriptions"), token,
        sub("confirmed_membership", "http://127.0.0.1:9/hooks/s3cr3t/confirmed_membership"));
    assertThat(created.status()).isEqualTo(201);
    JsonObject s = created.json();
    assertThat(s.getString("event")).isEqualTo("confirmed_membership");
    assertThat(s.getString("callback_url")).isEqualTo("http://127.0.0.1:9/hooks/s3cr3t/confirmed_membership");
    assertThat(s.getString("url")).isEqualTo(w.spaceApi("/subscriptions/" + s.getString("id")));
    assertThat(s.getBoolean("active")).isTrue();

    assertThat(http.get(w.spaceApi("/subscriptions"), token).jsonArray()).hasSize(1);
    assertThat(http.get(s.getString("url"), token).json().getBoolean("active")).isTrue();
    assertThat(http.delete(s.getString("url"), token).status()).isEqualTo(204);
    assertThat(http.get(s.getString("url"), token).status()).isEqualTo(404);
    assertThat(http.delete(s.getString("url"), token).status()).isEqualTo(404);
    assertThat(http.get(w.spaceApi("/subscriptions"), token).jsonArray()).isEmpty();
  }

  @Test
  void duplicate_event_and_url_is_409_and_invalid_input_is_422() {
    JsonObject body = sub("canceled_membership", "http://127.0.0.1:9/hooks/x/canceled_membership");
    assertThat(http.postJson(w.spaceApi("/subscriptions"), token, body).status()).isEqualTo(201);
    assertThat(http.postJson(w.spaceApi("/subscriptions"), token, body).status()).isEqualTo(409);
    assertThat(http.postJson(w.spaceApi("/subscriptions"), token,
        sub("confirmed_membership", "http://127.0.0.1:9/hooks/x/canceled_membership")).status())
        .as("same URL, other event").isEqualTo(201);
    Http.Response badEvent = http.postJson(w.spaceApi("/subscriptions"), token, sub("updated_membership", "http://a.b/c"));
    assertThat(badEvent.status()).isEqualTo(422);
    assertThat(badEvent.json().getJsonObject("errors").getString("event")).isEqualTo("is invalid");
    assertThat(http.postJson(w.spaceApi("/subscriptions"), token, sub("confirmed_membership", "ftp://x/y")).status())
        .isEqualTo(422);
    assertThat(http.postJson(w.spaceApi("/subscriptions"), token, new JsonObject()).status()).isEqualTo(422);
  }

  @Test
  void subscriptions_accept_form_encoded_bodies_too() {
    String url = w.spaceApi("/subscriptions?access_token=" + token);
    Http.Response r = http.postForm(url, Map.of("event", "connected_user", "callback_url", "http://127.0.0.1:9/h"));
    assertThat(r.status()).isEqualTo(201);
  }

  @Test
  void subscriptions_need_scope_and_admin_and_are_per_app() {
    JsonObject body = sub("confirmed_membership", "http://127.0.0.1:9/h");
    assertThat(http.postJson(w.spaceApi("/subscriptions"), w.adminToken("read_subscriptions"), body).status())
        .isEqualTo(403);
    assertThat(http.get(w.spaceApi("/subscriptions"), w.adminToken("write_subscriptions")).status()).isEqualTo(403);
    String member = sim.issueTokenFor(SimWorld.CLIENT_ID, w.anna.userId(), "write_subscriptions");
    assertThat(http.postJson(w.spaceApi("/subscriptions"), member, body).status()).isEqualTo(403);
    assertThat(http.postJson(w.spaceApi("/subscriptions"), null, body).status()).isEqualTo(401);

    assertThat(http.postJson(w.spaceApi("/subscriptions"), token, body).status()).isEqualTo(201);
    sim.registerClient("other-app", "s", "http://127.0.0.1:9/cb");
    String other = sim.issueTokenFor("other-app", w.admin.userId(), "write_subscriptions", "read_subscriptions");
    assertThat(http.get(w.spaceApi("/subscriptions"), other).jsonArray()).as("other app sees none").isEmpty();
    assertThat(http.postJson(w.spaceApi("/subscriptions"), other, body).status()).as("no conflict across apps")
        .isEqualTo(201);
  }

  @Test
  void a_switched_off_subscription_can_be_created_again() {
    JsonObject body = sub("confirmed_membership", "http://127.0.0.1:9/h");
    String id = http.postJson(w.spaceApi("/subscriptions"), token, body).json().getString("id");
    sim.failWebhooks(410);
    try {
      sim.addMember(w.sub(), "Nina Neu", "Flex Desk");
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (sim.subscriptions(w.sub()).get(0).active() && System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    } finally {
      sim.succeedWebhooks();
    }
    assertThat(http.get(w.spaceApi("/subscriptions/" + id), token).json().getBoolean("active")).isFalse();
    Http.Response again = http.postJson(w.spaceApi("/subscriptions"), token, body);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().getBoolean("active")).isTrue();
  }

  @Test
  void navigation_link_create_list_delete() {
    Http.Response r = http.postJson(w.spaceApi("/navigation_links"), token, new JsonObject().put("section", "members")
        .put("label", "Chat").put("iframe_url", "http://127.0.0.1:9/embed"));
    assertThat(r.status()).isEqualTo(201);
    JsonObject link = r.json();
    assertThat(link.getString("section")).isEqualTo("members");
    assertThat(link.getString("label")).isEqualTo("Chat");
    assertThat(link.getString("iframe_url")).isEqualTo("http://127.0.0.1:9/embed");
    assertThat(link.getString("url")).startsWith(w.spaceApi("/navigation_links/"));
    assertThat(link.getString("user_url")).startsWith(sim.spaceUrl(w.sub()) + "/navigation_links/");
    assertThat(sim.navigationLinks(w.sub())).hasSize(1);

    Http.Response userPage = http.get(link.getString("user_url"));
    assertThat(userPage.status()).isEqualTo(302);
    assertThat(userPage.location()).startsWith(sim.hostPageUrl(w.sub()));

    assertThat(http.get(w.spaceApi("/navigation_links"), token).jsonArray()).hasSize(1);
    assertThat(http.delete(link.getString("url"), token).status()).isEqualTo(204);
    assertThat(http.get(w.spaceApi("/navigation_links"), token).jsonArray()).isEmpty();
    assertThat(http.delete(link.getString("url"), token).status()).isEqualTo(404);
  }

  @Test
  void navigation_link_validation_and_permissions() {
    JsonObject ok = new JsonObject().put("section", "members").put("label", "Chat").put("iframe_url", "http://x.y/e");
    assertThat(http.postJson(w.spaceApi("/navigation_links"), token, ok.copy().put("section", "sidebar")).status())
        .isEqualTo(422);
    assertThat(http.postJson(w.spaceApi("/navigation_links"), token, ok.copy().put("label", " ")).status())
        .isEqualTo(422);
    assertThat(http.postJson(w.spaceApi("/navigation_links"), token, ok.copy().put("iframe_url", "javascript:x"))
        .status()).isEqualTo(422);
    assertThat(http.postJson(w.spaceApi("/navigation_links"), w.adminToken("read_user"), ok).status()).isEqualTo(403);
    String member = sim.issueTokenFor(SimWorld.CLIENT_ID, w.anna.userId(), "navigation");
    assertThat(http.postJson(w.spaceApi("/navigation_links"), member, ok).status()).isEqualTo(403);
  }

  @Test
  void requests_over_the_per_token_limit_get_429_with_retry_after_until_the_window_passes() throws Exception {
    Vertx v = Vertx.vertx();
    CobotSimulator limited = CobotSimulator.start(v, new SimulatorOptions().requestsPerWindow(5)
        .membershipListPerWindow(2).rateWindow(Duration.ofSeconds(2))).await();
    try {
      SimWorld lw = new SimWorld(limited);
      String t = lw.adminToken("read_user", "read_memberships");
      for (int i = 0; i < 2; i++) {
        assertThat(http.get(lw.spaceApi("/memberships"), t).status()).isEqualTo(200);
      }
      Http.Response listLimited = http.get(lw.spaceApi("/memberships"), t);
      assertThat(listLimited.status()).as("list limit").isEqualTo(429);
      assertThat(listLimited.header("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s))
          .isBetween(1, 2));
      assertThat(http.get(lw.site("/api/user"), t).status()).as("other calls still fine").isEqualTo(200);
      assertThat(http.get(lw.site("/api/user"), t).status()).isEqualTo(200);
      Http.Response over = http.get(lw.site("/api/user"), t);
      assertThat(over.status()).isEqualTo(429);
      assertThat(over.header("Retry-After")).isPresent();
      assertThat(over.json().getString("error")).contains("rate limit");
      assertThat(http.get(lw.site("/api/user"), lw.adminToken("read_user")).status()).as("per token").isEqualTo(200);
      Thread.sleep(2100);
      assertThat(http.get(lw.site("/api/user"), t).status()).isEqualTo(200);
    } finally {
      limited.stop().await();
      v.close().await();
    }
  }
}
