package com.cobotchat.sso;

import com.cobotchat.space.MemberRepository;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * {@code POST /logout} from the chat page's form. The form carries the CSRF token (an HMAC of the
 * session hash) and the page token, so it works without cookies; the request must come from our own
 * origin. Logout revokes the session in the database, clears the session cookie, sets the
 * signed-out marker cookie, remembers the sign-out on the member (for browsers that keep no cookie
 * in the iFrame) and sends the frame to {@code /embed?…&signed_out=1}, which stays signed out.
 */
public final class Logout {
  private static final Logger log = LoggerFactory.getLogger(Logout.class);

  private final Authenticator auth;
  private final Sessions sessions;
  private final MemberRepository members;
  private final Csrf csrf;

  public Logout(Authenticator auth, Sessions sessions, MemberRepository members, Csrf csrf) {
    this.auth = auth;
    this.sessions = sessions;
    this.members = members;
    this.csrf = csrf;
  }

  public void handle(RoutingContext ctx) {
    if (!csrf.fromOwnOrigin(ctx)) {
      ctx.fail(new HttpProblem(403, "This form can only be sent from the chat page."));
      return;
    }
    EmbedHints hints = EmbedHints.fromQuery(ctx.request().getFormAttribute("hints"));
    String pageToken = ctx.request().getFormAttribute("page_token");
    Future<Optional<Authenticator.Signed>> who = pageToken != null && !pageToken.isEmpty()
        ? auth.byPageToken(pageToken) : auth.byCookie(ctx);
    who.compose(signed -> {
      if (signed.isPresent() && !csrf.verify(ctx, signed.get().sessionHash())) {
        return Future.failedFuture(new HttpProblem(403, "The sign-out form was not valid. Reload the page and try again."));
      }
      Future<Void> revoked = signed.isPresent()
          ? sessions.revokeHash(signed.get().sessionHash()).compose(v -> members.markSignedOut(signed.get().member().id()))
          : Future.succeededFuture();
      return revoked.map(v -> {
        signed.ifPresent(s -> log.atInfo().addKeyValue("member", s.member().id()).log("member signed out"));
        SessionCookies.clearSession(ctx);
        SessionCookies.setSignedOut(ctx);
        ctx.response().setStatusCode(303).putHeader("Location", hints.embedUrl("signed_out=1"))
            .putHeader("Cache-Control", "no-store").end();
        return null;
      });
    }).onFailure(ctx::fail);
  }
}
