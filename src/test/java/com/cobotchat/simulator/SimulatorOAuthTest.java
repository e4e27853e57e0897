package com.cobotchat.simulator;

import com.cobotchat.testing.Http;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator OAuth2: authorize, sign-in, consent, token exchange")
class SimulatorOAuthTest {
  static Vertx vertx;
  static CobotSimulator sim;
  final Http http = new Http();
  SimWorld w;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions().codeLifetime(Duration.ofMinutes(10))).await();
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

  String authorizeUrl(String base, String extra) {
    return base + "/oauth/authorize?response_type=code&client_id=" + SimWorld.CLIENT_ID
        + "&redirect_uri=" + SimOAuth.enc(SimWorld.REDIRECT) + "&scope=read_user&state=st-1" + extra;
  }

  String cookie(String userId) {
    return CobotSimulator.LOGIN_COOKIE + "=" + sim.loginCookie(userId);
  }

  /** Runs authorize for a logged-in user who already consented; returns the code. */
  String code(String extra) {
    sim.grantConsent(w.anna.userId(), SimWorld.CLIENT_ID, "read_user");
    Http.Response r = http.getWithCookie(authorizeUrl(sim.siteUrl(), extra), cookie(w.anna.userId()));
    assertThat(r.status()).isEqualTo(302);
    return Http.query(r.location()).get("code");
  }

  Http.Response exchange(Map<String, String> extra) {
    var form = new java.util.LinkedHashMap<String, String>();
    form.put("client_id", SimWorld.CLIENT_ID);
    form.put("client_secret", SimWorld.SECRET);
    form.put("grant_type", "authorization_code");
    form.putAll(extra);
    return http.postForm(sim.siteUrl() + "/oauth/access_token", form);
  }

  @Test
  void the_simulator_names_itself_localhost_but_listens_on_loopback() {
    assertThat(sim.siteUrl()).isEqualTo("http://localhost:" + sim.port());
    assertThat(sim.spaceUrlTemplate()).isEqualTo("http://localhost:" + sim.port() + "/space/{subdomain}");
    assertThat(sim.hostPageUrl("demo")).isEqualTo("http://localhost:" + sim.port() + "/host/demo");
    assertThat(http.get("http://127.0.0.1:" + sim.port() + "/api/spaces/" + w.sub()).status()).isEqualTo(200);
  }

  @Test
  void a_visitor_not_logged_in_sees_the_sign_in_page_on_both_hosts() {
    for (String base : new String[] {sim.siteUrl(), sim.spaceUrl(w.sub())}) {
      Http.Response r = http.get(authorizeUrl(base, ""));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("Sign in").contains("Anna Arendt").contains("name=\"return_to\"");
    }
    assertThat(http.get(authorizeUrl(sim.spaceUrl(w.sub()), "")).body()).contains("Kaffeehaus Coworking");
  }

  @Test
  void full_browser_flow_signs_in_asks_consent_once_then_redirects_at_once() {
    String authorize = authorizeUrl(sim.spaceUrl(w.sub()), "");
    String returnTo = authorize.substring(sim.siteUrl().length());

    Http.Response signIn = http.postForm(sim.siteUrl() + "/oauth/sign_in",
        Map.of("return_to", returnTo, "user_id", w.ben.userId()));
    assertThat(signIn.status()).isEqualTo(302);
    assertThat(signIn.location()).isEqualTo(returnTo);
    String login = CobotSimulator.LOGIN_COOKIE + "=" + signIn.cookie(CobotSimulator.LOGIN_COOKIE).orElseThrow();

    Http.Response consentPage = http.getWithCookie(authorize, login);
    assertThat(consentPage.status()).isEqualTo(200);
    assertThat(consentPage.body()).contains("Authorize").contains("read_user");

    Http.Response allowed = http.postForm(sim.siteUrl() + "/oauth/consent",
        Map.of("return_to", returnTo, "decision", "allow"), login);
    assertThat(allowed.status()).isEqualTo(302);

    Http.Response first = http.getWithCookie(authorize, login);
    assertThat(first.status()).isEqualTo(302);
    assertThat(first.location()).startsWith(SimWorld.REDIRECT + "?code=");
    assertThat(Http.query(first.location())).containsEntry("state", "st-1");

    Http.Response again = http.getWithCookie(authorizeUrl(sim.siteUrl(), ""), login);
    assertThat(again.status()).as("no second consent").isEqualTo(302);
    assertThat(Http.query(again.location()).get("code")).isNotEqualTo(Http.query(first.location()).get("code"));
  }

  @Test
  void wider_scopes_ask_for_consent_again() {
    sim.grantConsent(w.anna.userId(), SimWorld.CLIENT_ID, "read_user");
    Http.Response r = http.getWithCookie(authorizeUrl(sim.siteUrl(), "").replace("scope=read_user",
        "scope=read_user%20read_memberships"), cookie(w.anna.userId()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("read_memberships");
  }

  @Test
  void denying_consent_redirects_with_access_denied() {
    String returnTo = authorizeUrl("", "");
    Http.Response r = http.postForm(sim.siteUrl() + "/oauth/consent", Map.of("return_to", returnTo,
        "decision", "deny"), cookie(w.anna.userId()));
    assertThat(r.status()).isEqualTo(302);
    assertThat(Http.query(r.location())).containsEntry("error", "access_denied").containsEntry("state", "st-1");
  }

  @Test
  void unknown_client_or_foreign_redirect_uri_get_an_error_page_not_a_redirect() {
    Http.Response badClient = http.get(authorizeUrl(sim.siteUrl(), "").replace("client_id=chat-client",
        "client_id=nope"));
    assertThat(badClient.status()).isEqualTo(400);
    Http.Response badRedirect = http.get(authorizeUrl(sim.siteUrl(), "").replace("auth%2Fcobot", "evil"));
    assertThat(badRedirect.status()).isEqualTo(400);
    assertThat(badRedirect.header("Location")).isEmpty();
    assertThat(http.get(authorizeUrl(sim.spaceUrl("no-such-space"), "")).status()).isEqualTo(404);
  }

  @Test
  void sign_in_refuses_a_return_path_outside_authorize() {
    Http.Response r = http.postForm(sim.siteUrl() + "/oauth/sign_in",
        Map.of("return_to", "https://evil.example/", "user_id", w.anna.userId()));
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void code_exchanges_once_for_a_bearer_token() {
    String code = code("");
    Http.Response ok = exchange(Map.of("code", code));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getString("token_type")).isEqualTo("bearer");
    String token = ok.json().getString("access_token");
    assertThat(token).isNotBlank();
    assertThat(http.get(sim.siteUrl() + "/api/user", token).json().getString("id")).isEqualTo(w.anna.userId());

    Http.Response replay = exchange(Map.of("code", code));
    assertThat(replay.status()).isEqualTo(400);
    assertThat(replay.json().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void wrong_client_secret_is_invalid_client() {
    String code = code("");
    var form = Map.of("client_id", SimWorld.CLIENT_ID, "client_secret", "wrong", "grant_type", "authorization_code",
        "code", code);
    Http.Response r = http.postForm(sim.siteUrl() + "/oauth/access_token", form);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void redirect_uri_in_the_token_request_must_match() {
    assertThat(exchange(Map.of("code", code(""), "redirect_uri", "http://127.0.0.1:9/other")).status())
        .isEqualTo(400);
    assertThat(exchange(Map.of("code", code(""), "redirect_uri", SimWorld.REDIRECT)).status()).isEqualTo(200);
  }

  @Test
  void pkce_verifier_is_checked_when_a_challenge_was_sent() {
    String verifier = "v".repeat(20) + "-abcdefghijklmnopqrstuvwxyz0123";
    String challenge = SimOAuth.s256(verifier);
    String extra = "&code_challenge=" + challenge + "&code_challenge_method=S256";
    assertThat(exchange(Map.of("code", code(extra))).status()).as("missing verifier").isEqualTo(400);
    assertThat(exchange(Map.of("code", code(extra), "code_verifier", verifier.replace('v', 'w'))).status())
        .as("wrong verifier").isEqualTo(400);
    assertThat(exchange(Map.of("code", code(extra), "code_verifier", verifier)).status()).isEqualTo(200);
    assertThat(exchange(Map.of("code", code(""), "code_verifier", verifier)).status())
        .as("verifier without a challenge").isEqualTo(400);
  }

  @Test
  void plain_pkce_method_is_refused_at_authorize() {
    sim.grantConsent(w.anna.userId(), SimWorld.CLIENT_ID, "read_user");
    Http.Response r = http.getWithCookie(authorizeUrl(sim.siteUrl(), "&code_challenge=abc&code_challenge_method=plain"),
        cookie(w.anna.userId()));
    assertThat(r.status()).isEqualTo(302);
    assertThat(Http.query(r.location())).containsEntry("error", "invalid_request");
  }

  @Test
  void expired_code_is_refused() {
    String code = code("");
    sim.advanceClock(Duration.ofMinutes(11));
    assertThat(exchange(Map.of("code", code)).status()).isEqualTo(400);
  }
}
