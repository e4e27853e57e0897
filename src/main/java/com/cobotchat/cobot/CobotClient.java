package com.cobotchat.cobot;

import com.cobotchat.app.AppConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's client for Cobot's API 1, derived from COBOT_SITE (global host) and COBOT_SPACE_URL
 * (space hosts). Every call has a deadline ({@link #DEFAULT_TIMEOUT} unless given), sends the token
 * as {@code Authorization: Bearer}, and fails with a {@link CobotException} carrying the status and,
 * for 429, {@code Retry-After}. No retries here: callers decide (see {@link CobotException#isTransient()}).
 * Tokens and codes never appear in exception messages or logs.
 */
public final class CobotClient {
  private static final Logger log = LoggerFactory.getLogger(CobotClient.class);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final AppConfig config;
  private final WebClient web;
  private final OAuth2Auth oauth;
  private final Duration timeout;
  private final MeterRegistry registry;
  private final Pattern membershipUrl;
  private final Pattern spaceApiUrl;

  public CobotClient(Vertx vertx, AppConfig config) {
    this(vertx, config, null, DEFAULT_TIMEOUT);
  }

  /**
   * @param registry where to count calls ({@code cobot_api_calls_total{operation,outcome}}); may be null
   * @param timeout  deadline of each call
   */
  public CobotClient(Vertx vertx, AppConfig config, MeterRegistry registry, Duration timeout) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.timeout = timeout;
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.web = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false)
        .setConnectTimeout(connectMillis)
        .setUserAgent("cobot-chat"));
    this.oauth = OAuth2Auth.create(vertx, new OAuth2Options()
        .setClientId(config.cobotClientId())
        .setClientSecret(config.cobotClientSecret())
        .setSite(config.cobotSite())
        .setAuthorizationPath("/oauth/authorize")
        .setTokenPath("/oauth/access_token")
        .setUserInfoPath("/api/user")
        .setUseBasicAuthorization(false)
        .setHttpClientOptions(new HttpClientOptions().setConnectTimeout(connectMillis)
            .setIdleTimeout((int) Math.max(1, timeout.toSeconds()))));
    String template = config.cobotSpaceUrl();
    int at = template.indexOf("{subdomain}");
    String prefix = Pattern.quote(template.substring(0, at));
    String suffix = Pattern.quote(template.substring(at + "{subdomain}".length()));
    this.membershipUrl = Pattern.compile("^" + prefix + "([a-z0-9][a-z0-9-]*)" + suffix
        + "/api/memberships/([A-Za-z0-9_-]+)$");
    this.spaceApiUrl = Pattern.compile("^" + prefix + "([a-z0-9][a-z0-9-]*)" + suffix + "/api/[A-Za-z0-9_/-]+$");
  }

  // ---- OAuth

  /**
   * The authorize URL: on the space host when {@code subdomainOrNull} is given (as inside the
   * iFrame), else on the global host. {@code codeChallenge} (S256) may be null.
   */
  public String authorizeUrl(String subdomainOrNull, List<String> scopes, String state, String codeChallenge,
      String redirectUri) {
    String base = subdomainOrNull == null ? config.cobotSite() : config.spaceBase(subdomainOrNull);
    StringBuilder url = new StringBuilder(base).append("/oauth/authorize?response_type=code")
        .append("&client_id=").append(enc(config.cobotClientId()))
        .append("&redirect_uri=").append(enc(redirectUri))
        .append("&scope=").append(enc(String.join(" ", scopes)));
    if (state != null) {
      url.append("&state=").append(enc(state));
    }
    if (codeChallenge != null) {
      url.append("&code_challenge=").append(enc(codeChallenge)).append("&code_challenge_method=S256");
    }
    return url.toString();
  }

  /** The S256 challenge for a PKCE verifier. */
  public static String pkceChallenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Exchanges an authorization code at COBOT_SITE/oauth/access_token (client id and secret in the
   * form body) and returns the access token. {@code codeVerifier} may be null when no PKCE challenge was sent.
   */
  public Future<String> exchangeCode(String code, String redirectUri, String codeVerifier) {
    String op = "POST oauth/access_token";
    Oauth2Credentials credentials = new Oauth2Credentials().setFlow(OAuth2FlowType.AUTH_CODE).setCode(code)
        .setRedirectUri(redirectUri);
    if (codeVerifier != null) {
      credentials.setCodeVerifier(codeVerifier);
    }
    Future<String> exchange = oauth.authenticate(credentials)
        .recover(err -> Future.failedFuture(new CobotException(op, statusOf(err),
            "Cobot refused the authorization code (" + op + ")", null, null)))
        .compose(user -> {
          String token = user.principal().getString("access_token");
          return token == null
              ? Future.failedFuture(new CobotException(op, 502, "Cobot sent no access_token", null, null))
              : Future.succeededFuture(token);
        });
    return counted(op, deadline(op, exchange));
  }

  // ---- global host

  /** {@code GET COBOT_SITE/api/user}. */
  public Future<CobotUser> user(String token) {
    return call("GET user", HttpMethod.GET, config.cobotSite() + "/api/user", token, null)
        .map(r -> parseUser(object(r)));
  }

  /** {@code GET COBOT_SITE/api/spaces/{subdomain}} (public). */
  public Future<CobotSpace> space(String subdomain) {
    return call("GET space", HttpMethod.GET, config.cobotSite() + "/api/spaces/" + enc(subdomain), null, null)
        .map(r -> {
          JsonObject j = object(r);
          return new CobotSpace(j.getString("id"), j.getString("subdomain"), j.getString("name"), j.getString("url"),
              j.getString("domain"));
        });
  }

  /** Trades a space admin's token for a space token: {@code POST COBOT_SITE/api/access_tokens/{token}/space}. */
  public Future<SpaceToken> spaceToken(String userToken, String spaceId) {
    return call("POST space token", HttpMethod.POST, config.cobotSite() + "/api/access_tokens/" + enc(userToken)
        + "/space", userToken, new JsonObject().put("space_id", spaceId))
        .map(r -> {
          JsonObject j = object(r);
          JsonArray scope = j.getJsonArray("scope", new JsonArray());
          return new SpaceToken(j.getString("token"), j.getString("client_id"),
              scope.stream().map(String::valueOf).toList());
        });
  }

  /** Revokes a token: {@code DELETE COBOT_SITE/api/access_tokens/{token}}; an unknown token counts as revoked. */
  public Future<Void> revokeToken(String token) {
    return call("DELETE token", HttpMethod.DELETE, config.cobotSite() + "/api/access_tokens/" + enc(token), token,
        null).<Void>mapEmpty().recover(err -> notFoundIsDone(err));
  }

  // ---- memberships

  /** The URL Cobot uses for a membership, e.g. in webhook payloads. */
  public String membershipUrl(String subdomain, String membershipId) {
    return config.spaceBase(subdomain) + "/api/memberships/" + membershipId;
  }

  /**
   * The subdomain a membership URL belongs to, if it is a membership URL under COBOT_SPACE_URL;
   * use before sending a token to a URL from a webhook payload.
   */
  public Optional<String> membershipUrlSubdomain(String url) {
    if (url == null) {
      return Optional.empty();
    }
    Matcher m = membershipUrl.matcher(url);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * {@code GET} a membership URL (as in a webhook payload) with the token; empty when Cobot answers
   * 404 (deleted). Fails without a request when the URL is not a membership URL under COBOT_SPACE_URL.
   */
  public Future<Optional<CobotMembership>> membership(String url, String token) {
    if (membershipUrlSubdomain(url).isEmpty()) {
      return Future.failedFuture(new CobotException("GET membership", 0,
          "not a Cobot membership URL under COBOT_SPACE_URL", null, null));
    }
    return call("GET membership", HttpMethod.GET, url, token, null)
        .map(r -> Optional.of(CobotMembership.fromJson(object(r))))
        .recover(err -> err instanceof CobotException e && e.isNotFound()
            ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(err));
  }

  /** {@code GET} a membership by space and id; empty when deleted. */
  public Future<Optional<CobotMembership>> membership(String subdomain, String membershipId, String token) {
    return membership(membershipUrl(subdomain, membershipId), token);
  }

  /** The space's current members ({@code GET /api/memberships}; admin, limited to 6 requests/min by Cobot). */
  public Future<List<CobotMembership>> memberships(String subdomain, String token) {
    return call("GET memberships", HttpMethod.GET, config.spaceBase(subdomain) + "/api/memberships", token, null)
        .map(r -> array(r).stream().map(o -> CobotMembership.fromJson((JsonObject) o)).toList());
  }

  // ---- subscriptions

  /** Subscribes to an event; a 409 (already subscribed) fails with {@link CobotException#isConflict()}. */
  public Future<CobotSubscription> createSubscription(String subdomain, String token, String event,
      String callbackUrl) {
    return call("POST subscription", HttpMethod.POST, config.spaceBase(subdomain) + "/api/subscriptions", token,
        new JsonObject().put("event", event).put("callback_url", callbackUrl))
        .map(r -> CobotSubscription.fromJson(object(r)));
  }

  /** This app's subscriptions in the space, including switched-off ones ({@code active=false}). */
  public Future<List<CobotSubscription>> listSubscriptions(String subdomain, String token) {
    return call("GET subscriptions", HttpMethod.GET, config.spaceBase(subdomain) + "/api/subscriptions", token, null)
        .map(r -> array(r).stream().map(o -> CobotSubscription.fromJson((JsonObject) o)).toList());
  }

  /** Deletes a subscription by its {@code url}; 404 counts as done. */
  public Future<Void> deleteSubscription(String url, String token) {
    return delete("DELETE subscription", url, token);
  }

  // ---- navigation links

  public Future<CobotNavigationLink> createNavigationLink(String subdomain, String token, String section,
      String label, String iframeUrl) {
    return call("POST navigation link", HttpMethod.POST, config.spaceBase(subdomain) + "/api/navigation_links", token,
        new JsonObject().put("section", section).put("label", label).put("iframe_url", iframeUrl))
        .map(r -> CobotNavigationLink.fromJson(object(r)));
  }

  public Future<List<CobotNavigationLink>> listNavigationLinks(String subdomain, String token) {
    return call("GET navigation links", HttpMethod.GET, config.spaceBase(subdomain) + "/api/navigation_links", token,
        null).map(r -> array(r).stream().map(o -> CobotNavigationLink.fromJson((JsonObject) o)).toList());
  }

  /** Deletes a navigation link by its {@code url}; 404 counts as done. */
  public Future<Void> deleteNavigationLink(String url, String token) {
    return delete("DELETE navigation link", url, token);
  }

  public void close() {
    web.close();
  }

  // ---- plumbing

  private Future<Void> delete(String op, String url, String token) {
    if (!spaceApiUrl.matcher(url == null ? "" : url).matches()) {
      return Future.failedFuture(new CobotException(op, 0, "not a Cobot API URL under COBOT_SPACE_URL", null, null));
    }
    return call(op, HttpMethod.DELETE, url, token, null).<Void>mapEmpty().recover(this::notFoundIsDone);
  }

  private Future<Void> notFoundIsDone(Throwable err) {
    return err instanceof CobotException e && e.isNotFound() ? Future.succeededFuture() : Future.failedFuture(err);
  }

  private Future<HttpResponse<Buffer>> call(String op, HttpMethod method, String url, String token, JsonObject body) {
    HttpRequest<Buffer> request = web.requestAbs(method, url)
        .idleTimeout(timeout.toMillis())
        .putHeader("Accept", "application/json");
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    Future<HttpResponse<Buffer>> checked = deadline(op, sent.recover(err -> Future.failedFuture(
        new CobotException(op, 0, "Cobot did not answer (" + op + "): " + err.getClass().getSimpleName(), null,
            null)))).compose(r -> r.statusCode() >= 200 && r.statusCode() < 300
        ? Future.succeededFuture(r) : Future.failedFuture(failure(op, r)));
    return counted(op, checked);
  }

  private static CobotException failure(String op, HttpResponse<Buffer> r) {
    Duration retryAfter = null;
    if (r.statusCode() == 429) {
      retryAfter = parseRetryAfter(r.getHeader("Retry-After"));
    }
    return new CobotException(op, r.statusCode(), "Cobot answered " + r.statusCode() + " to " + op, retryAfter, null);
  }

  static Duration parseRetryAfter(String value) {
    if (value == null) {
      return Duration.ofSeconds(60);
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(60);
    }
  }

  private <T> Future<T> deadline(String op, Future<T> future) {
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> promise.tryFail(new CobotException(op, 0,
        "Cobot did not answer within " + timeout.toMillis() + " ms (" + op + ")", null, new TimeoutException())));
    future.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  private <T> Future<T> counted(String op, Future<T> future) {
    return future.onComplete(ar -> {
      String outcome = ar.succeeded() ? "ok"
          : ar.cause() instanceof CobotException e ? (e.status() == 0 ? "no_answer" : Integer.toString(e.status()))
          : "error";
      if (ar.failed()) {
        log.atDebug().addKeyValue("operation", op).addKeyValue("outcome", outcome).log("Cobot call failed");
      }
      if (registry != null) {
        Counter.builder("cobot_api_calls").description("Calls to Cobot's API by operation and outcome")
            .tag("operation", op).tag("outcome", outcome).register(registry).increment();
      }
    });
  }

  private static int statusOf(Throwable err) {
    String message = String.valueOf(err.getMessage());
    if (message.contains("invalid_client")) {
      return 401;
    }
    if (message.contains("invalid_grant") || message.contains("unsupported_grant_type")
        || message.contains("invalid_request")) {
      return 400;
    }
    Matcher m = Pattern.compile("\\b([45]\\d\\d)\\b").matcher(message);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static JsonObject object(HttpResponse<Buffer> r) {
    try {
      return r.bodyAsJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new CobotException("parse", 502, "Cobot sent malformed JSON", null, null);
    }
  }

  private static JsonArray array(HttpResponse<Buffer> r) {
    try {
      return r.bodyAsJsonArray();
    } catch (DecodeException | ClassCastException e) {
      throw new CobotException("parse", 502, "Cobot sent malformed JSON", null, null);
    }
  }

  private static CobotUser parseUser(JsonObject j) {
    List<CobotUser.Membership> memberships = j.getJsonArray("memberships", new JsonArray()).stream()
        .map(o -> (JsonObject) o)
        .map(m -> new CobotUser.Membership(m.getString("id"), m.getString("space_subdomain"),
            m.getString("space_name"), m.getString("link")))
        .toList();
    List<CobotUser.AdminOf> adminOf = j.getJsonArray("admin_of", new JsonArray()).stream()
        .map(o -> (JsonObject) o)
        .map(a -> new CobotUser.AdminOf(a.getString("space_subdomain"), a.getString("space_name"), a.getString("name")))
        .toList();
    return new CobotUser(j.getString("id"), j.getString("email"), memberships, adminOf);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

}
