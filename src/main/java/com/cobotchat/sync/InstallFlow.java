package com.cobotchat.sync;

import com.cobotchat.app.AppConfig;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.sso.MemberSignIn;
import com.cobotchat.sso.OAuthStates;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The admin's OAuth round trip for the install. {@code GET /install?space=S} sends the admin to
 * Cobot's authorize page on the space host with the install scopes, PKCE (S256) and a signed,
 * single-use state naming an {@code oauth_states} row of purpose {@code install}
 * ({@link OAuthStates}, shared with member sign-in). The one redirect URI
 * ({@code /auth/cobot/callback}) hands install states to {@link #callback}, which consumes the row,
 * trades the code, reads the user and runs {@link Installer#complete}; every other state goes on
 * to the member sign-in.
 */
public final class InstallFlow {
  private static final Logger log = LoggerFactory.getLogger(InstallFlow.class);
  public static final List<String> SCOPES = List.of(
      "read_user", "read_memberships", "write_subscriptions", "read_subscriptions", "navigation");
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final AppConfig config;
  private final OAuthStates states;
  private final CobotClient cobot;
  private final Installer installer;

  InstallFlow(AppConfig config, OAuthStates states, CobotClient cobot, Installer installer) {
    this.config = config;
    this.states = states;
    this.cobot = cobot;
    this.installer = installer;
  }

  public String redirectUri() {
    return config.publicUrl() + MemberSignIn.CALLBACK_PATH;
  }

  /** {@code GET /install?space=S}. */
  public void start(RoutingContext ctx) {
    String space = ctx.request().getParam("space");
    if (space == null || !SUBDOMAIN.matcher(space).matches()) {
      ctx.fail(new HttpProblem(400, "Open this page as /install?space=<your space's Cobot subdomain>."));
      return;
    }
    states.start(OAuthStates.Purpose.INSTALL, space, null, 1, null, true, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      String url = cobot.authorizeUrl(space, SCOPES, ar.result().state(), ar.result().codeChallenge(), redirectUri());
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.redirect(url);
    });
  }

  /** Whether a callback's {@code state} was issued for an install (checked by its signature). */
  public boolean isInstallState(String state) {
    return states.purposeOf(state).filter(p -> p == OAuthStates.Purpose.INSTALL).isPresent();
  }

  /**
   * The install half of {@code GET /auth/cobot/callback}: handles install states and passes every
   * other request on with {@code ctx.next()}, so it sits in front of the member sign-in callback.
   */
  public void callback(RoutingContext ctx) {
    String state = ctx.request().getParam("state");
    if (!isInstallState(state)) {
      ctx.next();
      return;
    }
    finish(state, ctx.request().getParam("code"), ctx.request().getParam("error")).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.redirect(ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** Checks and consumes the state, trades the code, installs; returns the URL to send the admin to. */
  public Future<String> finish(String state, String code, String error) {
    return states.consume(OAuthStates.Purpose.INSTALL, state).compose(checked -> {
      if (!checked.valid()) {
        return Future.failedFuture(new HttpProblem(400, switch (checked.verdict()) {
          case REPLAYED -> "This install link was already used. Start again from /install?space=<subdomain>.";
          case EXPIRED -> "This install link has expired. Start again from /install?space=<subdomain>.";
          default -> "This install link is not valid. Start again from /install?space=<subdomain>.";
        }));
      }
      if (error != null || code == null || code.isBlank() || code.length() > 512) {
        return Future.failedFuture(new HttpProblem(403, "The install was cancelled at Cobot; nothing was changed."));
      }
      return cobot.exchangeCode(code, redirectUri(), checked.verifier())
          .compose(token -> cobot.user(token).compose(user -> installer.complete(checked.subdomain(), token, user)));
    }).onFailure(err -> {
      if (!(err instanceof HttpProblem)) {
        log.atWarn().addKeyValue("error", err.getMessage()).log("sync: install callback failed");
      }
    });
  }
}
