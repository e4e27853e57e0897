package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.app.AppConfig;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.sso.Authenticator;
import com.cobotchat.sso.Csrf;
import com.cobotchat.sso.OAuthStates;
import com.cobotchat.sso.Sessions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The membership sync of one node: webhook receiver, inbox worker, reconciliation, installer and
 * the admin API, wired once at start-up. Safe with several nodes on one database.
 */
public final class Sync {
  /** How long the install and the reconciliation wait in total for Cobot's rate limits. */
  static final Duration RATE_BUDGET = Duration.ofMinutes(3);

  private final SyncSettings settings;
  private final Inbox inbox;
  private final SyncWorker worker;
  private final Reconciler reconciler;
  private final Installer installer;
  private final InstallFlow installFlow;
  private final WebhookReceiver receiver;
  private final SpaceRepository spaces;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong failing = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong maxAttempts = new AtomicLong();

  public Sync(AppConfig config, Vertx vertx, Pool pool, SpaceRepository spaces, MemberRepository members, Sessions sessions,
      RoomMembership rooms, CobotClient cobot, Clock clock, MeterRegistry registry) {
    this.settings = config.sync();
    this.inbox = new Inbox(pool);
    MembershipApplier applier = new MembershipApplier(members, sessions, rooms);
    Subscriptions subscriptions = new Subscriptions(vertx, cobot, config.publicUrl(), RATE_BUDGET);
    this.worker = new SyncWorker(pool, inbox, spaces, applier, rooms, cobot, config.secret(), config::spaceBase, settings,
        clock, registry);
    this.reconciler = new Reconciler(vertx, pool, spaces, members, inbox, applier, rooms, cobot, subscriptions,
        config.secret(), settings, clock, RATE_BUDGET, registry);
    this.installer = new Installer(vertx, config, pool, spaces, members, rooms, cobot, subscriptions, reconciler,
        RATE_BUDGET);
    this.installFlow = new InstallFlow(config, new OAuthStates(pool, config.secret()), cobot, installer);
    this.receiver = new WebhookReceiver(spaces, inbox, config::spaceBase, worker::wake, registry);
    this.spaces = spaces;
    Gauge.builder("sync_inbox_rows", pending, AtomicLong::get).description("Webhook deliveries in the inbox by state")
        .tag("state", "pending").register(registry);
    Gauge.builder("sync_inbox_rows", failing, AtomicLong::get).description("Webhook deliveries in the inbox by state")
        .tag("state", "failing").register(registry);
    Gauge.builder("sync_inbox_rows", ignored, AtomicLong::get).description("Webhook deliveries in the inbox by state")
        .tag("state", "ignored_last_day").register(registry);
    Gauge.builder("sync_inbox_max_attempts", maxAttempts, AtomicLong::get)
        .description("Most attempts of any delivery not yet applied").register(registry);
  }

  /** Starts the node's worker and timers. */
  public Future<String> deploy(Vertx vertx) {
    return vertx.deployVerticle(new SyncVerticle(this), new DeploymentOptions().setInstances(1));
  }

  void refreshGauges() {
    inbox.counts().onSuccess(c -> {
      pending.set(c.pending());
      failing.set(c.failing());
      ignored.set(c.ignored());
      maxAttempts.set(c.maxAttempts());
    });
  }

  public SyncSettings settings() {
    return settings;
  }

  public Inbox inbox() {
    return inbox;
  }

  public SyncWorker worker() {
    return worker;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  public Installer installer() {
    return installer;
  }

  public InstallFlow installFlow() {
    return installFlow;
  }

  public WebhookReceiver receiver() {
    return receiver;
  }

  /** The admin API handlers, with the sign-in's request authentication and CSRF check. */
  public SyncAdmin admin(Authenticator auth, Csrf csrf) {
    return new SyncAdmin(spaces, inbox, reconciler, installer, auth, csrf);
  }
}
