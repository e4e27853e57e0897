package com.cobotchat.simulator;

import com.cobotchat.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator API 1: user, spaces, tokens, memberships (shapes and status codes per cobot-api.md)")
class SimulatorApiTest {
  static Vertx vertx;
  static CobotSimulator sim;
  final Http http = new Http();
  SimWorld w;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().membershipListPerWindow(1000)).await();
  }

  @AfterAll
  static void stop() {
    sim.stop().await();
    vertx.close().await();
  }

  @BeforeEach
  void world() {
    w = new SimWorld(sim);
  }

  @Test
  void api_user_lists_memberships_and_admin_of() {
    JsonObject me = http.get(w.site("/api/user"), w.adminToken("read_user")).json();
    assertThat(me.getString("id")).isEqualTo(w.admin.userId());
    assertThat(me.getString("email")).isEqualTo("ada.admin@example.com");
    JsonObject m = me.getJsonArray("memberships").getJsonObject(0);
    assertThat(m.getString("id")).isEqualTo(w.admin.membershipId());
    assertThat(m.getString("space_subdomain")).isEqualTo(w.sub());
    assertThat(m.getString("space_name")).isEqualTo("Kaffeehaus Coworking");
    assertThat(m.getString("space_link")).isEqualTo(w.site("/api/spaces/" + w.sub()));
    assertThat(m.getString("link")).isEqualTo(w.spaceApi("/memberships/" + w.admin.membershipId()));
    JsonObject admin = me.getJsonArray("admin_of").getJsonObject(0);
    assertThat(admin.getString("space_subdomain")).isEqualTo(w.sub());
    assertThat(admin.getString("name")).isEqualTo("Ada");
    assertThat(admin.getString("space_link")).isEqualTo(w.site("/api/spaces/" + w.sub()));

    JsonObject anna = http.get(w.site("/api/user"), sim.issueToken(w.anna.userId(), "read_user")).json();
    assertThat(anna.getJsonArray("admin_of")).isEmpty();
  }

  @Test
  void api_user_needs_a_valid_token_with_read_user() {
    assertThat(http.get(w.site("/api/user")).status()).isEqualTo(401);
    assertThat(http.get(w.site("/api/user"), "not-a-token").status()).isEqualTo(401);
    assertThat(http.get(w.site("/api/user"), w.adminToken("read_memberships")).status()).isEqualTo(403);
    assertThat(http.get(w.site("/api/user?access_token=" + w.adminToken("read_user"))).status())
        .as("API 1 also takes the token as a query parameter").isEqualTo(200);
  }

  @Test
  void spaces_are_public_and_unknown_ones_404() {
    Http.Response r = http.get(w.site("/api/spaces/" + w.sub()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("id")).isEqualTo(w.space.id());
    assertThat(r.json().getString("subdomain")).isEqualTo(w.sub());
    assertThat(r.json().getString("name")).isEqualTo("Kaffeehaus Coworking");
    assertThat(r.json().getString("url")).isEqualTo(sim.spaceUrl(w.sub()));
    assertThat(http.get(w.site("/api/spaces/nope")).status()).isEqualTo(404);
    sim.setCustomDomain(w.sub(), "coworking.example.org");
    assertThat(http.get(w.site("/api/spaces/" + w.sub())).json().getString("domain")).isEqualTo("coworking.example.org");
  }

  @Test
  void admin_token_becomes_a_space_token_that_survives_admin_turnover() {
    String userToken = w.adminToken("read_user", "read_memberships");
    Http.Response r = http.postJson(w.site("/api/access_tokens/" + userToken + "/space"), userToken,
        new JsonObject().put("space_id", w.space.id()));
    assertThat(r.status()).isIn(200, 201);
    assertThat(r.json().getString("client_id")).isEqualTo(SimWorld.CLIENT_ID);
    assertThat(r.json().getJsonArray("scope")).containsExactly("read_user", "read_memberships");
    String spaceToken = r.json().getString("token");
    assertThat(spaceToken).isNotEqualTo(userToken);

    sim.removeAdmin(w.sub(), w.admin.userId());
    assertThat(http.get(w.spaceApi("/memberships"), userToken).status()).as("user token lost admin").isEqualTo(403);
    assertThat(http.get(w.spaceApi("/memberships"), spaceToken).status()).isEqualTo(200);

    SimWorld other = new SimWorld(sim);
    assertThat(http.get(other.spaceApi("/memberships"), spaceToken).status()).as("other space").isEqualTo(403);
  }

  @Test
  void only_admins_get_a_space_token() {
    String token = sim.issueTokenFor(SimWorld.CLIENT_ID, w.anna.userId(), "read_user");
    Http.Response r = http.postJson(w.site("/api/access_tokens/" + token + "/space"), token,
        new JsonObject().put("space_id", w.space.id()));
    assertThat(r.status()).isEqualTo(403);
    String admin = w.adminToken("read_user");
    assertThat(http.postJson(w.site("/api/access_tokens/" + admin + "/space"), admin,
        new JsonObject().put("space_id", "nope")).status()).isEqualTo(422);
    assertThat(http.postJson(w.site("/api/access_tokens/" + admin + "/space"), null,
        new JsonObject().put("space_id", w.space.id())).status()).isEqualTo(401);
  }

  @Test
  void token_info_and_revocation() {
    String token = w.adminToken("read_user", "navigation");
    Http.Response info = http.get(w.site("/api/access_tokens/" + token), token);
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().getJsonArray("scope")).containsExactly("read_user", "navigation");
    assertThat(http.delete(w.site("/api/access_tokens/" + token), token).status()).isEqualTo(204);
    assertThat(http.get(w.site("/api/user"), token).status()).isEqualTo(401);
    assertThat(sim.tokenValid(token)).isFalse();
    assertThat(http.delete(w.site("/api/access_tokens/" + token), token).status()).isEqualTo(404);
  }

  @Test
  void membership_has_the_api1_shape() {
    sim.cancel(w.anna.membershipId(), LocalDate.of(2099, 11, 15));
    JsonObject m = http.get(w.spaceApi("/memberships/" + w.anna.membershipId()), w.adminToken("read_memberships"))
        .json();
    assertThat(m.getString("id")).isEqualTo(w.anna.membershipId());
    assertThat(m.getString("name")).isEqualTo("Anna Arendt");
    assertThat(m.getString("email")).isEqualTo("anna.arendt@example.com");
    assertThat(m.getJsonObject("user").getString("id")).isEqualTo(w.anna.userId());
    assertThat(m.getJsonObject("user").getString("email")).isEqualTo("anna.arendt@example.com");
    assertThat(m.getJsonObject("plan").getString("name")).isEqualTo("Flex Desk");
    assertThat(m.getJsonObject("plan").getString("canceled_to")).isEqualTo("2099/11/15");
    assertThat(m.getString("canceled_to")).isEqualTo("2099/11/15");
    assertThat(m.getString("confirmed_at")).matches("\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} \\+0000");
    assertThat(m.getString("starts_at")).matches("\\d{4}/\\d{2}/\\d{2}");
    assertThat(m.containsKey("team_id")).isTrue();
    assertThat(m.getString("picture")).startsWith(sim.spaceUrl(w.sub()) + "/api/memberships/" + w.anna.membershipId()
        + "/picture");

    Http.Response picture = http.get(m.getString("picture"));
    assertThat(picture.status()).isEqualTo(200);
    assertThat(picture.header("Content-Type")).contains("image/svg+xml");
    assertThat(picture.body()).startsWith("<svg").contains("AA");

    JsonObject managed = http.get(w.spaceApi("/memberships/" + w.managedMembershipId),
        w.adminToken("read_memberships")).json();
    assertThat(managed.containsKey("user")).isTrue();
    assertThat(managed.getValue("user")).as("no Cobot account").isNull();
    assertThat(managed.getValue("canceled_to")).isNull();
  }

  @Test
  void unconfirmed_membership_has_null_confirmed_at() {
    String id = sim.addMembership(w.sub(), sim.createUser("Dora", "dora@example.com"), "Dora", "Flex Desk");
    JsonObject m = http.get(w.spaceApi("/memberships/" + id), w.adminToken("read_memberships")).json();
    assertThat(m.getValue("confirmed_at")).isNull();
  }

  @Test
  void membership_show_is_for_admins_and_the_owner() {
    String url = w.spaceApi("/memberships/" + w.anna.membershipId());
    assertThat(http.get(url, sim.issueToken(w.anna.userId(), "read_memberships")).status()).as("owner").isEqualTo(200);
    assertThat(http.get(url, sim.issueToken(w.ben.userId(), "read_memberships")).status()).as("other member")
        .isEqualTo(403);
    assertThat(http.get(url, w.adminToken("read_user")).status()).as("missing scope").isEqualTo(403);
    assertThat(http.get(url).status()).isEqualTo(401);
    assertThat(http.get(w.spaceApi("/memberships/unknown"), w.adminToken("read_memberships")).status())
        .isEqualTo(404);
  }

  @Test
  void deleted_membership_answers_404() {
    String token = w.adminToken("read_memberships");
    sim.deleteMembership(w.ben.membershipId());
    assertThat(http.get(w.spaceApi("/memberships/" + w.ben.membershipId()), token).status()).isEqualTo(404);
    assertThat(sim.membershipJson(w.ben.membershipId())).isNull();
  }

  @Test
  void membership_list_returns_current_members_with_attributes_and_ids_filters() {
    String token = w.adminToken("read_memberships");
    sim.cancel(w.ben.membershipId(), sim.today().minusDays(1));
    sim.addMembership(w.sub(), null, "Unconfirmed Ursula", "Flex Desk");
    JsonArray all = http.get(w.spaceApi("/memberships"), token).jsonArray();
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("name")))
        .containsExactlyInAnyOrder("Ada Admin", "Anna Arendt", "Carla Contact");

    JsonArray some = http.get(w.spaceApi("/memberships?attributes=id,name&ids=" + w.anna.membershipId() + ","
        + w.admin.membershipId()), token).jsonArray();
    assertThat(some).hasSize(2);
    assertThat(some.getJsonObject(0).fieldNames()).containsExactlyInAnyOrder("id", "name");
  }

  @Test
  void membership_list_is_admin_only() {
    assertThat(http.get(w.spaceApi("/memberships"), sim.issueToken(w.anna.userId(), "read_memberships")).status())
        .isEqualTo(403);
    assertThat(http.get(w.spaceApi("/memberships"), w.adminToken("read_user")).status()).isEqualTo(403);
    assertThat(http.get(sim.spaceUrl("nope") + "/api/memberships", w.adminToken("read_memberships")).status())
        .isEqualTo(404);
  }
}
