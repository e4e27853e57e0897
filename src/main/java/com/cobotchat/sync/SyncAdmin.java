package com.cobotchat.sync;

import com.cobotchat.space.Member;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.sso.Authenticator;
import com.cobotchat.sso.Csrf;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;

/**
 * The sync's admin API, for the admin view; admins of the caller's space only, authenticated like
 * every chat call ({@code Authorization: Bearer <page token>} or the session cookie; a cookie-borne
 * POST must come from our origin with the {@code X-CSRF-Token} header):
 * {@code GET /api/admin/sync} (state of the space's sync), {@code POST /api/admin/sync/reconcile}
 * (reconcile now; 409 while one runs) and {@code POST /api/admin/uninstall}.
 */
public final class SyncAdmin {
  private final SpaceRepository spaces;
  private final Inbox inbox;
  private final Reconciler reconciler;
  private final Installer installer;
  private final Authenticator auth;
  private final Csrf csrf;

  SyncAdmin(SpaceRepository spaces, Inbox inbox, Reconciler reconciler, Installer installer, Authenticator auth,
      Csrf csrf) {
    this.spaces = spaces;
    this.inbox = inbox;
    this.reconciler = reconciler;
    this.installer = installer;
    this.auth = auth;
    this.csrf = csrf;
  }

  public void status(RoutingContext ctx) {
    admin(ctx, false).compose(admin -> spaces.syncState(admin.spaceId()).map(java.util.Optional::orElseThrow)
            .compose(state -> inbox.counts(admin.spaceId()).map(counts -> new JsonObject()
                .put("space", state.space().subdomain())
                .put("installed", state.space().installed())
                .put("uninstalled", state.uninstalled())
                .put("installedAt", text(state.installedAt()))
                .put("lastWebhookAt", text(state.lastWebhookAt()))
                .put("lastReconcileAt", text(state.lastReconcileAt()))
                .put("lastError", state.lastSyncError())
                .put("inbox", new JsonObject().put("pending", counts.pending()).put("failing", counts.failing())
                    .put("ignoredToday", counts.ignored()).put("maxAttempts", counts.maxAttempts())))))
        .onSuccess(json -> json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  public void reconcile(RoutingContext ctx) {
    admin(ctx, true).compose(admin -> reconciler.reconcile(admin.spaceId()))
        .onSuccess(r -> json(ctx, 200, new JsonObject().put("listed", r.listed()).put("changed", r.changed())
            .put("refetched", r.refetched()).put("ended", r.ended()).put("subscriptionsRepaired", r.subscriptionsRepaired())))
        .onFailure(ctx::fail);
  }

  public void uninstall(RoutingContext ctx) {
    admin(ctx, true).compose(admin -> installer.uninstall(admin.spaceId()))
        .onSuccess(r -> json(ctx, 200, new JsonObject().put("uninstalled", true).put("linksRemoved", r.linksRemoved())
            .put("subscriptionsRemoved", r.subscriptionsRemoved()).put("cobotError", r.error())))
        .onFailure(ctx::fail);
  }

  private Future<Member> admin(RoutingContext ctx, boolean changes) {
    if (csrf.fromForeignOrigin(ctx)) {
      return Future.failedFuture(new HttpProblem(403, "Requests from other sites are not accepted."));
    }
    return auth.authenticate(ctx).compose(signed -> {
      if (signed.isEmpty()) {
        return Future.failedFuture(new HttpProblem(401, "Not signed in, or the sign-in has ended."));
      }
      Authenticator.Signed s = signed.get();
      if (changes && s.via() == Authenticator.Via.COOKIE && !csrf.verify(ctx, s.sessionHash())) {
        return Future.failedFuture(new HttpProblem(403, "Requests authenticated by cookie must come from the chat page."));
      }
      return s.member().admin() ? Future.succeededFuture(s.member())
          : Future.failedFuture(new HttpProblem(403, "Only admins of the space can do this."));
    });
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
