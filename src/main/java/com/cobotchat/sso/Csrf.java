package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import io.vertx.ext.web.RoutingContext;

/**
 * CSRF protection for forms and state-changing calls inside the cross-site iFrame, where a
 * SameSite=Strict cookie (Vert.x's CSRFHandler) would never be sent: a token derived from the
 * session (HMAC of its hash) travels in a form field or header, and the request must come from the
 * service's own origin ({@code Origin}, or {@code Sec-Fetch-Site: same-origin} where a browser sends
 * {@code Origin: null} because of the no-referrer policy).
 */
public final class Csrf {
  public static final String FIELD = "csrf";
  public static final String HEADER = "X-CSRF-Token";

  private final SecretKeys keys;
  private final String publicOrigin;

  public Csrf(SecretKeys keys, String publicOrigin) {
    this.keys = keys;
    this.publicOrigin = publicOrigin;
  }

  /** The token for pages of the session with this hash. */
  public String token(String sessionHash) {
    return keys.sign("csrf|" + sessionHash);
  }

  public boolean tokenMatches(String sessionHash, String token) {
    return token != null && keys.verify("csrf|" + sessionHash, token);
  }

  /**
   * The whole check for a state-changing request of a signed-in page: it comes from our origin and
   * carries the session's token in the {@value #HEADER} header or the {@value #FIELD} form field.
   */
  public boolean verify(RoutingContext ctx, String sessionHash) {
    String token = ctx.request().getHeader(HEADER);
    if (token == null) {
      token = ctx.request().getFormAttribute(FIELD);
    }
    return fromOwnOrigin(ctx) && tokenMatches(sessionHash, token);
  }

  /** Whether a browser says the request comes from one of our own pages. */
  public boolean fromOwnOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !"null".equals(origin)) {
      return origin.equals(publicOrigin);
    }
    return "same-origin".equals(ctx.request().getHeader("Sec-Fetch-Site"));
  }

  /** Whether the request names another origin than ours (a browser on a foreign page). */
  public boolean fromForeignOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !"null".equals(origin)) {
      return !origin.equals(publicOrigin);
    }
    String site = ctx.request().getHeader("Sec-Fetch-Site");
    return site != null && !site.equals("same-origin") && !site.equals("none");
  }
}
