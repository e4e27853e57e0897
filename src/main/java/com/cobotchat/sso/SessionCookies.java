package com.cobotchat.sso;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * The two cookies of sign-in, both {@code Secure; HttpOnly; SameSite=None; Partitioned} so they
 * work in Cobot's cross-site iFrame where the browser allows partitioned (CHIPS) cookies. Vert.x's
 * {@link Cookie} has no Partitioned attribute, so the header is written here.
 * <ul>
 *   <li>{@value #SESSION}: the session token.</li>
 *   <li>{@value #SIGNED_OUT}: set by logout so that reloads do not sign in again until the member asks.</li>
 * </ul>
 */
final class SessionCookies {
  static final String SESSION = "__Host-cc_session";
  static final String SIGNED_OUT = "__Host-cc_signed_out";
  private static final long SIGNED_OUT_SECONDS = 30L * 24 * 3600;

  private SessionCookies() {
  }

  static String session(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(SESSION);
    return c == null ? null : c.getValue();
  }

  static boolean signedOut(RoutingContext ctx) {
    return ctx.request().getCookie(SIGNED_OUT) != null;
  }

  static void setSession(RoutingContext ctx, String token, long maxAgeSeconds) {
    add(ctx, SESSION, token, maxAgeSeconds);
  }

  static void clearSession(RoutingContext ctx) {
    add(ctx, SESSION, "", 0);
  }

  static void setSignedOut(RoutingContext ctx) {
    add(ctx, SIGNED_OUT, "1", SIGNED_OUT_SECONDS);
  }

  static void clearSignedOut(RoutingContext ctx) {
    add(ctx, SIGNED_OUT, "", 0);
  }

  private static void add(RoutingContext ctx, String name, String value, long maxAge) {
    Cookie c = Cookie.cookie(name, value).setPath("/").setMaxAge(maxAge).setSecure(true).setHttpOnly(true)
        .setSameSite(CookieSameSite.NONE);
    ctx.response().headers().add("Set-Cookie", c.encode() + "; Partitioned");
  }
}
