package com.cobotchat.sso;

import com.cobotchat.web.HttpProblem;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Authentication of the JSON API the chat page calls ({@code /api/...}), the same way as
 * {@code POST /api/ws-ticket}: {@code Authorization: Bearer <page token>} or the session cookie.
 * A request naming a foreign {@code Origin} is refused; a cookie-authenticated request must come from
 * our own origin, and when it changes something also carry the page's CSRF token in
 * {@value Csrf#HEADER}. The signed-in member is left in the routing context for the handlers
 * ({@link #signed}).
 */
public final class ApiAuth {
  private static final String KEY = "cobotchat.signed";

  private final Authenticator auth;
  private final Csrf csrf;

  public ApiAuth(Authenticator auth, Csrf csrf) {
    this.auth = auth;
    this.csrf = csrf;
  }

  /** Route handler: continues with the member in the context, or fails with 401/403. */
  public void require(RoutingContext ctx) {
    if (csrf.fromForeignOrigin(ctx)) {
      ctx.fail(new HttpProblem(403, "Requests from other sites are not accepted."));
      return;
    }
    auth.authenticate(ctx).onSuccess(found -> {
      if (found.isEmpty()) {
        ctx.fail(new HttpProblem(401, "Not signed in, or the sign-in has ended."));
        return;
      }
      Authenticator.Signed s = found.get();
      if (s.via() == Authenticator.Via.COOKIE && !cookieAllowed(ctx, s)) {
        ctx.fail(new HttpProblem(403, "Requests authenticated by cookie must come from the chat page."));
        return;
      }
      ctx.put(KEY, s);
      ctx.next();
    }).onFailure(ctx::fail);
  }

  /** The member {@link #require} found for this request. */
  public static Optional<Authenticator.Signed> signed(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(KEY));
  }

  private boolean cookieAllowed(RoutingContext ctx, Authenticator.Signed s) {
    HttpMethod method = ctx.request().method();
    boolean safe = method == HttpMethod.GET || method == HttpMethod.HEAD;
    return safe ? csrf.fromOwnOrigin(ctx) : csrf.verify(ctx, s.sessionHash());
  }
}
