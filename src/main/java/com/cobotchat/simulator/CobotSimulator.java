package com.cobotchat.simulator;

import com.cobotchat.web.Templates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory Cobot for tests and demo mode: OAuth2, API 1 (user, spaces, access tokens,
 * memberships, subscriptions, navigation links), webhook delivery with Cobot's retry rules, rate
 * limits, and a host page that frames a navigation link the way Cobot's member area does.
 *
 * <p>It listens on 127.0.0.1 only and names itself {@code localhost} in its URLs, so pages it frames
 * from a service reached at {@code 127.0.0.1} are cross-site, as in production. Space hosts are
 * path-prefixed: {@link #spaceUrlTemplate()} is {@code http://localhost:PORT/space/{subdomain}}.
 *
 * <p>Nothing starts unless demo mode or a test calls {@link #start}. Control methods may be called
 * from any thread; membership changes fire webhooks asynchronously.
 */
public final class CobotSimulator {
  private static final Logger log = LoggerFactory.getLogger(CobotSimulator.class);
  /** Name of the cookie that says which user is "logged in to Cobot" (see {@link #loginCookie}). */
  public static final String LOGIN_COOKIE = SimOAuth.LOGIN_COOKIE;

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final SimState state;
  private final WebhookDispatcher webhooks;
  private final RateLimiter limiter = new RateLimiter();
  private final BoundedLog<RecordedRequest> requests = new BoundedLog<>(10_000);
  private volatile boolean down;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile String installHint;
  private HttpServer server;
  private long clockTimer = -1;

  private CobotSimulator(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.webhooks = new WebhookDispatcher(vertx, options);
    this.state = new SimState(options, webhooks);
    webhooks.state(state);
  }

  /** Starts a simulator on {@code options.port()} (0 = any free port) bound to 127.0.0.1. */
  public static Future<CobotSimulator> start(Vertx vertx, SimulatorOptions options) {
    CobotSimulator sim = new CobotSimulator(vertx, options);
    return sim.listen().map(sim);
  }

  private Future<Void> listen() {
    Templates templates = new Templates();
    Router router = Router.router(vertx);
    SimOAuth oauth = new SimOAuth(state, templates);
    SimApi api = new SimApi(state, options, limiter);
    HostPage host = new HostPage(this, state, templates, options);
    ControlApi control = new ControlApi(this, state);

    router.route().handler(this::gate);
    router.route().method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.DELETE)
        .handler(BodyHandler.create(false).setBodyLimit(64 * 1024));

    router.get("/oauth/authorize").handler(oauth::authorize);
    router.get("/space/:subdomain/oauth/authorize").handler(oauth::authorize);
    router.post("/oauth/sign_in").handler(oauth::signIn);
    router.post("/oauth/consent").handler(oauth::consent);
    router.post("/oauth/access_token").handler(oauth::accessToken);

    router.get("/api/user").handler(api::user);
    router.get("/api/spaces/:subdomain").handler(api::space);
    router.get("/api/users/:id/picture").handler(api::userPicture);
    router.post("/api/access_tokens/:token/space").handler(api::spaceToken);
    router.get("/api/access_tokens/:token").handler(api::tokenInfo);
    router.delete("/api/access_tokens/:token").handler(api::revokeToken);

    router.get("/space/:subdomain/api/memberships").handler(api::memberships);
    router.get("/space/:subdomain/api/memberships/:id").handler(api::membership);
    router.get("/space/:subdomain/api/memberships/:id/picture").handler(api::picture);
    router.post("/space/:subdomain/api/subscriptions").handler(api::createSubscription);
    router.get("/space/:subdomain/api/subscriptions").handler(api::listSubscriptions);
    router.get("/space/:subdomain/api/subscriptions/:id").handler(api::showSubscription);
    router.delete("/space/:subdomain/api/subscriptions/:id").handler(api::deleteSubscription);
    router.post("/space/:subdomain/api/navigation_links").handler(api::createLink);
    router.get("/space/:subdomain/api/navigation_links").handler(api::listLinks);
    router.delete("/space/:subdomain/api/navigation_links/:id").handler(api::deleteLink);

    router.get("/space/:subdomain/navigation_links/:id").handler(host::linkPage);
    router.get("/space/:subdomain").handler(host::spaceHome);
    router.get("/host/:subdomain").handler(host::page);
    router.get("/_sim/assets/:file").handler(host::asset);
    control.mount(router);

    router.route().last().handler(ctx -> SimHttp.error(ctx, 404, "not found"));
    router.route().failureHandler(this::failure);

    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(options.port()));
    return server.requestHandler(router).listen().map(s -> {
      state.origin("http://" + options.host() + ":" + s.actualPort());
      clockTimer = vertx.setPeriodic(30_000, t -> state.checkCancellationDates());
      log.atInfo().addKeyValue("port", s.actualPort()).log("Cobot simulator listening");
      return null;
    });
  }

  /** Stops the server, pending webhook retries and timers. */
  public Future<Void> stop() {
    if (clockTimer >= 0) {
      vertx.cancelTimer(clockTimer);
    }
    webhooks.stop();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void gate(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.startsWith("/_sim/")) {
      ctx.next();
      return;
    }
    String token = SimHttp.bearer(ctx);
    ctx.addEndHandler(v -> requests.add(new RecordedRequest(ctx.request().method().name(), path,
        ctx.request().query(), token, ctx.response().getStatusCode(), Instant.now())));
    if (down) {
      ctx.response().putHeader("Retry-After", "60");
      SimHttp.error(ctx, 503, "Cobot is down for maintenance");
      return;
    }
    long delay = responseDelay.toMillis();
    if (delay > 0) {
      vertx.setTimer(delay, t -> ctx.next());
    } else {
      ctx.next();
    }
  }

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (ctx.failure() instanceof IllegalArgumentException e) {
      status = 400;
      if (!ctx.response().headWritten()) {
        SimHttp.error(ctx, status, e.getMessage());
        return;
      }
    }
    if (status >= 500) {
      log.atWarn().setCause(ctx.failure()).addKeyValue("path", ctx.request().path()).log("simulator request failed");
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
    } else {
      SimHttp.error(ctx, status, "error");
    }
  }

  // ---- URLs

  /** The actual port. */
  public int port() {
    return server.actualPort();
  }

  /** Value for COBOT_SITE, e.g. {@code http://localhost:PORT}. */
  public String siteUrl() {
    return state.siteUrl();
  }

  /** Value for COBOT_SPACE_URL: {@code http://localhost:PORT/space/{subdomain}}. */
  public String spaceUrlTemplate() {
    return state.siteUrl() + "/space/{subdomain}";
  }

  /** A space's base URL, e.g. {@code http://localhost:PORT/space/demo}. */
  public String spaceUrl(String subdomain) {
    return state.spaceBase(subdomain);
  }

  /** The page that looks like the space's Cobot member area and frames the chat. */
  public String hostPageUrl(String subdomain) {
    return state.siteUrl() + "/host/" + subdomain;
  }

  public SimulatorOptions options() {
    return options;
  }

  /** A URL the host page offers when a space has no navigation link yet (demo: the service's install route). */
  public void setInstallHint(String url) {
    this.installHint = url;
  }

  String installHint() {
    return installHint;
  }

  // ---- control: clients, spaces, users, memberships

  /** Registers an OAuth2 application with its one redirect URI (matched exactly). */
  public CobotSimulator registerClient(String clientId, String secret, String redirectUri) {
    state.registerClient(clientId, secret, redirectUri);
    return this;
  }

  public SimSpace createSpace(String subdomain, String name) {
    return state.createSpace(subdomain, name);
  }

  public List<SimSpace> spaces() {
    return state.spaces();
  }

  public void setCustomDomain(String subdomain, String domain) {
    state.setCustomDomain(subdomain, domain);
  }

  /** Creates a Cobot user account; returns its id. */
  public String createUser(String name, String email) {
    return state.createUser(name, email);
  }

  /** Adds an unconfirmed membership ({@code created_membership}); userId null = no user account. */
  public String addMembership(String subdomain, String userIdOrNull, String name, String planName) {
    return state.addMembership(subdomain, userIdOrNull, name, planName);
  }

  /** Creates a user with a confirmed membership in one step. */
  public SimMember addMember(String subdomain, String name, String planName) {
    String userId = createUser(name, SimState.slug(name) + "@example.com");
    String membershipId = addMembership(subdomain, userId, name, planName);
    confirm(membershipId);
    return new SimMember(userId, membershipId, name);
  }

  /** Confirms a membership ({@code confirmed_membership}). */
  public void confirm(String membershipId) {
    state.confirm(membershipId);
  }

  /** Connects a user account to a membership ({@code connected_user}). */
  public void connectUser(String membershipId, String userId) {
    state.connectUser(membershipId, userId);
  }

  /**
   * Records a cancellation ({@code canceled_membership}); {@code canceledTo} is the last day of
   * the membership. When that day is already past, {@code membership_cancellation_date_reached}
   * follows at once, otherwise when {@link #advanceClock} (or real time) passes it.
   */
  public void cancel(String membershipId, LocalDate canceledTo) {
    state.cancel(membershipId, canceledTo);
  }

  public void uncancel(String membershipId) {
    state.uncancel(membershipId);
  }

  public void reactivate(String membershipId) {
    state.reactivate(membershipId);
  }

  /** Deletes a membership ({@code deleted_membership}, payload with the object); its URL answers 404 after. */
  public void deleteMembership(String membershipId) {
    state.deleteMembership(membershipId);
  }

  /** Changes the plan now ({@code changed_membership_plan} and {@code membership_plan_change_date_reached}). */
  public void changePlan(String membershipId, String planName) {
    state.changePlan(membershipId, planName);
  }

  public void rename(String membershipId, String name) {
    state.rename(membershipId, name);
  }

  public void changePicture(String membershipId) {
    state.changePicture(membershipId);
  }

  public void makeAdmin(String subdomain, String userId, String name) {
    state.makeAdmin(subdomain, userId, name);
  }

  public void removeAdmin(String subdomain, String userId) {
    state.removeAdmin(subdomain, userId);
  }

  /** The membership as {@code GET /api/memberships/{id}} would return it, or null when deleted. */
  public io.vertx.core.json.JsonObject membershipJson(String membershipId) {
    return state.membership(membershipId).map(state::membershipJson).orElse(null);
  }

  /** The URL of a membership, as webhook payloads carry it. */
  public String membershipUrl(String subdomain, String membershipId) {
    return state.spaceBase(subdomain) + "/api/memberships/" + membershipId;
  }

  // ---- control: clock

  /** Moves the simulator's clock; fires {@code membership_cancellation_date_reached} where a last day passes. */
  public void advanceClock(Duration by) {
    state.advanceClock(by);
  }

  public LocalDate today() {
    return state.today();
  }

  /**
   * A clock that follows the simulator's (moved by {@link #advanceClock}); give it to the service's
   * node so that "today" agrees with the simulated Cobot.
   */
  public java.time.Clock clock() {
    return new SimClock(state, java.time.ZoneOffset.UTC);
  }

  private static final class SimClock extends java.time.Clock {
    private final SimState state;
    private final java.time.ZoneId zone;

    SimClock(SimState state, java.time.ZoneId zone) {
      this.state = state;
      this.zone = zone;
    }

    @Override
    public java.time.ZoneId getZone() {
      return zone;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId newZone) {
      return new SimClock(state, newZone);
    }

    @Override
    public Instant instant() {
      return state.now();
    }
  }

  // ---- control: OAuth without a browser

  /** Signs a user in to the simulated Cobot; send the result as cookie {@link #LOGIN_COOKIE}. */
  public String loginCookie(String userId) {
    return state.login(userId);
  }

  /** Records that the user has authorised the client for these scopes, so authorize skips the consent page. */
  public void grantConsent(String userId, String clientId, String... scopes) {
    state.grantConsent(userId, clientId, Arrays.asList(scopes));
  }

  /** A user access token for the first registered client, as if the browser flow had run. */
  public String issueToken(String userId, String... scopes) {
    return state.issueToken(state.defaultClientId(), userId, Arrays.asList(scopes), null);
  }

  /** A user access token for a given client. */
  public String issueTokenFor(String clientId, String userId, String... scopes) {
    return state.issueToken(clientId, userId, Arrays.asList(scopes), null);
  }

  /** Whether a token is still valid (not revoked). */
  public boolean tokenValid(String token) {
    return state.token(token).isPresent();
  }

  // ---- control: webhooks, failures, observation

  /** While paused, deliveries are held; they go out when resumed. */
  public void pauseWebhooks(boolean paused) {
    webhooks.pause(paused);
  }

  /**
   * Makes every delivery attempt fail with {@code status} without contacting the receiver (as if
   * the receiver or the network failed); retries and switch-off follow Cobot's rules.
   */
  public void failWebhooks(int status) {
    webhooks.fail(status);
  }

  public void succeedWebhooks() {
    webhooks.fail(0);
  }

  /** Every delivery attempt so far, in order. */
  public List<Delivery> deliveries() {
    return webhooks.deliveries();
  }

  /** Deliveries held while webhooks are paused. */
  public int heldDeliveries() {
    return webhooks.held();
  }

  /** "Cobot down": every API, OAuth and page request answers 503 (the control API keeps working). */
  public void setDown(boolean isDown) {
    this.down = isDown;
  }

  /** Delays every answer (except the control API); a long delay simulates a hanging Cobot. */
  public void delayResponses(Duration delay) {
    this.responseDelay = delay;
  }

  /** Forgets all rate-limit counters. */
  public void resetRateLimits() {
    limiter.reset();
  }

  /** API, OAuth and page requests received so far (control API excluded). */
  public List<RecordedRequest> requestLog() {
    return requests.snapshot();
  }

  public void clearRequestLog() {
    requests.clear();
  }

  public List<SimSubscription> subscriptions(String subdomain) {
    return state.subscriptions(subdomain);
  }

  public List<SimNavigationLink> navigationLinks(String subdomain) {
    return state.links(subdomain);
  }
}
