package com.cobotchat.simulator;

import com.cobotchat.web.Templates;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Cobot's OAuth2 authorization-code flow: authorize (global and space hosts), a sign-in page where
 * the visitor picks a demo user, a consent page shown once per user and client, and the token
 * endpoint with single-use codes, redirect-URI binding and PKCE (S256).
 */
final class SimOAuth {
  static final String LOGIN_COOKIE = "cobot_sim_login";

  private final SimState state;
  private final Templates templates;

  SimOAuth(SimState state, Templates templates) {
    this.state = state;
    this.templates = templates;
  }

  void authorize(RoutingContext ctx) {
    String subdomain = ctx.pathParam("subdomain");
    if (subdomain != null && state.space(subdomain).isEmpty()) {
      SimHttp.text(ctx, 404, "No such space");
      return;
    }
    MultiMap q = ctx.queryParams();
    Optional<SimState.Client> client = state.client(q.get("client_id"));
    if (client.isEmpty()) {
      SimHttp.text(ctx, 400, "Unknown client_id");
      return;
    }
    String sentRedirect = q.get("redirect_uri");
    if (sentRedirect != null && !sentRedirect.equals(client.get().redirectUri())) {
      SimHttp.text(ctx, 400, "redirect_uri does not match the one registered for this application");
      return;
    }
    String redirectUri = client.get().redirectUri();
    String stateParam = q.get("state");
    if (!"code".equals(q.get("response_type"))) {
      redirectError(ctx, redirectUri, "unsupported_response_type", stateParam);
      return;
    }
    String challenge = q.get("code_challenge");
    if (challenge != null && !"S256".equals(q.get("code_challenge_method"))) {
      redirectError(ctx, redirectUri, "invalid_request", stateParam);
      return;
    }
    List<String> scopes = SimState.scopes(q.get("scope"));
    String returnTo = ctx.request().uri();
    Optional<String> userId = state.loggedInUser(loginCookie(ctx)).filter(id -> state.user(id).isPresent());
    if (userId.isEmpty()) {
      signInPage(ctx, subdomain, client.get().id(), returnTo);
      return;
    }
    if (!state.hasConsent(userId.get(), client.get().id(), scopes)) {
      templates.send(ctx, 200, "simulator/consent.jte", new SimPages.Consent(client.get().id(),
          state.user(userId.get()).map(SimState.User::name).orElse("?"), scopes, returnTo));
      return;
    }
    String code = state.issueCode(client.get().id(), userId.get(), scopes, redirectUri, sentRedirect != null,
        challenge);
    String location = redirectUri + (redirectUri.contains("?") ? "&" : "?") + "code=" + enc(code)
        + (stateParam == null ? "" : "&state=" + enc(stateParam));
    SimHttp.redirect(ctx, location);
  }

  void signIn(RoutingContext ctx) {
    String returnTo = ctx.request().getFormAttribute("return_to");
    String userId = ctx.request().getFormAttribute("user_id");
    if (!isAuthorizePath(returnTo) || state.user(userId).isEmpty()) {
      SimHttp.text(ctx, 400, "Pick a user");
      return;
    }
    setLoginCookie(ctx, state.login(userId));
    SimHttp.redirect(ctx, returnTo);
  }

  void consent(RoutingContext ctx) {
    String returnTo = ctx.request().getFormAttribute("return_to");
    Optional<String> userId = state.loggedInUser(loginCookie(ctx));
    if (!isAuthorizePath(returnTo) || userId.isEmpty()) {
      SimHttp.text(ctx, 400, "Sign in first");
      return;
    }
    MultiMap q = MultiMap.caseInsensitiveMultiMap();
    String query = returnTo.contains("?") ? returnTo.substring(returnTo.indexOf('?') + 1) : "";
    io.netty.handler.codec.http.QueryStringDecoder decoder =
        new io.netty.handler.codec.http.QueryStringDecoder(query, false);
    decoder.parameters().forEach(q::add);
    Optional<SimState.Client> client = state.client(q.get("client_id"));
    if (client.isEmpty()) {
      SimHttp.text(ctx, 400, "Unknown client_id");
      return;
    }
    if (!"allow".equals(ctx.request().getFormAttribute("decision"))) {
      redirectError(ctx, client.get().redirectUri(), "access_denied", q.get("state"));
      return;
    }
    state.grantConsent(userId.get(), client.get().id(), SimState.scopes(q.get("scope")));
    SimHttp.redirect(ctx, returnTo);
  }

  void accessToken(RoutingContext ctx) {
    MultiMap form = ctx.request().formAttributes();
    JsonObject json = SimHttp.jsonBody(ctx);
    String clientId = SimHttp.param(form, json, "client_id");
    String secret = SimHttp.param(form, json, "client_secret");
    Optional<SimState.Client> client = state.client(clientId).filter(c -> c.secret().equals(secret));
    if (client.isEmpty()) {
      tokenError(ctx, 401, "invalid_client");
      return;
    }
    if (!"authorization_code".equals(SimHttp.param(form, json, "grant_type"))) {
      tokenError(ctx, 400, "unsupported_grant_type");
      return;
    }
    Optional<SimState.Code> taken = state.takeCode(SimHttp.param(form, json, "code"));
    if (taken.isEmpty()) {
      tokenError(ctx, 400, "invalid_grant");
      return;
    }
    SimState.Code code = taken.get();
    // Like Cobot, redirect_uri may be left out of the token request; when sent it must match.
    String redirectUri = SimHttp.param(form, json, "redirect_uri");
    String verifier = SimHttp.param(form, json, "code_verifier");
    boolean valid = code.clientId().equals(client.get().id())
        && code.expiresAt().isAfter(state.now())
        && (redirectUri == null || redirectUri.equals(code.redirectUri()))
        && pkceMatches(code.challenge(), verifier);
    if (!valid) {
      tokenError(ctx, 400, "invalid_grant");
      return;
    }
    String token = state.issueToken(code.clientId(), code.userId(), code.scopes(), null);
    SimHttp.json(ctx, 200, new JsonObject().put("access_token", token).put("token_type", "bearer"));
  }

  static boolean pkceMatches(String challenge, String verifier) {
    if (challenge == null) {
      return verifier == null;
    }
    if (verifier == null || !verifier.matches("[A-Za-z0-9._~-]{43,128}")) {
      return false;
    }
    return MessageDigest.isEqual(s256(verifier).getBytes(StandardCharsets.US_ASCII),
        challenge.getBytes(StandardCharsets.US_ASCII));
  }

  static String s256(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void signInPage(RoutingContext ctx, String subdomain, String clientId, String returnTo) {
    String spaceName = subdomain == null ? null : state.space(subdomain).map(s -> s.name).orElse(null);
    List<SimPages.SignInUser> users = state.users().stream().map(u -> new SimPages.SignInUser(u.id(), u.name(), u.email(),
        String.join(", ", state.userJson(u.id()).getJsonArray("memberships").stream()
            .map(m -> ((JsonObject) m).getString("space_name")).distinct().toList()))).toList();
    templates.send(ctx, 200, "simulator/signin.jte",
        new SimPages.SignIn("Sign in to Cobot", spaceName, clientId, returnTo, users));
  }

  static String loginCookie(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(LOGIN_COOKIE);
    return c == null ? null : c.getValue();
  }

  static void setLoginCookie(RoutingContext ctx, String session) {
    ctx.response().addCookie(Cookie.cookie(LOGIN_COOKIE, session).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX));
  }

  private static boolean isAuthorizePath(String path) {
    return path != null && (path.startsWith("/oauth/authorize?")
        || path.matches("/space/[a-z0-9-]+/oauth/authorize\\?.*"));
  }

  private static void redirectError(RoutingContext ctx, String redirectUri, String error, String state) {
    SimHttp.redirect(ctx, redirectUri + (redirectUri.contains("?") ? "&" : "?") + "error=" + error
        + (state == null ? "" : "&state=" + enc(state)));
  }

  private static void tokenError(RoutingContext ctx, int status, String error) {
    SimHttp.json(ctx, status, new JsonObject().put("error", error));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
