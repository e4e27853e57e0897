package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.app.AppConfig;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotNavigationLink;
import com.cobotchat.cobot.CobotSpace;
import com.cobotchat.cobot.CobotUser;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.space.SpaceSync;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Installs the chat into a space once its admin has signed in, and takes it out again. Every step
 * looks before it acts, so running the install again repairs what is missing and duplicates
 * nothing: the space token is replaced, the navigation link is reused when an equal one exists,
 * subscriptions already there are kept (409 counts as present; switched-off ones are re-created),
 * members are brought in line with Cobot's list, the default room is created once.
 */
public final class Installer {
  private static final Logger log = LoggerFactory.getLogger(Installer.class);
  static final String LINK_SECTION = "members";
  static final String LINK_LABEL = "Chat";

  /** What an uninstall removed at Cobot; {@code error} is null when Cobot answered every call. */
  public record Uninstalled(int linksRemoved, int subscriptionsRemoved, String error) {
  }

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final SpaceRepository spaces;
  private final MemberRepository members;
  private final RoomMembership rooms;
  private final CobotClient cobot;
  private final Subscriptions subscriptions;
  private final Reconciler reconciler;
  private final Duration rateBudget;

  Installer(Vertx vertx, AppConfig config, Pool pool, SpaceRepository spaces, MemberRepository members, RoomMembership rooms,
      CobotClient cobot, Subscriptions subscriptions, Reconciler reconciler, Duration rateBudget) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.spaces = spaces;
    this.members = members;
    this.rooms = rooms;
    this.cobot = cobot;
    this.subscriptions = subscriptions;
    this.reconciler = reconciler;
    this.rateBudget = rateBudget;
  }

  /** The page Cobot frames, as the navigation link's {@code iframe_url}. */
  public String iframeUrl() {
    return config.publicUrl() + "/embed";
  }

  /**
   * Completes the install for an admin who signed in with scopes {@code read_user read_memberships
   * write_subscriptions read_subscriptions navigation}: {@code userJson} is their {@code /api/user}.
   * Returns where to send the admin (the navigation link's {@code user_url}). Fails with
   * {@link HttpProblem} 403 when the user is not an admin of the space.
   */
  public Future<String> complete(String subdomain, String adminUserToken, JsonObject userJson) {
    return complete(subdomain, adminUserToken, user(userJson));
  }

  /** As {@link #complete(String, String, JsonObject)}, with the user already read. */
  public Future<String> complete(String subdomain, String adminUserToken, CobotUser user) {
    Optional<CobotUser.AdminOf> admin = user.adminOf(subdomain);
    if (user.id() == null || user.id().isBlank()) {
      return Future.failedFuture(new IllegalStateException("Cobot's /api/user has no id"));
    }
    if (admin.isEmpty()) {
      return Future.failedFuture(new HttpProblem(403,
          "Only an admin of the space \"" + subdomain + "\" can install the chat there. Ask an admin of the space to open this page."));
    }
    String adminName = admin.get().name() == null || admin.get().name().isBlank() ? "Admin" : admin.get().name();
    return RateLimited.call(vertx, rateBudget, () -> cobot.space(subdomain))
        .compose(space -> RateLimited.call(vertx, rateBudget, () -> cobot.spaceToken(adminUserToken, space.id()))
            .compose(token -> {
              if (token.token() == null || (token.clientId() != null && !token.clientId().equals(config.cobotClientId()))) {
                return Future.failedFuture(new IllegalStateException("Cobot returned a space token for another app"));
              }
              return store(space, token.token(), user.id(), adminName)
                  .compose(spaceId -> reconciler.withLease(spaceId, Duration.ofSeconds(30),
                      () -> setUp(spaceId, subdomain, token.token())));
            }))
        .onSuccess(url -> log.atInfo().addKeyValue("space", subdomain).log("sync: chat installed"))
        .onFailure(err -> log.atWarn().addKeyValue("space", subdomain).addKeyValue("error", err.getMessage())
            .log("sync: install failed"));
  }

  /**
   * Takes the chat out of a space: deletes this service's navigation link and subscriptions at
   * Cobot (as far as Cobot answers) and marks the space uninstalled, after which deliveries for it
   * are answered 410.
   */
  public Future<Uninstalled> uninstall(long spaceId) {
    return reconciler.withLease(spaceId, Duration.ofSeconds(30), () -> spaces.syncState(spaceId).compose(found -> {
      SpaceSync state = found.orElseThrow(() -> new HttpProblem(404, "No such space."));
      if (state.sealedToken() == null) {
        return pool.withTransaction(tx -> spaces.markUninstalled(tx, spaceId)).map(new Uninstalled(0, 0, null));
      }
      String token = config.secret().decrypt(state.sealedToken());
      String subdomain = state.space().subdomain();
      Future<Integer> links = removeLinks(subdomain, token);
      return links.compose(l -> subscriptions.removeAll(subdomain, token, state.webhookSecret())
              .map(s -> new Uninstalled(l, s, null)))
          .recover(err -> Future.succeededFuture(new Uninstalled(0, 0, err.getMessage())))
          .compose(result -> pool.withTransaction(tx -> spaces.markUninstalled(tx, spaceId)).map(result));
    })).onSuccess(r -> log.atInfo().addKeyValue("space", spaceId).addKeyValue("links", r.linksRemoved())
        .addKeyValue("subscriptions", r.subscriptionsRemoved()).addKeyValue("error", r.error())
        .log("sync: chat uninstalled"));
  }

  private Future<Long> store(CobotSpace cobotSpace, String spaceToken, String adminUserId, String adminName) {
    byte[] sealed = config.secret().encrypt(spaceToken);
    return pool.withTransaction(tx -> spaces.ensure(tx, cobotSpace.subdomain(), cobotSpace.id(),
            cobotSpace.name() == null ? cobotSpace.subdomain() : cobotSpace.name(), cobotSpace.customDomain())
        .compose(space -> spaces.storeToken(tx, space.id(), sealed)
            .compose(v -> spaces.markInstalled(tx, space.id()))
            .compose(v -> members.ensureAdmin(tx, space.id(), adminUserId, adminName))
            .map(admin -> space.id())))
        .compose(spaceId -> rooms.ensureDefaultRoom(spaceId).map(spaceId));
  }

  private Future<String> setUp(long spaceId, String subdomain, String token) {
    return ensureLink(spaceId, subdomain, token)
        .compose(userUrl -> spaces.syncState(spaceId).map(Optional::orElseThrow)
            .compose(state -> subscriptions.ensure(subdomain, token, state.webhookSecret()))
            .compose(created -> reconciler.importMembers(spaceId, subdomain, token))
            .compose(report -> spaces.recordReconcile(spaceId, null))
            .map(userUrl));
  }

  private Future<String> ensureLink(long spaceId, String subdomain, String token) {
    String iframe = iframeUrl();
    return RateLimited.call(vertx, rateBudget, () -> cobot.listNavigationLinks(subdomain, token))
        .compose(links -> {
          Optional<CobotNavigationLink> same = links.stream()
              .filter(l -> LINK_SECTION.equals(l.section()) && iframe.equals(l.iframeUrl())).findFirst();
          return same.isPresent() ? Future.succeededFuture(same.get())
              : RateLimited.call(vertx, rateBudget,
                  () -> cobot.createNavigationLink(subdomain, token, LINK_SECTION, LINK_LABEL, iframe));
        })
        .compose(link -> pool.withTransaction(tx -> spaces.setNavLink(tx, spaceId, link.url(), link.userUrl()))
            .map(link.userUrl()));
  }

  private Future<Integer> removeLinks(String subdomain, String token) {
    String iframe = iframeUrl();
    return RateLimited.call(vertx, rateBudget, () -> cobot.listNavigationLinks(subdomain, token)).compose(links -> {
      List<CobotNavigationLink> ours = links.stream().filter(l -> iframe.equals(l.iframeUrl())).toList();
      Future<Void> chain = Future.succeededFuture();
      for (CobotNavigationLink l : ours) {
        chain = chain.compose(v -> RateLimited.call(vertx, rateBudget, () -> cobot.deleteNavigationLink(l.url(), token)));
      }
      return chain.map(ours.size());
    });
  }

  /** Reads the parts of {@code /api/user} the install needs. */
  static CobotUser user(JsonObject json) {
    List<CobotUser.AdminOf> adminOf = json.getJsonArray("admin_of", new JsonArray()).stream()
        .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
        .map(a -> new CobotUser.AdminOf(a.getString("space_subdomain"), a.getString("space_name"), a.getString("name")))
        .toList();
    Object id = json.getValue("id");
    return new CobotUser(id == null ? null : String.valueOf(id), json.getString("email"), List.of(), adminOf);
  }
}
