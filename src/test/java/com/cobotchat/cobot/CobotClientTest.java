package com.cobotchat.cobot;

import com.cobotchat.app.AppConfig;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimSpace;
import com.cobotchat.simulator.SimulatorOptions;
import com.cobotchat.testing.Http;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("CobotClient against the simulator over real HTTP")
class CobotClientTest {
  static final String REDIRECT = "http://127.0.0.1:9/auth/cobot/callback";
  static final AtomicInteger SPACES = new AtomicInteger();
  static Vertx vertx;
  static CobotSimulator sim;
  static CobotClient client;

  SimSpace space;
  SimMember admin;
  SimMember member;
  String adminToken;

  static AppConfig config(CobotSimulator sim) {
    Map<String, String> env = new HashMap<>();
    env.put("COBOT_CLIENT_ID", "chat-client");
    env.put("COBOT_CLIENT_SECRET", "chat-secret");
    env.put("COBOT_SITE", sim.siteUrl());
    env.put("COBOT_SPACE_URL", sim.spaceUrlTemplate());
    env.put("SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop");
    return AppConfig.fromEnv(env);
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().membershipListPerWindow(3)).await();
    sim.registerClient("chat-client", "chat-secret", REDIRECT);
    client = new CobotClient(vertx, config(sim));
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.stop().await();
    vertx.close().await();
  }

  @BeforeEach
  void world() {
    space = sim.createSpace("client" + SPACES.incrementAndGet(), "Kaffeehaus Coworking");
    admin = sim.addMember(space.subdomain(), "Ada Admin", "Fixed Desk");
    sim.makeAdmin(space.subdomain(), admin.userId(), "Ada");
    member = sim.addMember(space.subdomain(), "Anna Arendt", "Flex Desk");
    adminToken = sim.issueToken(admin.userId(), "read_user", "read_memberships", "write_subscriptions",
        "read_subscriptions", "navigation");
  }

  @AfterEach
  void heal() {
    sim.setDown(false);
    sim.delayResponses(Duration.ZERO);
  }

  /** Drives the browser part of the flow with the simulator's login cookie; returns the code. */
  String browserCode(String authorizeUrl, String userId) {
    sim.grantConsent(userId, "chat-client", "read_user");
    Http.Response r = new Http().getWithCookie(authorizeUrl, CobotSimulator.LOGIN_COOKIE + "=" + sim.loginCookie(userId));
    assertThat(r.status()).isEqualTo(302);
    assertThat(Http.query(r.location())).containsEntry("state", "s1");
    return Http.query(r.location()).get("code");
  }

  @Test
  void authorize_url_targets_the_space_host_or_the_global_host() {
    String spaceUrl = client.authorizeUrl("demo", List.of("read_user"), "s1", "ch", REDIRECT);
    assertThat(spaceUrl).startsWith(sim.spaceUrl("demo") + "/oauth/authorize?response_type=code&client_id=chat-client")
        .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fcobot%2Fcallback")
        .contains("scope=read_user").contains("state=s1").contains("code_challenge=ch&code_challenge_method=S256");
    assertThat(client.authorizeUrl(null, List.of("read_user", "navigation"), "s1", null, REDIRECT))
        .startsWith(sim.siteUrl() + "/oauth/authorize?").contains("scope=read_user%20navigation")
        .doesNotContain("code_challenge");
  }

  @Test
  void exchanges_a_code_with_pkce_and_reads_the_user() {
    String verifier = "verifier-0123456789-0123456789-0123456789-xyz";
    String url = client.authorizeUrl(space.subdomain(), List.of("read_user"), "s1",
        CobotClient.pkceChallenge(verifier), REDIRECT);
    String token = client.exchangeCode(browserCode(url, member.userId()), REDIRECT, verifier).await();

    CobotUser user = client.user(token).await();
    assertThat(user.id()).isEqualTo(member.userId());
    assertThat(user.email()).isEqualTo("anna.arendt@example.com");
    assertThat(user.membershipIn(space.subdomain())).map(CobotUser.Membership::id).contains(member.membershipId());
    assertThat(user.isAdminOf(space.subdomain())).isFalse();
    assertThat(client.user(sim.issueToken(admin.userId(), "read_user")).await().adminOf(space.subdomain()))
        .map(CobotUser.AdminOf::name).contains("Ada");
  }

  @Test
  void exchange_without_pkce_works_and_a_replayed_code_fails_with_400() {
    String url = client.authorizeUrl(null, List.of("read_user"), "s1", null, REDIRECT);
    String code = browserCode(url, member.userId());
    assertThat(client.exchangeCode(code, REDIRECT, null).await()).isNotBlank();
    CobotException e = catchThrowableOfType(CobotException.class,
        () -> client.exchangeCode(code, REDIRECT, null).await());
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).doesNotContain(code);
  }

  @Test
  void wrong_pkce_verifier_fails() {
    String url = client.authorizeUrl(null, List.of("read_user"), "s1",
        CobotClient.pkceChallenge("a".repeat(50)), REDIRECT);
    String code = browserCode(url, member.userId());
    assertThatThrownBy(() -> client.exchangeCode(code, REDIRECT, "b".repeat(50)).await())
        .isInstanceOf(CobotException.class);
  }

  @Test
  void space_and_space_token() {
    CobotSpace s = client.space(space.subdomain()).await();
    assertThat(s.id()).isEqualTo(space.id());
    assertThat(s.name()).isEqualTo("Kaffeehaus Coworking");
    assertThat(s.url()).isEqualTo(sim.spaceUrl(space.subdomain()));
    assertThat(catchThrowableOfType(CobotException.class, () -> client.space("nope").await()).isNotFound()).isTrue();

    SpaceToken st = client.spaceToken(adminToken, space.id()).await();
    assertThat(st.clientId()).isEqualTo("chat-client");
    assertThat(st.scopes()).contains("read_memberships");
    assertThat(st.toString()).doesNotContain(st.token());
    assertThat(client.memberships(space.subdomain(), st.token()).await()).hasSize(2);

    client.revokeToken(adminToken).await();
    assertThat(sim.tokenValid(adminToken)).isFalse();
    assertThat(catchThrowableOfType(CobotException.class, () -> client.user(adminToken).await()).status())
        .isEqualTo(401);
  }

  @Test
  void membership_by_url_and_empty_after_delete() {
    String url = sim.membershipUrl(space.subdomain(), member.membershipId());
    sim.cancel(member.membershipId(), LocalDate.of(2099, 1, 31));
    CobotMembership m = client.membership(url, adminToken).await().orElseThrow();
    assertThat(m.id()).isEqualTo(member.membershipId());
    assertThat(m.userId()).isEqualTo(member.userId());
    assertThat(m.planName()).isEqualTo("Flex Desk");
    assertThat(m.canceledTo()).isEqualTo(LocalDate.of(2099, 1, 31));
    assertThat(m.activeOn(LocalDate.of(2099, 1, 31))).isTrue();
    assertThat(m.activeOn(LocalDate.of(2099, 2, 1))).isFalse();
    assertThat(m.pictureUrl()).startsWith(sim.spaceUrl(space.subdomain()));

    sim.deleteMembership(member.membershipId());
    assertThat(client.membership(url, adminToken).await()).isEqualTo(Optional.empty());
  }

  @Test
  void a_url_outside_cobot_space_url_is_refused_without_a_request() {
    sim.clearRequestLog();
    String evil = "http://127.0.0.1:9/api/memberships/123";
    assertThatThrownBy(() -> client.membership(evil, adminToken).await()).isInstanceOf(CobotException.class);
    assertThat(client.membershipUrlSubdomain(sim.membershipUrl(space.subdomain(), "abc"))).contains(space.subdomain());
    assertThat(client.membershipUrlSubdomain(sim.siteUrl() + "/space/x/api/memberships/1/../../evil")).isEmpty();
    assertThat(sim.requestLog()).isEmpty();
  }

  @Test
  void membership_list_rate_limit_maps_to_429_with_retry_after() {
    for (int i = 0; i < 3; i++) {
      assertThat(client.memberships(space.subdomain(), adminToken).await()).hasSize(2);
    }
    CobotException e = catchThrowableOfType(CobotException.class,
        () -> client.memberships(space.subdomain(), adminToken).await());
    assertThat(e.isRateLimited()).isTrue();
    assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(1),
        Duration.ofSeconds(60)));
  }

  @Test
  void cobot_down_maps_to_503() {
    sim.setDown(true);
    CobotException e = catchThrowableOfType(CobotException.class, () -> client.user(adminToken).await());
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.isTransient()).isTrue();
  }

  @Test
  void a_hanging_cobot_times_out() {
    CobotClient fast = new CobotClient(vertx, config(sim), null, Duration.ofMillis(1000));
    try {
      fast.space(space.subdomain()).await();
      sim.delayResponses(Duration.ofSeconds(30));
      long start = System.nanoTime();
      CobotException e = catchThrowableOfType(CobotException.class, () -> fast.user(adminToken).await());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(e.status()).isZero();
      assertThat(e.isTransient()).isTrue();
      assertThat(millis).isBetween(900L, 4000L);
      CobotException ex = catchThrowableOfType(CobotException.class,
          () -> fast.exchangeCode("code", REDIRECT, null).await());
      assertThat(ex.status()).isZero();
    } finally {
      fast.close();
    }
  }

  @Test
  void a_closed_port_fails_fast_with_status_0() {
    Map<String, String> env = new HashMap<>();
    env.put("COBOT_CLIENT_ID", "x");
    env.put("COBOT_CLIENT_SECRET", "y");
    env.put("COBOT_SITE", "http://127.0.0.1:9");
    env.put("COBOT_SPACE_URL", "http://127.0.0.1:9/space/{subdomain}");
    env.put("SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop");
    CobotClient closed = new CobotClient(vertx, AppConfig.fromEnv(env));
    try {
      assertThat(catchThrowableOfType(CobotException.class, () -> closed.space("x").await()).status()).isZero();
    } finally {
      closed.close();
    }
  }

  @Test
  void subscriptions_create_list_conflict_delete() {
    String callback = "http://127.0.0.1:9/hooks/cobot/s3cr3t/confirmed_membership";
    CobotSubscription created = client.createSubscription(space.subdomain(), adminToken, "confirmed_membership",
        callback).await();
    assertThat(created.active()).isTrue();
    assertThat(created.callbackUrl()).isEqualTo(callback);
    assertThat(created.url()).startsWith(sim.spaceUrl(space.subdomain()) + "/api/subscriptions/");

    CobotException dup = catchThrowableOfType(CobotException.class, () -> client.createSubscription(
        space.subdomain(), adminToken, "confirmed_membership", callback).await());
    assertThat(dup.isConflict()).isTrue();
    assertThat(catchThrowableOfType(CobotException.class, () -> client.createSubscription(space.subdomain(),
        adminToken, "no_such_event", callback).await()).status()).isEqualTo(422);

    assertThat(client.listSubscriptions(space.subdomain(), adminToken).await()).singleElement()
        .satisfies(s -> assertThat(s.event()).isEqualTo("confirmed_membership"));
    client.deleteSubscription(created.url(), adminToken).await();
    client.deleteSubscription(created.url(), adminToken).await();
    assertThat(client.listSubscriptions(space.subdomain(), adminToken).await()).isEmpty();
    assertThatThrownBy(() -> client.deleteSubscription("http://127.0.0.1:9/api/subscriptions/1", adminToken).await())
        .isInstanceOf(CobotException.class);
  }

  @Test
  void navigation_links_create_list_delete() {
    CobotNavigationLink link = client.createNavigationLink(space.subdomain(), adminToken, "members", "Chat",
        "http://127.0.0.1:9/embed").await();
    assertThat(link.userUrl()).startsWith(sim.spaceUrl(space.subdomain()) + "/navigation_links/");
    assertThat(client.listNavigationLinks(space.subdomain(), adminToken).await()).singleElement()
        .satisfies(l -> assertThat(l.iframeUrl()).isEqualTo("http://127.0.0.1:9/embed"));
    client.deleteNavigationLink(link.url(), adminToken).await();
    assertThat(client.listNavigationLinks(space.subdomain(), adminToken).await()).isEmpty();
    String memberToken = sim.issueToken(member.userId(), "navigation");
    assertThat(catchThrowableOfType(CobotException.class, () -> client.createNavigationLink(space.subdomain(),
        memberToken, "members", "Chat", "http://127.0.0.1:9/embed").await()).isUnauthorized()).isTrue();
  }

  @Test
  void calls_are_counted_by_operation_and_outcome() {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    CobotClient counted = new CobotClient(vertx, config(sim), registry, Duration.ofSeconds(2));
    try {
      counted.space(space.subdomain()).await();
      catchThrowableOfType(CobotException.class, () -> counted.space("nope").await());
      assertThat(registry.get("cobot_api_calls").tag("operation", "GET space").tag("outcome", "ok").counter()
          .count()).isEqualTo(1.0);
      assertThat(registry.get("cobot_api_calls").tag("operation", "GET space").tag("outcome", "404").counter()
          .count()).isEqualTo(1.0);
    } finally {
      counted.close();
    }
  }
}
