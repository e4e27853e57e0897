package com.cobotchat.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The control surface under {@code /_sim/}: form actions for the host page (member switcher, and in
 * demo mode add/cancel/uncancel a member and advance the clock) and a small JSON API mirroring the
 * Java control methods. POSTs from another origin are refused (browsers send {@code Origin}).
 */
final class ControlApi {
  private final CobotSimulator sim;
  private final SimState state;

  ControlApi(CobotSimulator sim, SimState state) {
    this.sim = sim;
    this.state = state;
  }

  void mount(Router router) {
    router.post("/_sim/*").handler(this::sameOrigin);
    router.post("/_sim/host/:subdomain/switch").handler(this::switchMember);
    router.post("/_sim/host/:subdomain/members").handler(demo(this::addMemberForm));
    router.post("/_sim/host/:subdomain/cancel").handler(demo(this::cancelForm));
    router.post("/_sim/host/:subdomain/uncancel").handler(demo(this::uncancelForm));
    router.post("/_sim/host/:subdomain/clock").handler(demo(this::clockForm));

    router.get("/_sim/state").handler(this::stateJson);
    router.post("/_sim/login").handler(this::login);
    router.post("/_sim/spaces/:subdomain/members").handler(this::addMember);
    router.post("/_sim/memberships/:id/cancel").handler(this::cancel);
    router.post("/_sim/memberships/:id/uncancel").handler(ctx -> done(ctx, () -> sim.uncancel(ctx.pathParam("id"))));
    router.post("/_sim/memberships/:id/confirm").handler(ctx -> done(ctx, () -> sim.confirm(ctx.pathParam("id"))));
    router.post("/_sim/memberships/:id/delete")
        .handler(ctx -> done(ctx, () -> sim.deleteMembership(ctx.pathParam("id"))));
    router.post("/_sim/clock/advance").handler(this::advance);
    router.post("/_sim/webhooks").handler(this::webhooks);
  }

  private io.vertx.core.Handler<RoutingContext> demo(io.vertx.core.Handler<RoutingContext> handler) {
    return ctx -> {
      if (!sim.options().demoControls()) {
        SimHttp.error(ctx, 404, "demo controls are off");
        return;
      }
      handler.handle(ctx);
    };
  }

  private void sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !origin.equals(originOf(state.siteUrl()))
        && !origin.equals("http://127.0.0.1:" + sim.port())) {
      SimHttp.error(ctx, 403, "cross-origin control request refused");
      return;
    }
    ctx.next();
  }

  // ---- host page forms

  private void switchMember(RoutingContext ctx) {
    String userId = ctx.request().getFormAttribute("user_id");
    if (userId == null || userId.isBlank()) {
      Optional.ofNullable(SimOAuth.loginCookie(ctx)).ifPresent(state::logout);
      ctx.response().addCookie(io.vertx.core.http.Cookie.cookie(SimOAuth.LOGIN_COOKIE, "").setPath("/").setMaxAge(0));
    } else {
      SimOAuth.setLoginCookie(ctx, state.login(userId));
    }
    backToHost(ctx);
  }

  private void addMemberForm(RoutingContext ctx) {
    String name = trimmed(ctx.request().getFormAttribute("name"), 60);
    String plan = trimmed(ctx.request().getFormAttribute("plan"), 60);
    if (name.isEmpty()) {
      backToHost(ctx);
      return;
    }
    sim.addMember(ctx.pathParam("subdomain"), name, plan.isEmpty() ? "Flex Desk" : plan);
    backToHost(ctx);
  }

  private void cancelForm(RoutingContext ctx) {
    ownMembership(ctx).ifPresent(id -> sim.cancel(id, state.today().minusDays(1)));
    backToHost(ctx);
  }

  private void uncancelForm(RoutingContext ctx) {
    ownMembership(ctx).ifPresent(sim::uncancel);
    backToHost(ctx);
  }

  private void clockForm(RoutingContext ctx) {
    int days = parseInt(ctx.request().getFormAttribute("days"), 1);
    sim.advanceClock(Duration.ofDays(Math.max(1, Math.min(days, 365))));
    backToHost(ctx);
  }

  private Optional<String> ownMembership(RoutingContext ctx) {
    return state.membership(ctx.request().getFormAttribute("membership_id"))
        .filter(m -> m.subdomain.equals(ctx.pathParam("subdomain"))).map(m -> m.id);
  }

  private void backToHost(RoutingContext ctx) {
    MultiMap form = ctx.request().formAttributes();
    String locale = Optional.ofNullable(form.get("locale")).filter(l -> l.matches("[a-z]{2}")).orElse("en");
    String link = Optional.ofNullable(form.get("link")).filter(l -> l.matches("[0-9a-f]{1,64}")).orElse(null);
    String subdomain = ctx.pathParam("subdomain");
    SimHttp.redirect(ctx, "/host/" + URLEncoder.encode(subdomain, StandardCharsets.UTF_8) + "?locale=" + locale
        + (link == null ? "" : "&link=" + link));
  }

  // ---- JSON API

  private void stateJson(RoutingContext ctx) {
    JsonArray spaces = new JsonArray();
    for (SimSpace s : sim.spaces()) {
      JsonArray members = new JsonArray();
      state.memberships(s.subdomain(), m -> true).forEach(m -> members.add(state.membershipJson(m)));
      spaces.add(new JsonObject().put("id", s.id()).put("subdomain", s.subdomain()).put("name", s.name())
          .put("hostPage", sim.hostPageUrl(s.subdomain())).put("memberships", members));
    }
    JsonArray users = new JsonArray();
    state.users().forEach(u -> users.add(new JsonObject().put("id", u.id()).put("name", u.name())
        .put("email", u.email())));
    SimHttp.json(ctx, 200, new JsonObject().put("today", state.today().toString()).put("spaces", spaces)
        .put("users", users));
  }

  private void login(RoutingContext ctx) {
    String userId = SimHttp.jsonBody(ctx).getString("userId");
    if (state.user(userId).isEmpty()) {
      SimHttp.error(ctx, 404, "no such user");
      return;
    }
    SimOAuth.setLoginCookie(ctx, state.login(userId));
    SimHttp.json(ctx, 200, new JsonObject().put("userId", userId));
  }

  private void addMember(RoutingContext ctx) {
    JsonObject body = SimHttp.jsonBody(ctx);
    String name = trimmed(body.getString("name"), 60);
    if (name.isEmpty()) {
      SimHttp.error(ctx, 422, "name required");
      return;
    }
    SimMember m = sim.addMember(ctx.pathParam("subdomain"), name, body.getString("plan", "Flex Desk"));
    SimHttp.json(ctx, 201, new JsonObject().put("userId", m.userId()).put("membershipId", m.membershipId()));
  }

  private void cancel(RoutingContext ctx) {
    String to = SimHttp.jsonBody(ctx).getString("canceledTo");
    LocalDate date = to == null ? state.today().minusDays(1) : LocalDate.parse(to);
    done(ctx, () -> sim.cancel(ctx.pathParam("id"), date));
  }

  private void advance(RoutingContext ctx) {
    JsonObject body = SimHttp.jsonBody(ctx);
    done(ctx, () -> sim.advanceClock(Duration.ofDays(body.getLong("days", 0L))
        .plusSeconds(body.getLong("seconds", 0L))));
  }

  private void webhooks(RoutingContext ctx) {
    JsonObject body = SimHttp.jsonBody(ctx);
    done(ctx, () -> {
      if (body.containsKey("paused")) {
        sim.pauseWebhooks(body.getBoolean("paused"));
      }
      if (body.containsKey("failStatus")) {
        int status = body.getInteger("failStatus");
        if (status == 0) {
          sim.succeedWebhooks();
        } else {
          sim.failWebhooks(status);
        }
      }
    });
  }

  private static void done(RoutingContext ctx, Runnable action) {
    try {
      action.run();
      SimHttp.noContent(ctx);
    } catch (IllegalArgumentException e) {
      SimHttp.error(ctx, 404, e.getMessage());
    }
  }

  private static String trimmed(String value, int max) {
    if (value == null) {
      return "";
    }
    String t = value.strip();
    return t.length() > max ? t.substring(0, max) : t;
  }

  private static int parseInt(String value, int fallback) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String originOf(String url) {
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getRawAuthority();
  }
}
