package com.cobotchat.sso;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.RecordedRequest;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimSpace;
import com.cobotchat.simulator.SimulatorOptions;
import com.cobotchat.space.Space;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the service wired to a Cobot simulator, with helpers to walk the sign-in over real HTTP
 * the way a browser inside Cobot's iFrame would. Every secret it sees (codes, session cookies, page
 * tokens, tickets, Cobot tokens) is collected in {@link #ISSUED} for the log hygiene checks.
 */
final class SignInHarness implements AutoCloseable {
  static final String SESSION_COOKIE = "__Host-cc_session";
  static final String SIGNED_OUT_COOKIE = "__Host-cc_signed_out";

  /** Secrets issued during this JVM's tests; test-only shared state, read by the log scans. */
  static final Set<String> ISSUED = ConcurrentHashMap.newKeySet();

  private static final AtomicInteger SPACES = new AtomicInteger();
  private static final Pattern META = Pattern.compile("<meta name=\"([a-z-]+)\" content=\"([^\"]*)\">");

  final Vertx vertx = Vertx.vertx();
  final CobotSimulator sim;
  final DatabaseUrl db;
  final AppConfig config;
  final Application app;
  final String base;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** What a browser holds after the callback rendered the chat page. */
  record Landing(Http.Response page, String sessionCookie, String pageToken, String csrf, String code,
                 String callbackUrl) {
    String cookieHeader() {
      return SESSION_COOKIE + "=" + sessionCookie;
    }
  }

  /** A space known to the simulator and installed in the service, with its admin. */
  record InstalledSpace(SimSpace sim, Space space, SimMember admin) {
    String sub() {
      return sim.subdomain();
    }
  }

  SignInHarness(String prefix, Map<String, String> extraEnv) {
    sim = CobotSimulator.start(vertx, new SimulatorOptions().port(0)).await();
    int port = TestConfigs.freePort();
    db = TestDatabases.fresh(prefix);
    Map<String, String> env = TestConfigs.talkingTo(TestConfigs.env(db, port), sim);
    env.put("FRAME_ANCESTORS", "https://*.cobot.me http://localhost:*");
    env.putAll(extraEnv);
    config = AppConfig.fromEnv(env);
    base = config.publicUrl();
    TestConfigs.registerClient(sim, base);
    app = Application.start(config, l -> { });
  }

  /**
   * Adds a navigation link ("members" section) to the space in the simulator, as the install flow
   * does, so the simulator's host page frames it; returns the host page URL that shows it.
   */
  String navigationLink(InstalledSpace space, String label, String iframeUrl) {
    String token = sim.issueTokenFor(TestConfigs.CLIENT_ID, space.admin().userId(), "navigation");
    ISSUED.add(token);
    CobotClient cobot = new CobotClient(vertx, config);
    try {
      cobot.createNavigationLink(space.sub(), token, "members", label, iframeUrl).await();
    } finally {
      cobot.close();
    }
    String id = sim.navigationLinks(space.sub()).stream().filter(l -> l.iframeUrl().equals(iframeUrl))
        .reduce((a, b) -> b).orElseThrow().id();
    return sim.hostPageUrl(space.sub()) + "?link=" + id;
  }

  /** Creates a space in the simulator and installs it in the service: a row with a sealed space token. */
  InstalledSpace installedSpace(String customDomain) {
    String sub = "sso" + SPACES.incrementAndGet();
    SimSpace simSpace = sim.createSpace(sub, "Space " + sub);
    SimMember admin = sim.addMember(sub, "Ada Admin", "Fixed Desk");
    sim.makeAdmin(sub, admin.userId(), "Ada");
    String userToken = sim.issueTokenFor(TestConfigs.CLIENT_ID, admin.userId(), "read_user", "read_memberships");
    CobotClient cobot = new CobotClient(vertx, config);
    String spaceToken = cobot.spaceToken(userToken, simSpace.id()).await().token();
    cobot.close();
    ISSUED.add(userToken);
    ISSUED.add(spaceToken);
    Space space = app.services().spaces().ensure(app.services().pool(), sub, simSpace.id(), simSpace.name(), customDomain)
        .await();
    app.services().pool().preparedQuery("UPDATE spaces SET installed_at = now(), space_token = $2 WHERE id = $1")
        .execute(Tuple.of(space.id(), io.vertx.core.buffer.Buffer.buffer(config.secret().encrypt(spaceToken)))).await();
    return new InstalledSpace(simSpace, app.services().spaces().findById(space.id()).await().orElseThrow(), admin);
  }

  SimMember member(InstalledSpace space, String name) {
    return sim.addMember(space.sub(), name, "Flex Desk");
  }

  static String embedQuery(InstalledSpace space, String userId) {
    return "cobot_embed=true&cobot_subdomain=" + space.sub() + (userId == null ? "" : "&cobot_user_id=" + userId)
        + "&cobot_locale=de";
  }

  Http.Response embed(String query, String cookieHeader) {
    return get(base + "/embed?" + query, cookieHeader == null ? Map.of() : Map.of("Cookie", cookieHeader));
  }

  /** Follows Cobot's authorize URL as the given (logged-in, consenting) Cobot user; returns the callback URL. */
  String authorize(String authorizeUrl, String cobotUserId) {
    sim.grantConsent(cobotUserId, TestConfigs.CLIENT_ID, "read_user");
    String login = sim.loginCookie(cobotUserId);
    Http.Response r = get(authorizeUrl, Map.of("Cookie", CobotSimulator.LOGIN_COOKIE + "=" + login));
    if (r.status() != 302) {
      throw new AssertionError("authorize answered " + r.status() + ": " + r.body());
    }
    String callback = r.location();
    String code = Http.query(callback).get("code");
    if (code != null) {
      ISSUED.add(code);
    }
    return callback;
  }

  /** The callback URL Cobot sends the browser to, for a fresh /embed load as that user. */
  String callbackUrl(String embedQuery, String cobotUserId) {
    Http.Response start = embed(embedQuery, null);
    if (start.status() != 302) {
      throw new AssertionError("/embed answered " + start.status() + ": " + start.body());
    }
    return authorize(start.location(), cobotUserId);
  }

  Landing land(String callbackUrl) {
    Http.Response page = get(callbackUrl, Map.of());
    return landing(page, callbackUrl);
  }

  Landing landing(Http.Response page, String callbackUrl) {
    Map<String, String> meta = meta(page.body());
    String cookie = page.cookie(SESSION_COOKIE).filter(v -> !v.isEmpty()).orElse(null);
    remember(cookie);
    remember(meta.get("page-token"));
    remember(meta.get("csrf-token"));
    String code = callbackUrl == null ? null : Http.query(callbackUrl).get("code");
    return new Landing(page, cookie, meta.get("page-token"), meta.get("csrf-token"), code, callbackUrl);
  }

  /** The whole round trip: /embed, Cobot's authorize, the callback. */
  Landing signIn(InstalledSpace space, SimMember member) {
    return land(callbackUrl(embedQuery(space, member.userId()), member.userId()));
  }

  Http.Response ticket(Map<String, String> headers) {
    Http.Response r = send("POST", base + "/api/ws-ticket", headers, "");
    if (r.status() == 200) {
      remember(r.json().getString("ticket"));
      remember(r.json().getString("pageToken"));
    }
    return r;
  }

  Http.Response logout(Map<String, String> form, Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Content-Type", "application/x-www-form-urlencoded");
    return send("POST", base + "/logout", h, Http.encode(form));
  }

  Http.Response get(String url, Map<String, String> headers) {
    return send("GET", url, headers, null);
  }

  Http.Response send(String method, String url, Map<String, String> headers, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Http.Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> meta(String html) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = META.matcher(html);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  static void remember(String secret) {
    if (secret != null && !secret.isEmpty()) {
      ISSUED.add(secret);
    }
  }

  @Override
  public void close() {
    for (RecordedRequest r : sim.requestLog()) {
      remember(r.token());
    }
    app.stop();
    sim.stop().await();
    vertx.close().await();
    TestDatabases.drop(db);
  }
}
