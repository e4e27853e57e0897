package com.cobotchat.sso;

import com.cobotchat.testing.TestConfigs;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.Http;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Member sign-in over real HTTP against the Cobot simulator (SPEC 3–5, issue 4). */
@DisplayName("Member sign-in inside the iFrame")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberSignInTest {
  static SignInHarness h;
  static SignInHarness.InstalledSpace space;

  @BeforeAll
  static void start() {
    h = new SignInHarness("sso", Map.of());
    space = h.installedSpace("chat.kaffeehaus.example");
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static Map<String, String> fromPage(String... more) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("Origin", h.config.publicOrigin());
    for (int i = 0; i + 1 < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  @Test
  @DisplayName("a member signed in before their webhook arrived is already in the space's default room")
  void member_admitted_before_the_webhook_joins_the_default_room() {
    long room = h.app.services().chat().membership().ensureDefaultRoom(space.space().id()).await();
    SimMember early = h.member(space, "Emil Early");
    SignInHarness.Landing landing = h.signIn(space, early);
    assertThat(landing).isNotNull();
    long joined = h.app.services().pool().preparedQuery("""
        SELECT count(*) FROM room_members rm JOIN members m ON m.id = rm.member_id
         WHERE rm.room_id = $1 AND m.cobot_user_id = $2""")
        .execute(io.vertx.sqlclient.Tuple.of(room, early.userId())).await().iterator().next().getLong(0);
    assertThat(joined).isEqualTo(1);
  }

  @Test
  @DisplayName("embed starts OAuth on the space host with read_user, a signed state and PKCE S256")
  void embed_without_session_redirects_to_space_host_authorize() {
    Http.Response r = h.embed(SignInHarness.embedQuery(space, space.admin().userId()), null);
    assertThat(r.status()).isEqualTo(302);
    String location = r.location();
    assertThat(location).startsWith(h.sim.spaceUrl(space.sub()) + "/oauth/authorize?");
    Map<String, String> q = Http.query(location);
    assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", TestConfigs.CLIENT_ID)
        .containsEntry("scope", "read_user").containsEntry("code_challenge_method", "S256")
        .containsEntry("redirect_uri", h.base + "/auth/cobot/callback");
    assertThat(q.get("state")).matches("[A-Za-z0-9_-]{32}\\.1\\." + space.sub() + "\\.[A-Za-z0-9_-]{43}");
    assertThat(q.get("code_challenge")).hasSize(43);
    assertThat(r.header("Cache-Control")).contains("no-store");
  }

  @Test
  @DisplayName("happy path: the member lands in the chat page, with a partitioned cookie and a page token")
  void member_lands_in_chat_with_cookie_and_page_token() {
    SimMember anna = h.member(space, "Anna Arendt");
    SignInHarness.Landing landing = h.signIn(space, anna);

    assertThat(landing.page().status()).isEqualTo(200);
    assertThat(landing.page().body()).contains("Anna Arendt").contains("Space " + space.sub())
        .contains("<script src=\"/static/js/chat.js\" defer></script>").doesNotContain("<script>");
    assertThat(landing.pageToken()).startsWith("pt1.");
    assertThat(landing.csrf()).isNotBlank();
    String setCookie = landing.page().headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(SignInHarness.SESSION_COOKIE + "=")).findFirst().orElseThrow();
    assertThat(setCookie).contains("Path=/").contains("Secure").containsIgnoringCase("HttpOnly")
        .contains("SameSite=None").endsWith("; Partitioned");
    assertThat(landing.page().header("X-Frame-Options")).isEmpty();
    assertThat(landing.page().header("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors https://*.cobot.me http://localhost:* https://chat.kaffeehaus.example")
        .contains("script-src 'self'");

    Member recorded = h.app.services().members().findByCobotUser(space.space().id(), anna.userId()).await().orElseThrow();
    assertThat(recorded.membershipId()).isEqualTo(anna.membershipId());
    assertThat(recorded.status()).isEqualTo(MemberStatus.ACTIVE);

    Http.Response again = h.embed(SignInHarness.embedQuery(space, anna.userId()), landing.cookieHeader());
    assertThat(again.status()).as("a valid cookie renders the chat without a round trip").isEqualTo(200);
    assertThat(again.body()).contains("Anna Arendt");
    assertThat(SignInHarness.meta(again.body()).get("page-token")).startsWith("pt1.");
  }

  @Test
  void a_cookie_of_another_user_never_shows_their_chat() {
    SimMember anna = h.member(space, "Anna Zwei");
    SimMember ben = h.member(space, "Ben Becker");
    SignInHarness.Landing annas = h.signIn(space, anna);

    Http.Response r = h.embed(SignInHarness.embedQuery(space, ben.userId()), annas.cookieHeader());

    assertThat(r.status()).as("Ben gets his own sign-in").isEqualTo(302);
    assertThat(r.location()).contains("/oauth/authorize?");
    assertThat(r.body()).doesNotContain("Anna Zwei");
  }

  @Test
  void an_admin_without_membership_is_admitted_as_moderator() {
    String userId = h.sim.createUser("Olga Owner", "olga@example.com");
    h.sim.makeAdmin(space.sub(), userId, "Olga");
    SignInHarness.Landing landing = h.land(h.callbackUrl(SignInHarness.embedQuery(space, userId), userId));
    assertThat(landing.page().status()).isEqualTo(200);
    assertThat(landing.page().body()).contains("Olga").contains("badge");
    Member m = h.app.services().members().findByCobotUser(space.space().id(), userId).await().orElseThrow();
    assertThat(m.admin()).isTrue();
  }

  @Test
  void forged_state_is_refused_with_a_retry_link() {
    SimMember m = h.member(space, "Fiona Forge");
    String callback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    String code = Http.query(callback).get("code");
    String state = Http.query(callback).get("state");
    String[] parts = state.split("\\.");
    String tampered = parts[0] + ".1." + parts[2] + "." + "A".repeat(43);

    for (String forged : List.of(tampered, "nonsense", "x.1." + space.sub() + ".y")) {
      Http.Response r = h.get(h.base + "/auth/cobot/callback?code=" + code + "&state=" + forged, Map.of());
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("not valid").contains("data-notice=\"bad-state\"").contains("Try again")
          .doesNotContain("Exception");
      assertThat(r.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
    }
  }

  @Test
  void replayed_state_is_refused() {
    SimMember m = h.member(space, "Rita Replay");
    SignInHarness.Landing first = h.land(h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId()));
    assertThat(first.page().status()).isEqualTo(200);

    Http.Response again = h.get(first.callbackUrl(), Map.of());

    assertThat(again.status()).isEqualTo(400);
    assertThat(again.body()).contains("already used").contains("/embed?cobot_embed=true&amp;cobot_subdomain=" + space.sub());
    assertThat(again.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
  }

  @Test
  void expired_state_is_refused() {
    SimMember m = h.member(space, "Erik Expired");
    String callback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    String nonce = Http.query(callback).get("state").split("\\.")[0];
    h.app.services().pool().preparedQuery("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE nonce = $1")
        .execute(Tuple.of(nonce)).await();

    Http.Response r = h.get(callback, Map.of());

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("expired").contains("Try again");
  }

  @Test
  void replayed_code_is_refused() {
    SimMember m = h.member(space, "Carl Code");
    SignInHarness.Landing first = h.signIn(space, m);
    assertThat(first.page().status()).isEqualTo(200);
    String freshCallback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    String freshState = Http.query(freshCallback).get("state");

    Http.Response r = h.get(h.base + "/auth/cobot/callback?code=" + first.code() + "&state=" + freshState, Map.of());

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("data-notice=\"code-refused\"").contains("Try again");
    assertThat(r.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
  }

  @Test
  void a_user_without_membership_is_refused() {
    String userId = h.sim.createUser("Nora Nobody", "nora@example.com");
    Http.Response r = h.get(h.callbackUrl(SignInHarness.embedQuery(space, userId), userId), Map.of());
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("data-notice=\"not-member\"");
    assertThat(r.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
    assertThat(h.app.services().members().findByCobotUser(space.space().id(), userId).await()).isEmpty();
  }

  @Test
  void a_cancelled_member_is_refused() {
    SimMember m = h.member(space, "Clara Cancelled");
    h.sim.cancel(m.membershipId(), h.sim.today().minusDays(1));
    Http.Response r = h.get(h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId()), Map.of());
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("data-notice=\"ended\"");
    assertThat(r.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
  }

  @Test
  @DisplayName("the service's own record decides: a membership it recorded as ended stays out even if Cobot still lists it")
  void own_records_decide_over_cobot_user_listing() {
    SimMember m = h.member(space, "Owen Own");
    assertThat(h.signIn(space, m).page().status()).isEqualTo(200);
    Member recorded = h.app.services().members().findByCobotUser(space.space().id(), m.userId()).await().orElseThrow();
    h.app.services().members().setStatus(h.app.services().pool(), recorded.id(), MemberStatus.ENDED).await();

    Http.Response r = h.get(h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId()), Map.of());

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("data-notice=\"ended\"");
  }

  @Test
  void cobot_user_id_mismatch_is_refused() {
    SimMember anna = h.member(space, "Anna Mismatch");
    SimMember ben = h.member(space, "Ben Mismatch");
    Http.Response r = h.get(h.callbackUrl(SignInHarness.embedQuery(space, anna.userId()), ben.userId()), Map.of());
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("data-notice=\"user-mismatch\"").doesNotContain("Ben Mismatch").doesNotContain("Anna Mismatch");
    assertThat(r.cookie(SignInHarness.SESSION_COOKIE)).isEmpty();
  }

  @Test
  void a_space_that_is_not_installed_says_ask_an_admin() {
    Http.Response r = h.embed("cobot_subdomain=nowhere-space&cobot_user_id=u1", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("data-notice=\"not-installed\"").contains("admin");
    assertThat(r.header("X-Frame-Options")).as("shown inside the iFrame").isEmpty();

    Http.Response noHints = h.embed("", null);
    assertThat(noHints.status()).isEqualTo(400);
    assertThat(noHints.body()).contains("Open Chat from Cobot");
  }

  @Test
  void cobot_down_gives_a_clear_page_with_retry() {
    SimMember m = h.member(space, "Dora Down");
    String callback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    h.sim.setDown(true);
    try {
      Http.Response r = h.get(callback, Map.of());
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("data-notice=\"cobot-unavailable\"").contains("Try again")
          .contains("auth_try=1").doesNotContain("Exception").doesNotContain("at com.");
    } finally {
      h.sim.setDown(false);
    }
  }

  @Test
  void cobot_not_answering_in_time_gives_a_clear_page() {
    SimMember m = h.member(space, "Tim Timeout");
    String callback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    h.sim.delayResponses(Duration.ofSeconds(8));
    try {
      long started = System.nanoTime();
      Http.Response r = h.get(callback, Map.of());
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("data-notice=\"cobot-unavailable\"");
      assertThat(seconds).as("the call gave up at its deadline").isLessThan(8);
    } finally {
      h.sim.delayResponses(Duration.ZERO);
    }
  }

  @Test
  void cobot_refusing_the_sign_in_gives_a_page_not_a_loop() {
    SimMember m = h.member(space, "Dan Denied");
    String callback = h.callbackUrl(SignInHarness.embedQuery(space, m.userId()), m.userId());
    String state = Http.query(callback).get("state");
    Http.Response r = h.get(h.base + "/auth/cobot/callback?error=access_denied&state=" + state, Map.of());
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("data-notice=\"not-authorised\"").contains("auth_try=1");
  }

  @Test
  void a_reload_after_one_automatic_round_trip_starts_attempt_two() {
    Http.Response r = h.embed(SignInHarness.embedQuery(space, space.admin().userId()) + "&auth_try=1", null);
    assertThat(r.status()).isEqualTo(302);
    assertThat(Http.query(r.location()).get("state")).contains(".2." + space.sub() + ".");
  }

  @Test
  void after_two_automatic_round_trips_the_page_offers_a_new_tab_instead_of_redirecting() {
    Http.Response r = h.embed(SignInHarness.embedQuery(space, space.admin().userId()) + "&auth_try=2", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Location")).isEmpty();
    assertThat(r.body()).contains("data-notice=\"loop-guard\"").contains("Open chat in a new tab")
        .contains("target=\"_blank\"");
  }

  @Test
  void a_second_failed_attempt_in_a_row_offers_a_new_tab() {
    SimMember m = h.member(space, "Lars Loop");
    Http.Response start = h.embed(SignInHarness.embedQuery(space, m.userId()) + "&auth_try=1", null);
    String callback = h.authorize(start.location(), m.userId());
    h.sim.setDown(true);
    try {
      Http.Response r = h.get(callback, Map.of());
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("Open chat in a new tab").contains("target=\"_blank\"").doesNotContain("auth_try=");
    } finally {
      h.sim.setDown(false);
    }
  }

  @Test
  void a_ticket_via_the_session_cookie() {
    SimMember m = h.member(space, "Kim Cookie");
    SignInHarness.Landing l = h.signIn(space, m);
    Http.Response r = h.ticket(fromPage("Cookie", l.cookieHeader()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("expiresIn")).isEqualTo(30);
    assertThat(r.json().containsKey("pageToken")).isFalse();
    assertThat(r.header("Cache-Control")).contains("no-store");
    Member member = h.app.services().members().findByCobotUser(space.space().id(), m.userId()).await().orElseThrow();
    assertThat(h.app.services().tickets().redeem(r.json().getString("ticket")).await()).contains(member.id());
  }

  @Test
  void a_ticket_via_the_page_token_without_any_cookie() {
    SimMember m = h.member(space, "Paula Page");
    SignInHarness.Landing l = h.signIn(space, m);
    Http.Response r = h.ticket(fromPage("Authorization", "Bearer " + l.pageToken()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("ticket")).isNotBlank();
    assertThat(r.json().getString("pageToken")).startsWith("pt1.");
    assertThat(h.ticket(fromPage("Authorization", "Bearer " + r.json().getString("pageToken"))).status())
        .as("the renewed page token works").isEqualTo(200);
  }

  @Test
  void a_replayed_ticket_is_refused() {
    SimMember m = h.member(space, "Rolf Replay");
    SignInHarness.Landing l = h.signIn(space, m);
    String ticket = h.ticket(fromPage("Authorization", "Bearer " + l.pageToken())).json().getString("ticket");
    assertThat(h.app.services().tickets().redeem(ticket).await()).isPresent();
    assertThat(h.app.services().tickets().redeem(ticket).await()).isEmpty();
  }

  @Test
  void an_expired_ticket_is_refused() {
    SimMember m = h.member(space, "Ella Expired");
    SignInHarness.Landing l = h.signIn(space, m);
    String ticket = h.ticket(fromPage("Authorization", "Bearer " + l.pageToken())).json().getString("ticket");
    h.app.services().pool().preparedQuery("UPDATE ws_tickets SET expires_at = now() - interval '1 second' WHERE id_hash = $1")
        .execute(Tuple.of(com.cobotchat.app.SecretKeys.hash(ticket))).await();
    assertThat(h.app.services().tickets().redeem(ticket).await()).isEmpty();
  }

  @Test
  void a_foreign_origin_gets_no_ticket() {
    SimMember m = h.member(space, "Otto Origin");
    SignInHarness.Landing l = h.signIn(space, m);
    Http.Response bearer = h.ticket(Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + l.pageToken()));
    assertThat(bearer.status()).isEqualTo(403);
    Http.Response cookie = h.ticket(Map.of("Origin", "https://evil.example", "Cookie", l.cookieHeader()));
    assertThat(cookie.status()).isEqualTo(403);
    Http.Response crossSite = h.ticket(Map.of("Sec-Fetch-Site", "cross-site", "Cookie", l.cookieHeader()));
    assertThat(crossSite.status()).isEqualTo(403);
    Http.Response noOrigin = h.ticket(Map.of("Cookie", l.cookieHeader()));
    assertThat(noOrigin.status()).as("a cookie alone is not enough without a same-origin signal").isEqualTo(403);
    Http.Response sameOrigin = h.ticket(Map.of("Origin", "null", "Sec-Fetch-Site", "same-origin", "Cookie", l.cookieHeader()));
    assertThat(sameOrigin.status()).isEqualTo(200);
  }

  @Test
  void no_ticket_without_sign_in_or_with_a_forged_page_token() {
    assertThat(h.ticket(fromPage()).status()).isEqualTo(401);
    assertThat(h.ticket(fromPage("Authorization", "Bearer pt1." + "a".repeat(64) + ".99999999999.sig")).status())
        .isEqualTo(401);
    assertThat(h.ticket(fromPage("Cookie", SignInHarness.SESSION_COOKIE + "=made-up")).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("revoking a member stops cookie, page token and unused tickets at once")
  void revocation_takes_effect_at_once() {
    SimMember m = h.member(space, "Rene Revoked");
    SignInHarness.Landing l = h.signIn(space, m);
    String ticket = h.ticket(fromPage("Cookie", l.cookieHeader())).json().getString("ticket");
    Member member = h.app.services().members().findByCobotUser(space.space().id(), m.userId()).await().orElseThrow();

    h.app.services().sessions().revokeMember(h.app.services().pool(), member.id()).await();

    assertThat(h.ticket(fromPage("Cookie", l.cookieHeader())).status()).isEqualTo(401);
    assertThat(h.ticket(fromPage("Authorization", "Bearer " + l.pageToken())).status()).isEqualTo(401);
    assertThat(h.app.services().tickets().redeem(ticket).await()).isEmpty();
    Http.Response embed = h.embed(SignInHarness.embedQuery(space, m.userId()), l.cookieHeader());
    assertThat(embed.status()).as("the old cookie no longer shows the chat").isEqualTo(302);
  }

  @Test
  void an_ended_membership_stops_tickets_even_with_a_live_session() {
    SimMember m = h.member(space, "Udo Ended");
    SignInHarness.Landing l = h.signIn(space, m);
    Member member = h.app.services().members().findByCobotUser(space.space().id(), m.userId()).await().orElseThrow();
    h.app.services().members().setStatus(h.app.services().pool(), member.id(), MemberStatus.ENDED).await();
    assertThat(h.ticket(fromPage("Authorization", "Bearer " + l.pageToken())).status()).isEqualTo(401);
  }

  @Test
  void logout_sticks_until_the_member_signs_in_again() {
    SimMember m = h.member(space, "Lena Logout");
    SignInHarness.Landing l = h.signIn(space, m);
    String query = SignInHarness.embedQuery(space, m.userId());

    Http.Response out = h.logout(Map.of("csrf", l.csrf(), "page_token", l.pageToken(), "hints", query),
        fromPage("Cookie", l.cookieHeader()));

    assertThat(out.status()).isEqualTo(303);
    assertThat(out.location()).startsWith("/embed?").contains("cobot_subdomain=" + space.sub()).endsWith("&signed_out=1");
    assertThat(out.cookie(SignInHarness.SESSION_COOKIE)).contains("");
    assertThat(out.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(SignInHarness.SIGNED_OUT_COOKIE + "=1")
        && c.endsWith("; Partitioned"));
    assertThat(h.ticket(fromPage("Cookie", l.cookieHeader())).status()).isEqualTo(401);
    assertThat(h.ticket(fromPage("Authorization", "Bearer " + l.pageToken())).status()).isEqualTo(401);

    String marker = SignInHarness.SIGNED_OUT_COOKIE + "=1";
    Http.Response reloadWithMarker = h.embed(query, marker);
    assertThat(reloadWithMarker.status()).isEqualTo(200);
    assertThat(reloadWithMarker.body()).contains("data-notice=\"signed-out\"").contains("Sign in again");

    Http.Response frameReload = h.embed(query + "&signed_out=1", null);
    assertThat(frameReload.body()).as("the URL flag alone keeps it signed out").contains("data-notice=\"signed-out\"");

    Http.Response cookieless = h.land(h.callbackUrl(query, m.userId())).page();
    assertThat(cookieless.body()).as("no cookies at all: Cobot signs in silently, the service still says signed out")
        .contains("data-notice=\"signed-out\"").doesNotContain("page-token");

    Http.Response signIn = h.embed(query + "&signin=1", marker);
    assertThat(signIn.status()).isEqualTo(302);
    assertThat(signIn.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(SignInHarness.SIGNED_OUT_COOKIE + "=;"));
    SignInHarness.Landing back = h.land(h.authorize(signIn.location(), m.userId()));
    assertThat(back.page().status()).isEqualTo(200);
    assertThat(back.pageToken()).startsWith("pt1.");
    assertThat(h.land(h.callbackUrl(query, m.userId())).page().body()).as("later loads sign in again")
        .contains("Lena Logout");
  }

  @Test
  void logout_needs_the_csrf_token_and_our_origin() {
    SimMember m = h.member(space, "Cora Csrf");
    SignInHarness.Landing l = h.signIn(space, m);
    String query = SignInHarness.embedQuery(space, m.userId());

    Http.Response noToken = h.logout(Map.of("hints", query), fromPage("Cookie", l.cookieHeader()));
    assertThat(noToken.status()).isEqualTo(403);
    Http.Response foreign = h.logout(Map.of("csrf", l.csrf(), "hints", query),
        Map.of("Origin", "https://evil.example", "Cookie", l.cookieHeader()));
    assertThat(foreign.status()).isEqualTo(403);
    Http.Response crossSite = h.logout(Map.of("csrf", l.csrf(), "hints", query),
        Map.of("Sec-Fetch-Site", "cross-site", "Cookie", l.cookieHeader()));
    assertThat(crossSite.status()).isEqualTo(403);
    assertThat(h.ticket(fromPage("Cookie", l.cookieHeader())).status()).as("still signed in").isEqualTo(200);
  }

  @Test
  @DisplayName("a sign-in started by a click runs in a popup and is handed to the frame by a single-use code")
  void popup_sign_in_is_handed_over_to_the_frame() {
    SimMember m = h.member(space, "Hanna Handoff");
    String query = SignInHarness.embedQuery(space, m.userId());
    Http.Response popup = h.get(h.base + "/auth/popup?" + query, Map.of());
    assertThat(popup.status()).isEqualTo(302);
    assertThat(popup.header("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");

    Http.Response end = h.get(h.authorize(popup.location(), m.userId()), Map.of());
    assertThat(end.status()).isEqualTo(200);
    assertThat(end.body()).contains("data-notice=\"handoff\"").contains("/static/js/handoff.js");
    assertThat(end.header("Content-Security-Policy").orElseThrow()).as("the popup is never framed").contains("frame-ancestors 'none'");
    String handoff = SignInHarness.meta(end.body()).get("handoff");
    SignInHarness.remember(handoff);
    SignInHarness.remember(end.cookie(SignInHarness.SESSION_COOKIE).orElse(null));
    assertThat(handoff).isNotBlank();

    Map<String, String> form = Map.of("handoff", handoff, "hints", query);
    Http.Response foreign = h.send("POST", h.base + "/auth/handoff", Map.of("Origin", "https://evil.example",
        "Content-Type", "application/x-www-form-urlencoded"), Http.encode(form));
    assertThat(foreign.status()).isEqualTo(403);

    Http.Response frame = h.send("POST", h.base + "/auth/handoff", fromPage("Content-Type",
        "application/x-www-form-urlencoded"), Http.encode(form));
    SignInHarness.Landing landing = h.landing(frame, null);
    assertThat(frame.status()).isEqualTo(200);
    assertThat(frame.body()).contains("Hanna Handoff");
    assertThat(landing.pageToken()).startsWith("pt1.");
    assertThat(landing.sessionCookie()).isNotNull();
    assertThat(frame.header("X-Frame-Options")).isEmpty();
    assertThat(frame.header("Content-Security-Policy").orElseThrow()).contains("https://chat.kaffeehaus.example");

    Http.Response replay = h.send("POST", h.base + "/auth/handoff", fromPage("Content-Type",
        "application/x-www-form-urlencoded"), Http.encode(form));
    assertThat(replay.status()).isEqualTo(400);
    assertThat(replay.body()).contains("data-notice=\"bad-handoff\"");
  }

  @Test
  void pages_not_meant_for_framing_forbid_it() {
    Http.Response home = h.get(h.base + "/", Map.of());
    assertThat(home.header("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
    assertThat(home.header("X-Frame-Options")).contains("DENY");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  @DisplayName("no token, code, ticket or page token issued in these tests appears in the suite's log")
  void logs_contain_no_secret_issued_here() throws Exception {
    for (var r : h.sim.requestLog()) {
      SignInHarness.remember(r.token());
    }
    Path log = Path.of("target/test-logs/suite.jsonl");
    assertThat(log).exists();
    String text = Files.readString(log);
    assertThat(text).contains("member signed in");
    assertThat(SignInHarness.ISSUED).hasSizeGreaterThan(20);
    List<String> leaked = SignInHarness.ISSUED.stream().filter(text::contains).toList();
    assertThat(leaked).isEmpty();
  }
}
