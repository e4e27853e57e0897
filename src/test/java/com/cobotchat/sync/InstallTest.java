package com.cobotchat.sync;

import com.cobotchat.testing.TestConfigs;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimSubscription;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.Http;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Installing the chat into a space and taking it out")
class InstallTest {
  static SyncWorld world;

  @BeforeAll
  static void start() {
    world = new SyncWorld("install");
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void install_creates_link_subscriptions_and_imports_members() {
    SyncWorld.TestSpace s = world.space();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    String carla = world.sim.addMembership(s.subdomain(), null, "Carla Contact", "Flex Desk");
    world.sim.confirm(carla);

    String redirect = world.install(s);

    var links = world.sim.navigationLinks(s.subdomain());
    assertThat(links).singleElement().satisfies(l -> {
      assertThat(l.section()).isEqualTo("members");
      assertThat(l.label()).isEqualTo("Chat");
      assertThat(l.iframeUrl()).isEqualTo(world.publicUrl + "/embed");
    });
    assertThat(redirect).isEqualTo(world.sim.spaceUrl(s.subdomain()) + "/navigation_links/" + links.get(0).id());

    long spaceId = world.spaceId(s.subdomain());
    String secret = world.webhookSecret(spaceId);
    assertThat(secret).hasSizeGreaterThanOrEqualTo(22);
    assertThat(world.sim.subscriptions(s.subdomain())).extracting(SimSubscription::event)
        .containsExactlyInAnyOrderElementsOf(Events.SUBSCRIBED);
    assertThat(world.sim.subscriptions(s.subdomain())).allSatisfy(sub -> {
      assertThat(sub.active()).isTrue();
      assertThat(sub.callbackUrl()).isEqualTo(world.publicUrl + "/hooks/cobot/" + secret + "/" + sub.event());
    });

    assertThat(world.member(spaceId, anna.membershipId())).get()
        .satisfies(m -> assertThat(m.status()).isEqualTo(MemberStatus.ACTIVE));
    assertThat(world.member(spaceId, carla)).get()
        .satisfies(m -> assertThat(m.status()).as("no user account").isEqualTo(MemberStatus.PENDING));
    assertThat(world.member(spaceId, s.admin().membershipId())).get()
        .satisfies(m -> assertThat(m.admin()).isTrue());

    var state = world.app().services().spaces().syncState(spaceId).await().orElseThrow();
    assertThat(state.space().installed()).isTrue();
    assertThat(state.navLinkUserUrl()).isEqualTo(redirect);
    assertThat(state.lastReconcileAt()).isNotNull();
    assertThat(new String(state.sealedToken(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("the space token is stored sealed").doesNotContain(world.config().secret().decrypt(state.sealedToken()));
  }

  @Test
  void installing_twice_duplicates_nothing_and_repairs_what_is_missing() {
    SyncWorld.TestSpace s = world.space();
    world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    String first = world.install(s);
    long spaceId = world.spaceId(s.subdomain());
    long members = world.count("SELECT count(*) FROM members WHERE space_id = $1", spaceId);

    String token = world.adminToken(s);
    var sub = world.sim.subscriptions(s.subdomain()).get(0);
    world.http.delete(world.sim.spaceUrl(s.subdomain()) + "/api/subscriptions/" + sub.id(), token);

    String second = world.install(s);

    assertThat(second).isEqualTo(first);
    assertThat(world.sim.navigationLinks(s.subdomain())).hasSize(1);
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size())
        .extracting(SimSubscription::event).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(Events.SUBSCRIBED);
    assertThat(world.count("SELECT count(*) FROM members WHERE space_id = $1", spaceId)).isEqualTo(members);
    assertThat(world.count("SELECT count(*) FROM spaces WHERE subdomain = $1", s.subdomain())).isEqualTo(1);
  }

  @Test
  void a_user_who_is_not_admin_of_the_space_cannot_install() {
    SyncWorld.TestSpace s = world.space();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    String token = world.sim.issueTokenFor(TestConfigs.CLIENT_ID, anna.userId(), InstallFlow.SCOPES.toArray(String[]::new));
    JsonObject user = world.http.get(world.sim.siteUrl() + "/api/user", token).json();

    assertThatThrownBy(() -> world.sync().installer().complete(s.subdomain(), token, user).await())
        .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(403));
    assertThat(world.sim.navigationLinks(s.subdomain())).isEmpty();
    assertThat(world.sim.subscriptions(s.subdomain())).isEmpty();
  }

  @Test
  void install_page_sends_the_admin_through_cobot_oauth_and_back_to_the_link() {
    SyncWorld.TestSpace s = world.space();
    Http.Response start = world.http.get(world.publicUrl + "/install?space=" + s.subdomain());
    assertThat(start.status()).isEqualTo(302);
    String authorize = start.location();
    assertThat(authorize).startsWith(world.sim.spaceUrl(s.subdomain()) + "/oauth/authorize?");
    Map<String, String> q = Http.query(authorize);
    assertThat(q.get("scope")).isEqualTo("read_user read_memberships write_subscriptions read_subscriptions navigation");
    assertThat(q.get("code_challenge_method")).isEqualTo("S256");
    assertThat(q.get("redirect_uri")).isEqualTo(world.publicUrl + "/auth/cobot/callback");
    assertThat(world.count("SELECT count(*) FROM oauth_states WHERE purpose = 'install' AND subdomain = $1",
        s.subdomain())).isEqualTo(1);

    String cookie = CobotSimulator.LOGIN_COOKIE + "=" + world.sim.loginCookie(s.admin().userId());
    world.sim.grantConsent(s.admin().userId(), TestConfigs.CLIENT_ID, InstallFlow.SCOPES.toArray(String[]::new));
    Http.Response atCobot = world.http.getWithCookie(authorize, cookie);
    assertThat(atCobot.status()).isEqualTo(302);
    String callback = atCobot.location();
    assertThat(callback).startsWith(world.publicUrl + "/auth/cobot/callback?");

    Http.Response done = world.http.get(callback);
    assertThat(done.status()).as(done.body()).isEqualTo(302);
    assertThat(done.location()).isEqualTo(world.sim.spaceUrl(s.subdomain()) + "/navigation_links/"
        + world.sim.navigationLinks(s.subdomain()).get(0).id());
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size());

    Http.Response replay = world.http.get(callback);
    assertThat(replay.status()).as("the state is single use").isEqualTo(400);
  }

  @Test
  void a_tampered_install_state_is_refused() {
    SyncWorld.TestSpace s = world.space();
    String authorize = world.http.get(world.publicUrl + "/install?space=" + s.subdomain()).location();
    String state = Http.query(authorize).get("state");
    Http.Response r = world.http.get(world.publicUrl + "/auth/cobot/callback?code=x&state=" + state.substring(0, state.length() - 2) + "AA");
    assertThat(r.status()).isEqualTo(400);
    assertThat(world.sim.navigationLinks(s.subdomain())).isEmpty();
  }

  @Test
  void uninstall_removes_link_and_subscriptions_and_later_deliveries_get_410() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna active");

    Installer.Uninstalled result = world.sync().installer().uninstall(s.id()).await();

    assertThat(result.error()).isNull();
    assertThat(result.linksRemoved()).isEqualTo(1);
    assertThat(result.subscriptionsRemoved()).isEqualTo(Events.SUBSCRIBED.size());
    assertThat(world.sim.navigationLinks(s.subdomain())).isEmpty();
    assertThat(world.sim.subscriptions(s.subdomain())).isEmpty();
    var state = world.app().services().spaces().syncState(s.id()).await().orElseThrow();
    assertThat(state.uninstalled()).isTrue();
    assertThat(state.sealedToken()).isNull();

    assertThat(world.deliver(s, "confirmed_membership", anna.membershipId())).isEqualTo(410);
  }

  @Test
  void uninstall_is_for_admins_of_the_space_only() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    long annaId = world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna active").id();
    long adminId = world.member(s.id(), s.admin().membershipId()).orElseThrow().id();
    String annaSession = world.pageToken(annaId);
    String adminSession = world.pageToken(adminId);

    assertThat(world.http.postJson(world.publicUrl + "/api/admin/uninstall", null, new JsonObject()).status()).isEqualTo(401);
    assertThat(world.http.postJson(world.publicUrl + "/api/admin/uninstall", annaSession, new JsonObject()).status())
        .isEqualTo(403);
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size());

    Http.Response status = world.http.get(world.publicUrl + "/api/admin/sync", adminSession);
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.json().getBoolean("installed")).isTrue();
    assertThat(status.json().getString("lastWebhookAt")).isNotNull();

    assertThat(post(world.publicUrl + "/api/admin/uninstall", adminSession, "https://evil.example"))
        .as("from a foreign page").isEqualTo(403);
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size());

    Http.Response done = world.http.postJson(world.publicUrl + "/api/admin/uninstall", adminSession, new JsonObject());
    assertThat(done.status()).isEqualTo(200);
    assertThat(world.sim.subscriptions(s.subdomain())).isEmpty();
    assertThat(world.deliver(s, "updated_membership_details", anna.membershipId())).isEqualTo(410);
  }

  @Test
  void reinstalling_after_uninstall_accepts_deliveries_again() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sync().installer().uninstall(s.id()).await();
    world.install(s);
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    SyncWorld.awaitUntil("ben imported by webhook", () -> world.member(s.id(), ben.membershipId())
        .map(m -> m.status() == MemberStatus.ACTIVE).orElse(false), java.time.Duration.ofSeconds(10));
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size())
        .allMatch(SimSubscription::active);
    assertThat(List.of(world.sim.navigationLinks(s.subdomain()).size())).containsExactly(1);
  }

  static int post(String url, String bearer, String origin) {
    try {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
          .header("Authorization", "Bearer " + bearer).header("Origin", origin)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build();
      return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
