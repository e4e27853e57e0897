package com.cobotchat.space;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.sso.Csrf;
import com.cobotchat.sso.PageTokens;
import com.cobotchat.sso.Sessions;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Member directory API: GET /api/members, PUT /api/me/profile, and the page token on the sync admin API")
class DirectoryApiTest {
  static DatabaseUrl db;
  static AppConfig config;
  static Application app;
  static Fixtures fixtures;
  static PageTokens pageTokens;
  static Csrf csrf;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    db = TestDatabases.fresh("ui_directory");
    config = TestConfigs.config(db);
    app = Application.start(config, l -> { });
    fixtures = new Fixtures(app.services().pool());
    pageTokens = new PageTokens(config.secret(), Clock.systemUTC());
    csrf = new Csrf(config.secret(), config.publicOrigin());
  }

  @AfterAll
  static void stop() {
    app.stop();
    TestDatabases.drop(db);
  }

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Sessions.Session session(Member m) {
    return app.services().sessions().create(m.id()).await();
  }

  static String pageToken(Member m) {
    return pageTokens.issue(session(m).hash());
  }

  static Reply call(String method, String path, Map<String, String> headers, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.publicUrl() + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> bearer(String token) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + token);
    return h;
  }

  static List<String> names(JsonArray members) {
    return members.stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }

  @Test
  void lists_the_members_of_the_callers_space_who_may_chat() {
    Space space = fixtures.space("dir-list");
    Space other = fixtures.space("dir-other");
    Member anna = fixtures.member(space, "Anna Arendt", "Flex Desk");
    fixtures.admin(space, "Ada Admin");
    Member gone = fixtures.member(space, "Gina Gone");
    app.services().members().setStatus(app.services().pool(), gone.id(), MemberStatus.ENDED).await();
    fixtures.member(other, "Olaf Other");

    Reply r = call("GET", "/api/members", bearer(pageToken(anna)), null);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonArray members = r.json().getJsonArray("members");
    assertThat(names(members)).containsExactly("Ada Admin", "Anna Arendt");
    JsonObject me = members.getJsonObject(1);
    assertThat(me.getString("id")).isEqualTo(Long.toString(anna.id()));
    assertThat(me.getBoolean("me")).isTrue();
    assertThat(me.getBoolean("admin")).isFalse();
    assertThat(me.getJsonObject("profile")).isEqualTo(new JsonObject().put("about", "").put("contact", ""));
    assertThat(members.getJsonObject(0).getBoolean("admin")).isTrue();
    assertThat(r.json().containsKey("plans")).as("plans are for admins").isFalse();
  }

  @Test
  void admins_also_get_the_plan_names_for_auto_join_rules() {
    Space space = fixtures.space("dir-plans");
    Member ada = fixtures.admin(space, "Ada Admin");
    fixtures.member(space, "Fred Fixed", "Fixed Desk");
    fixtures.member(space, "Flo Flex", "Flex Desk");

    Reply r = call("GET", "/api/members", bearer(pageToken(ada)), null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("plans").getList()).containsExactly("basic", "Fixed Desk", "Flex Desk");
  }

  @Test
  void a_profile_is_stored_as_text_and_shown_to_the_space() {
    Space space = fixtures.space("dir-profile");
    Member anna = fixtures.member(space, "Anna Arendt");
    Member ben = fixtures.member(space, "Ben Becker");
    String about = "  Building <b>bike</b> sharing\r\nfor the block  ";

    Reply saved = call("PUT", "/api/me/profile", bearer(pageToken(anna)),
        new JsonObject().put("about", about).put("contact", "Desk 12\t(ask for Anna)").put("ignored", 1));

    assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    JsonObject expected = new JsonObject().put("about", "Building <b>bike</b> sharing\nfor the block")
        .put("contact", "Desk 12 (ask for Anna)");
    assertThat(saved.json().getJsonObject("profile")).isEqualTo(expected);
    JsonObject seenByBen = call("GET", "/api/members", bearer(pageToken(ben)), null).json().getJsonArray("members")
        .stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("Anna Arendt")).findFirst().orElseThrow();
    assertThat(seenByBen.getJsonObject("profile")).isEqualTo(expected);
    assertThat(seenByBen.getBoolean("me")).isFalse();

    Reply cleared = call("PUT", "/api/me/profile", bearer(pageToken(anna)), new JsonObject().put("about", " "));
    assertThat(cleared.json().getJsonObject("profile")).isEqualTo(new JsonObject().put("about", "").put("contact", ""));
    String column = app.services().pool().preparedQuery("SELECT profile FROM members WHERE id = $1")
        .execute(Tuple.of(anna.id())).await().iterator().next().getString(0);
    assertThat(column).isEmpty();
  }

  @Test
  void a_profile_over_the_limits_is_refused() {
    Space space = fixtures.space("dir-limits");
    Member anna = fixtures.member(space, "Anna Arendt");
    String token = pageToken(anna);

    Reply longAbout = call("PUT", "/api/me/profile", bearer(token), new JsonObject().put("about", "x".repeat(501)));
    Reply longContact = call("PUT", "/api/me/profile", bearer(token), new JsonObject().put("contact", "y".repeat(201)));
    Reply quotes = call("PUT", "/api/me/profile", bearer(token),
        new JsonObject().put("about", "\"".repeat(450)).put("contact", "\"".repeat(150)));
    Reply notJson = call("PUT", "/api/me/profile", bearer(token), null);

    assertThat(longAbout.status()).isEqualTo(400);
    assertThat(longAbout.json().getString("message")).contains("500");
    assertThat(longContact.status()).isEqualTo(400);
    assertThat(quotes.status()).as("the stored form must fit the column").isEqualTo(400);
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(app.services().members().findById(anna.id()).await().orElseThrow().profile()).isEmpty();
  }

  @Test
  void requests_need_a_live_session_and_our_origin() {
    Space space = fixtures.space("dir-auth");
    Member anna = fixtures.member(space, "Anna Arendt");
    Sessions.Session s = session(anna);
    String token = pageTokens.issue(s.hash());
    String cookie = "__Host-cc_session=" + s.token();
    JsonObject profile = new JsonObject().put("about", "hi");

    assertThat(call("GET", "/api/members", Map.of(), null).status()).isEqualTo(401);
    assertThat(call("GET", "/api/members", bearer("pt1.forged"), null).status()).isEqualTo(401);
    Map<String, String> foreign = bearer(token);
    foreign.put("Origin", "https://evil.example");
    assertThat(call("GET", "/api/members", foreign, null).status()).isEqualTo(403);

    assertThat(call("GET", "/api/members", Map.of("Cookie", cookie), null).status())
        .as("a cookie without our Origin").isEqualTo(403);
    assertThat(call("GET", "/api/members", Map.of("Cookie", cookie, "Origin", config.publicOrigin()), null).status())
        .isEqualTo(200);
    assertThat(call("PUT", "/api/me/profile", Map.of("Cookie", cookie, "Origin", config.publicOrigin()), profile).status())
        .as("a cookie-authenticated change needs the CSRF token").isEqualTo(403);
    assertThat(call("PUT", "/api/me/profile", Map.of("Cookie", cookie, "Origin", config.publicOrigin(),
        Csrf.HEADER, csrf.token(s.hash())), profile).status()).isEqualTo(200);

    app.services().sessions().revoke(s.token()).await();
    assertThat(call("GET", "/api/members", bearer(token), null).status()).as("revoked").isEqualTo(401);
  }

  @Test
  void the_sync_admin_api_accepts_the_page_token_of_an_admin_only() {
    Space space = fixtures.space("dir-sync");
    Member ada = fixtures.admin(space, "Ada Admin");
    Member anna = fixtures.member(space, "Anna Arendt");

    Reply admin = call("GET", "/api/admin/sync", bearer(pageToken(ada)), null);
    Reply member = call("GET", "/api/admin/sync", bearer(pageToken(anna)), null);

    assertThat(admin.status()).as(admin.body()).isEqualTo(200);
    assertThat(admin.json().getString("space")).isEqualTo("dir-sync");
    assertThat(admin.json().containsKey("lastReconcileAt")).isTrue();
    assertThat(member.status()).isEqualTo(403);
  }
}
