package com.cobotchat.sso;

import com.cobotchat.web.HttpProblem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/ws-ticket} (SPEC 3): a single-use WebSocket ticket for the signed-in member,
 * authenticated by {@code Authorization: Bearer <page token>} or the session cookie. A request from
 * a foreign {@code Origin} is refused; a cookie-authenticated one must come from our own origin.
 * <p>
 * Answer: {@code {"ticket": "...", "expiresIn": 30}}; when a page token was used, also a fresh
 * {@code "pageToken"} with {@code "pageTokenExpiresIn"} (seconds), which the page should use from then on.
 */
public final class TicketEndpoint {
  private final Authenticator auth;
  private final Tickets tickets;
  private final PageTokens pageTokens;
  private final Csrf csrf;

  public TicketEndpoint(Authenticator auth, Tickets tickets, PageTokens pageTokens, Csrf csrf) {
    this.auth = auth;
    this.tickets = tickets;
    this.pageTokens = pageTokens;
    this.csrf = csrf;
  }

  public void issue(RoutingContext ctx) {
    if (csrf.fromForeignOrigin(ctx)) {
      ctx.fail(new HttpProblem(403, "Requests from other sites are not accepted."));
      return;
    }
    auth.authenticate(ctx).compose(signed -> {
      if (signed.isEmpty()) {
        throw new HttpProblem(401, "Not signed in, or the sign-in has ended.");
      }
      Authenticator.Signed s = signed.get();
      if (s.via() == Authenticator.Via.COOKIE && !csrf.fromOwnOrigin(ctx)) {
        throw new HttpProblem(403, "Requests authenticated by cookie must come from the chat page.");
      }
      return tickets.issue(s.member().id(), s.sessionHash()).map(ticket -> {
        JsonObject body = new JsonObject().put("ticket", ticket).put("expiresIn", Tickets.TTL_SECONDS);
        if (s.via() == Authenticator.Via.PAGE_TOKEN) {
          body.put("pageToken", pageTokens.issue(s.sessionHash()))
              .put("pageTokenExpiresIn", PageTokens.LIFETIME.toSeconds());
        }
        return body;
      });
    }).onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(body.encode()))
        .onFailure(ctx::fail);
  }
}
