package com.cobotchat.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cobot's API 1 as the chat service uses it: the global endpoints (user, spaces, access tokens) and
 * the space-scoped ones (memberships, subscriptions, navigation links), with scopes, admin checks
 * and rate limits enforced as documented.
 */
final class SimApi {
  static final Set<String> EVENTS = Set.of(
      "connected_user", "updated_connected_user", "created_admin", "deleted_admin",
      "created_membership", "confirmed_membership", "canceled_membership", "uncanceled_membership",
      "reactivated_membership", "membership_cancellation_date_reached", "deleted_membership",
      "changed_membership_plan", "membership_plan_change_date_reached", "updated_membership_details",
      "updated_membership_picture", "updated_payment_method",
      "created_booking", "updated_booking", "booking_will_begin", "booking_has_ended", "deleted_booking",
      "created_resource", "updated_resource", "deleted_resource", "created_checkin", "created_checkout",
      "created_invoice", "updated_invoice", "sent_invoice", "deleted_invoice", "created_drop_in_pass",
      "created_guest_account", "updated_custom_field", "changed_space_subscription", "published_event");
  static final Set<String> SECTIONS = Set.of("admin/setup", "admin/manage", "admin/analyze", "members");

  private record Access(SimState.Space space, SimState.Token token) {
  }

  private final SimState state;
  private final SimulatorOptions options;
  private final RateLimiter limiter;

  SimApi(SimState state, SimulatorOptions options, RateLimiter limiter) {
    this.state = state;
    this.options = options;
    this.limiter = limiter;
  }

  // ---- global host

  void user(RoutingContext ctx) {
    Optional<SimState.Token> token = authenticate(ctx);
    if (token.isEmpty() || limited(ctx, token.get()) || !scoped(ctx, token.get(), "read_user")) {
      return;
    }
    SimHttp.json(ctx, 200, state.userJson(token.get().userId()));
  }

  void space(RoutingContext ctx) {
    Optional<SimState.Space> space = state.space(ctx.pathParam("subdomain"));
    if (space.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    SimHttp.json(ctx, 200, state.spaceJson(space.get()));
  }

  void userPicture(RoutingContext ctx) {
    SimHttp.redirect(ctx, state.siteUrl() + "/_sim/assets/placeholder.svg");
  }

  void spaceToken(RoutingContext ctx) {
    String value = ctx.pathParam("token");
    Optional<SimState.Token> token = state.token(value);
    if (token.isEmpty() || !value.equals(SimHttp.bearer(ctx))) {
      SimHttp.error(ctx, 401, "unauthorized");
      return;
    }
    if (limited(ctx, token.get())) {
      return;
    }
    String spaceId = SimHttp.param(ctx.request().formAttributes(), SimHttp.jsonBody(ctx), "space_id");
    Optional<SimState.Space> space = Optional.ofNullable(spaceId).flatMap(state::spaceById);
    if (space.isEmpty()) {
      SimHttp.json(ctx, 422, new JsonObject().put("errors", new JsonObject().put("space_id", "is invalid")));
      return;
    }
    if (!state.isAdmin(space.get().subdomain, token.get().userId())) {
      SimHttp.error(ctx, 403, "forbidden: not an admin of this space");
      return;
    }
    SimState.Token t = token.get();
    String spaceToken = state.issueToken(t.clientId(), t.userId(), t.scopes(), space.get().id);
    SimHttp.json(ctx, 201, new JsonObject().put("token", spaceToken).put("client_id", t.clientId())
        .put("scope", new JsonArray(t.scopes())));
  }

  void tokenInfo(RoutingContext ctx) {
    Optional<SimState.Token> token = state.token(ctx.pathParam("token"));
    if (token.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    SimHttp.json(ctx, 200, new JsonObject().put("scope", new JsonArray(token.get().scopes()))
        .put("client_id", token.get().clientId()));
  }

  void revokeToken(RoutingContext ctx) {
    if (!state.revokeToken(ctx.pathParam("token"))) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    SimHttp.noContent(ctx);
  }

  // ---- space host: memberships

  void memberships(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "read_memberships", true);
    if (access.isEmpty()) {
      return;
    }
    OptionalLong wait = limiter.hit("memberships " + access.get().token().value(), options.membershipListPerWindow(),
        options.rateWindow());
    if (wait.isPresent()) {
      tooMany(ctx, wait.getAsLong());
      return;
    }
    List<String> ids = split(ctx.request().getParam("ids"));
    List<String> attributes = split(ctx.request().getParam("attributes"));
    JsonArray out = new JsonArray();
    for (SimState.Membership m : state.memberships(access.get().space().subdomain,
        m -> state.isCurrent(m) && (ids.isEmpty() || ids.contains(m.id)))) {
      JsonObject json = state.membershipJson(m);
      if (attributes.isEmpty()) {
        out.add(json);
      } else {
        JsonObject only = new JsonObject();
        attributes.stream().filter(json::containsKey).forEach(a -> only.put(a, json.getValue(a)));
        out.add(only);
      }
    }
    SimHttp.json(ctx, 200, out);
  }

  void membership(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "read_memberships", false);
    if (access.isEmpty()) {
      return;
    }
    Optional<SimState.Membership> m = state.membership(ctx.pathParam("id"))
        .filter(x -> x.subdomain.equals(access.get().space().subdomain));
    if (m.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    SimState.Token t = access.get().token();
    boolean owner = t.spaceId() == null && t.userId().equals(m.get().userId);
    if (!owner && !isAdminAccess(access.get())) {
      SimHttp.error(ctx, 403, "forbidden: admin access required");
      return;
    }
    SimHttp.json(ctx, 200, state.membershipJson(m.get()));
  }

  void picture(RoutingContext ctx) {
    Optional<SimState.Membership> m = state.membership(ctx.pathParam("id"))
        .filter(x -> x.subdomain.equals(ctx.pathParam("subdomain")));
    if (m.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    ctx.response().putHeader("Content-Type", "image/svg+xml").putHeader("Cache-Control", "max-age=60")
        .end(Avatars.svg(m.get().name, m.get().pictureVersion));
  }

  // ---- space host: subscriptions

  void createSubscription(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "write_subscriptions", true);
    if (access.isEmpty()) {
      return;
    }
    MultiMap form = ctx.request().formAttributes();
    JsonObject json = SimHttp.jsonBody(ctx);
    String event = SimHttp.param(form, json, "event");
    String callback = SimHttp.param(form, json, "callback_url");
    JsonObject errors = new JsonObject();
    if (event == null || !EVENTS.contains(event)) {
      errors.put("event", "is invalid");
    }
    if (!isHttpUrl(callback)) {
      errors.put("callback_url", "is invalid");
    }
    if (!errors.isEmpty()) {
      SimHttp.json(ctx, 422, new JsonObject().put("errors", errors));
      return;
    }
    String subdomain = access.get().space().subdomain;
    String clientId = access.get().token().clientId();
    if (state.findSubscription(subdomain, clientId, event, callback).filter(s -> s.active).isPresent()) {
      SimHttp.json(ctx, 409, new JsonObject().put("errors",
          new JsonObject().put("callback_url", "has already been subscribed to this event")));
      return;
    }
    SimHttp.json(ctx, 201, state.subscriptionJson(state.addSubscription(subdomain, clientId, event, callback)));
  }

  void listSubscriptions(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "read_subscriptions", true);
    if (access.isEmpty()) {
      return;
    }
    JsonArray out = new JsonArray();
    state.subscriptions(access.get().space().subdomain).stream()
        .filter(s -> s.clientId().equals(access.get().token().clientId()))
        .forEach(s -> state.subscription(s.id()).ifPresent(x -> out.add(state.subscriptionJson(x))));
    SimHttp.json(ctx, 200, out);
  }

  void showSubscription(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "read_subscriptions", true);
    if (access.isEmpty()) {
      return;
    }
    Optional<SimState.Subscription> s = ownSubscription(access.get(), ctx.pathParam("id"));
    if (s.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    SimHttp.json(ctx, 200, state.subscriptionJson(s.get()));
  }

  void deleteSubscription(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "write_subscriptions", true);
    if (access.isEmpty()) {
      return;
    }
    Optional<SimState.Subscription> s = ownSubscription(access.get(), ctx.pathParam("id"));
    if (s.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    state.deleteSubscription(s.get().id);
    SimHttp.noContent(ctx);
  }

  // ---- space host: navigation links

  void createLink(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "navigation", true);
    if (access.isEmpty()) {
      return;
    }
    MultiMap form = ctx.request().formAttributes();
    JsonObject json = SimHttp.jsonBody(ctx);
    String section = SimHttp.param(form, json, "section");
    String label = SimHttp.param(form, json, "label");
    String iframeUrl = SimHttp.param(form, json, "iframe_url");
    String editable = SimHttp.param(form, json, "user_editable");
    JsonObject errors = new JsonObject();
    if (section == null || !SECTIONS.contains(section)) {
      errors.put("section", "is invalid");
    }
    if (label == null || label.isBlank()) {
      errors.put("label", "can't be blank");
    }
    if (!isHttpUrl(iframeUrl)) {
      errors.put("iframe_url", "is invalid");
    }
    if (!errors.isEmpty()) {
      SimHttp.json(ctx, 422, new JsonObject().put("errors", errors));
      return;
    }
    SimNavigationLink link = state.addLink(access.get().space().subdomain, access.get().token().clientId(), section,
        label.trim(), iframeUrl, editable == null || Boolean.parseBoolean(editable));
    SimHttp.json(ctx, 201, state.linkJson(link));
  }

  void listLinks(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "navigation", true);
    if (access.isEmpty()) {
      return;
    }
    JsonArray out = new JsonArray();
    state.links(access.get().space().subdomain).stream()
        .filter(l -> l.clientId().equals(access.get().token().clientId()))
        .forEach(l -> out.add(state.linkJson(l)));
    SimHttp.json(ctx, 200, out);
  }

  void deleteLink(RoutingContext ctx) {
    Optional<Access> access = access(ctx, "navigation", true);
    if (access.isEmpty()) {
      return;
    }
    Optional<SimNavigationLink> link = state.link(ctx.pathParam("id"))
        .filter(l -> l.subdomain().equals(access.get().space().subdomain)
            && l.clientId().equals(access.get().token().clientId()));
    if (link.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    state.deleteLink(link.get().id());
    SimHttp.noContent(ctx);
  }

  // ---- checks

  private Optional<SimState.Subscription> ownSubscription(Access access, String id) {
    return state.subscription(id).filter(s -> s.subdomain.equals(access.space().subdomain)
        && s.clientId.equals(access.token().clientId()));
  }

  /** Space exists, token valid, under the rate limit, has the scope, and (if required) admin rights. */
  private Optional<Access> access(RoutingContext ctx, String scope, boolean adminOnly) {
    Optional<SimState.Space> space = state.space(ctx.pathParam("subdomain"));
    if (space.isEmpty()) {
      SimHttp.error(ctx, 404, "not found");
      return Optional.empty();
    }
    Optional<SimState.Token> token = authenticate(ctx);
    if (token.isEmpty() || limited(ctx, token.get())) {
      return Optional.empty();
    }
    SimState.Token t = token.get();
    if (t.spaceId() != null && !t.spaceId().equals(space.get().id)) {
      SimHttp.error(ctx, 403, "forbidden: token belongs to another space");
      return Optional.empty();
    }
    if (!scoped(ctx, t, scope)) {
      return Optional.empty();
    }
    Access access = new Access(space.get(), t);
    if (adminOnly && !isAdminAccess(access)) {
      SimHttp.error(ctx, 403, "forbidden: admin access required");
      return Optional.empty();
    }
    return Optional.of(access);
  }

  private boolean isAdminAccess(Access access) {
    return access.token().spaceId() != null || state.isAdmin(access.space().subdomain, access.token().userId());
  }

  private Optional<SimState.Token> authenticate(RoutingContext ctx) {
    Optional<SimState.Token> token = state.token(SimHttp.bearer(ctx));
    if (token.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      SimHttp.error(ctx, 401, "unauthorized");
    }
    return token;
  }

  private boolean limited(RoutingContext ctx, SimState.Token token) {
    OptionalLong wait = limiter.hit("token " + token.value(), options.requestsPerWindow(), options.rateWindow());
    if (wait.isPresent()) {
      tooMany(ctx, wait.getAsLong());
      return true;
    }
    return false;
  }

  private static boolean scoped(RoutingContext ctx, SimState.Token token, String scope) {
    if (!token.has(scope)) {
      SimHttp.error(ctx, 403, "forbidden: scope " + scope + " required");
      return false;
    }
    return true;
  }

  private static void tooMany(RoutingContext ctx, long seconds) {
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    SimHttp.json(ctx, 429, new JsonObject().put("error", "rate limit exceeded").put("retry_after", seconds));
  }

  private static List<String> split(String value) {
    return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  private static boolean isHttpUrl(String value) {
    if (value == null) {
      return false;
    }
    try {
      URI uri = new URI(value);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
