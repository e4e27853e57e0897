package com.cobotchat.simulator;

import com.cobotchat.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator host page and control API")
class SimulatorHostPageTest {
  static Vertx vertx;
  static CobotSimulator sim;
  final Http http = new Http();
  SimWorld w;
  String linkId;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().demoControls(true)).await();
  }

  @AfterAll
  static void stop() {
    sim.stop().await();
    vertx.close().await();
  }

  @BeforeEach
  void world() {
    w = new SimWorld(sim);
    Http.Response r = http.postJson(w.spaceApi("/navigation_links"), w.adminToken("navigation"),
        new JsonObject().put("section", "members").put("label", "Chat").put("iframe_url", "http://127.0.0.1:9/embed"));
    linkId = r.json().getString("id");
  }

  String cookie(String userId) {
    return CobotSimulator.LOGIN_COOKIE + "=" + sim.loginCookie(userId);
  }

  static String iframeSrc(String html) {
    Matcher m = Pattern.compile("<iframe id=\"app-frame\"[^>]* src=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("iframe in page").isTrue();
    return m.group(1).replace("&amp;", "&");
  }

  @Test
  void frames_the_navigation_link_with_cobot_parameters() {
    Http.Response page = http.getWithCookie(sim.hostPageUrl(w.sub()) + "?locale=de", cookie(w.anna.userId()));
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("Kaffeehaus Coworking").contains(">Chat</a>").contains("/_sim/assets/host.js")
        .doesNotContain("<script>");
    String src = iframeSrc(page.body());
    assertThat(src).startsWith("http://127.0.0.1:9/embed?");
    assertThat(Http.query(src)).containsEntry("cobot_embed", "true")
        .containsEntry("cobot_subdomain", w.sub())
        .containsEntry("cobot_user_id", w.anna.userId())
        .containsEntry("cobot_locale", "de")
        .containsEntry("cobot_space_id", w.space.id())
        .containsEntry("cobot_section", "members");
    assertThat(page.header("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("script-src 'self'").contains("frame-src http: https:"));
  }

  @Test
  void without_a_signed_in_member_the_page_asks_to_pick_one() {
    Http.Response page = http.get(sim.hostPageUrl(w.sub()));
    assertThat(page.body()).doesNotContain("app-frame").contains("Signed in as").contains("Anna Arendt");
    assertThat(http.get(sim.hostPageUrl("no-such-space")).status()).isEqualTo(404);
  }

  @Test
  void the_member_switcher_changes_the_cobot_user() {
    Http.Response switched = http.postForm(sim.siteUrl() + "/_sim/host/" + w.sub() + "/switch",
        Map.of("user_id", w.ben.userId(), "locale", "en", "link", linkId));
    assertThat(switched.status()).isEqualTo(302);
    assertThat(switched.location()).isEqualTo("/host/" + w.sub() + "?locale=en&link=" + linkId);
    String login = CobotSimulator.LOGIN_COOKIE + "=" + switched.cookie(CobotSimulator.LOGIN_COOKIE).orElseThrow();
    assertThat(Http.query(iframeSrc(http.getWithCookie(sim.hostPageUrl(w.sub()), login).body())))
        .containsEntry("cobot_user_id", w.ben.userId());
  }

  @Test
  void admin_sections_are_visible_to_admins_only() {
    http.postJson(w.spaceApi("/navigation_links"), w.adminToken("navigation"), new JsonObject()
        .put("section", "admin/manage").put("label", "Chat settings").put("iframe_url", "http://127.0.0.1:9/admin"));
    assertThat(http.getWithCookie(sim.hostPageUrl(w.sub()), cookie(w.admin.userId())).body()).contains("Chat settings");
    assertThat(http.getWithCookie(sim.hostPageUrl(w.sub()), cookie(w.anna.userId())).body())
        .doesNotContain("Chat settings");
  }

  @Test
  void demo_buttons_add_and_cancel_members() {
    String base = sim.siteUrl() + "/_sim/host/" + w.sub();
    assertThat(http.postForm(base + "/members", Map.of("name", "Olga Neu", "plan", "Flex Desk")).status())
        .isEqualTo(302);
    Http.Response page = http.getWithCookie(sim.hostPageUrl(w.sub()), cookie(w.admin.userId()));
    assertThat(page.body()).contains("Olga Neu");

    assertThat(http.postForm(base + "/cancel", Map.of("membership_id", w.anna.membershipId())).status())
        .isEqualTo(302);
    assertThat(sim.membershipJson(w.anna.membershipId()).getString("canceled_to")).isNotNull();
    http.postForm(base + "/uncancel", Map.of("membership_id", w.anna.membershipId()));
    assertThat(sim.membershipJson(w.anna.membershipId()).getString("canceled_to")).isNull();
  }

  @Test
  void control_posts_from_another_origin_are_refused() {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.siteUrl() + "/_sim/host/" + w.sub()
            + "/members"))
        .header("Origin", "http://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=Mallory")).build();
    try {
      int status = java.net.http.HttpClient.newHttpClient().send(request,
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
      assertThat(status).isEqualTo(403);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void json_control_api_mirrors_the_java_methods() {
    Http.Response added = http.postJson(sim.siteUrl() + "/_sim/spaces/" + w.sub() + "/members", null,
        new JsonObject().put("name", "Paul Probe").put("plan", "Fixed Desk"));
    assertThat(added.status()).isEqualTo(201);
    String membershipId = added.json().getString("membershipId");
    assertThat(sim.membershipJson(membershipId).getJsonObject("plan").getString("name")).isEqualTo("Fixed Desk");
    assertThat(http.postJson(sim.siteUrl() + "/_sim/memberships/" + membershipId + "/cancel", null,
        new JsonObject().put("canceledTo", "2099-12-31")).status()).isEqualTo(204);
    assertThat(sim.membershipJson(membershipId).getString("canceled_to")).isEqualTo("2099/12/31");
    assertThat(http.get(sim.siteUrl() + "/_sim/state").json().getJsonArray("spaces")).isNotEmpty();
    assertThat(http.postJson(sim.siteUrl() + "/_sim/memberships/nope/cancel", null, new JsonObject()).status())
        .isEqualTo(404);
  }

  @Test
  void host_script_and_styles_are_served_by_the_simulator() {
    Http.Response js = http.get(sim.siteUrl() + "/_sim/assets/host.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.body()).contains("frameHeight");
    assertThat(http.get(sim.siteUrl() + "/_sim/assets/cobot.css").status()).isEqualTo(200);
    assertThat(http.get(sim.siteUrl() + "/_sim/assets/../SimState.class").status()).isEqualTo(404);
  }

  @Test
  void cobot_down_answers_503_but_the_control_api_keeps_working() {
    sim.setDown(true);
    try {
      assertThat(http.get(w.site("/api/spaces/" + w.sub())).status()).isEqualTo(503);
      assertThat(http.get(sim.siteUrl() + "/_sim/state").status()).isEqualTo(200);
    } finally {
      sim.setDown(false);
    }
  }

  @Test
  void request_log_records_api_calls_but_not_control_calls() {
    sim.clearRequestLog();
    String token = w.adminToken("read_user");
    http.get(w.site("/api/user"), token);
    http.get(sim.siteUrl() + "/_sim/state");
    assertThat(sim.requestLog()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/api/user");
      assertThat(r.token()).isEqualTo(token);
      assertThat(r.status()).isEqualTo(200);
    });
  }
}
