package com.cobotchat.sync;

import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.sso.Sessions;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;

/**
 * The sync's admin API, for the admin view (space admins only, authenticated by the page token in
 * {@code Authorization: Bearer}, or the chat page's page token or cookie as {@code ApiAuth.attach} accepts them):
 * {@code GET /api/admin/sync} (state of the space's sync), {@code POST /api/admin/sync/reconcile}
 * (reconcile now; 409 while one runs) and {@code POST /api/admin/uninstall}.
 */
public final class SyncAdmin {
  private final SpaceRepository spaces;
  private final MemberRepository members;
  private final Sessions sessions;
  private final Inbox inbox;
  private final Reconciler reconciler;
  private final Installer installer;

  SyncAdmin(SpaceRepository spaces, MemberRepository members, Sessions sessions, Inbox inbox, Reconciler reconciler,
      Installer installer) {
    this.spaces = spaces;
    this.members = members;
    this.sessions = sessions;
    this.inbox = inbox;
    this.reconciler = reconciler;
    this.installer = installer;
  }

  public void status(RoutingContext ctx) {
    admin(ctx).compose(admin -> spaces.syncState(admin.spaceId()).map(java.util.Optional::orElseThrow)
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
    admin(ctx).compose(admin -> reconciler.reconcile(admin.spaceId()))
        .onSuccess(r -> json(ctx, 200, new JsonObject().put("listed", r.listed()).put("changed", r.changed())
            .put("refetched", r.refetched()).put("ended", r.ended()).put("subscriptionsRepaired", r.subscriptionsRepaired())))
        .onFailure(ctx::fail);
  }

  public void uninstall(RoutingContext ctx) {
    admin(ctx).compose(admin -> installer.uninstall(admin.spaceId()))
        .onSuccess(r -> json(ctx, 200, new JsonObject().put("uninstalled", true).put("linksRemoved", r.linksRemoved())
            .put("subscriptionsRemoved", r.subscriptionsRemoved()).put("cobotError", r.error())))
        .onFailure(ctx::fail);
  }

  private Future<Member> admin(RoutingContext ctx) {
    var signed = com.cobotchat.sso.ApiAuth.signed(ctx);
    if (signed.isPresent()) {
      Member m = signed.get().member();
      return m.admin() ? Future.succeededFuture(m)
          : Future.failedFuture(new HttpProblem(403, "Only admins of the space can do this."));
    }
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    return sessions.memberOf(token).compose(id -> id.isEmpty()
            ? Future.failedFuture(new HttpProblem(401, "Sign in again."))
            : members.findById(id.get()))
        .compose(m -> m.isPresent() && m.get().admin() && m.get().cobotUserId() != null
            ? Future.succeededFuture(m.get())
            : Future.failedFuture(new HttpProblem(403, "Only admins of the space can do this.")));
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
