package com.cobotchat.sync;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.SecretKeys;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The admin's OAuth round trip for the install. {@code GET /install?space=S} sends the admin to
 * Cobot's authorize page on the space host with the install scopes, PKCE (S256) and a signed,
 * single-use state naming an {@code oauth_states} row of purpose {@code install}. The callback
 * (SPEC: the one redirect URI {@code /auth/cobot/callback}, shared with member sign-in) hands
 * install states to {@link #callback}, which consumes the row, trades the code, reads the user and
 * runs {@link Installer#complete}.
 */
public final class InstallFlow {
  private static final Logger log = LoggerFactory.getLogger(InstallFlow.class);
  public static final List<String> SCOPES = List.of(
      "read_user", "read_memberships", "write_subscriptions", "read_subscriptions", "navigation");
  /** Install states start with this, so the shared callback can tell them from member sign-in states. */
  public static final String STATE_PREFIX = "install.";
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int STATE_MINUTES = 10;

  private static final String INSERT = """
      INSERT INTO oauth_states (nonce, purpose, subdomain, pkce_verifier, expires_at)
      VALUES ($1, 'install', $2, $3, now() + make_interval(mins => $4))""";
  private static final String CONSUME = """
      UPDATE oauth_states SET consumed_at = now()
       WHERE nonce = $1 AND purpose = 'install' AND consumed_at IS NULL AND expires_at > now()
      RETURNING subdomain, pkce_verifier""";

  private final AppConfig config;
  private final Pool pool;
  private final CobotClient cobot;
  private final Installer installer;

  InstallFlow(AppConfig config, Pool pool, CobotClient cobot, Installer installer) {
    this.config = config;
    this.pool = pool;
    this.cobot = cobot;
    this.installer = installer;
  }

  public String redirectUri() {
    return config.publicUrl() + "/auth/cobot/callback";
  }

  /** {@code GET /install?space=S}. */
  public void start(RoutingContext ctx) {
    String space = ctx.request().getParam("space");
    if (space == null || !SUBDOMAIN.matcher(space).matches()) {
      ctx.fail(new HttpProblem(400, "Open this page as /install?space=<your space's Cobot subdomain>."));
      return;
    }
    String nonce = SecretKeys.randomToken(24);
    String verifier = SecretKeys.randomToken(48);
    pool.preparedQuery(INSERT).execute(Tuple.of(nonce, space, verifier, STATE_MINUTES)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      String url = cobot.authorizeUrl(space, SCOPES, state(nonce), CobotClient.pkceChallenge(verifier), redirectUri());
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.redirect(url);
    });
  }

  /** Whether a callback's {@code state} belongs to an install (the member sign-in handles the rest). */
  public static boolean isInstallState(String state) {
    return state != null && state.startsWith(STATE_PREFIX);
  }

  /**
   * The install half of {@code GET /auth/cobot/callback}: handles install states and passes every
   * other request on with {@code ctx.next()}, so it can sit in front of the member sign-in callback.
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
    String nonce = nonce(state);
    if (nonce == null) {
      return Future.failedFuture(new HttpProblem(400, "This install link is not valid. Start again from /install?space=<subdomain>."));
    }
    return pool.preparedQuery(CONSUME).execute(Tuple.of(nonce)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new HttpProblem(400,
            "This install link has expired or was already used. Start again from /install?space=<subdomain>."));
      }
      String subdomain = rows.iterator().next().getString("subdomain");
      String verifier = rows.iterator().next().getString("pkce_verifier");
      if (error != null || code == null || code.isBlank()) {
        return Future.failedFuture(new HttpProblem(403, "The install was cancelled at Cobot; nothing was changed."));
      }
      return cobot.exchangeCode(code, redirectUri(), verifier)
          .compose(token -> cobot.user(token).compose(user -> installer.complete(subdomain, token, user)));
    }).onFailure(err -> {
      if (!(err instanceof HttpProblem)) {
        log.atWarn().addKeyValue("error", err.getMessage()).log("sync: install callback failed");
      }
    });
  }

  private String state(String nonce) {
    String text = STATE_PREFIX + nonce;
    return text + "." + config.secret().sign(text);
  }

  private String nonce(String state) {
    if (!isInstallState(state) || state.length() > 200) {
      return null;
    }
    int dot = state.lastIndexOf('.');
    if (dot <= STATE_PREFIX.length()) {
      return null;
    }
    String text = state.substring(0, dot);
    return config.secret().verify(text, state.substring(dot + 1)) ? text.substring(STATE_PREFIX.length()) : null;
  }
}
