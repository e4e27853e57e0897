package com.cobotchat.app;

import com.cobotchat.chat.ChatNode;
import com.cobotchat.chat.LocalChatBus;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.sso.Sessions;
import com.cobotchat.sso.Tickets;
import com.cobotchat.sync.Sync;
import com.cobotchat.web.Errors;
import com.cobotchat.web.SecurityHeaders;
import com.cobotchat.web.Templates;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Consumer;

/**
 * One running node of the service: prepares the database, builds Vert.x with Prometheus metrics,
 * deploys one HTTP verticle per event loop. Used by {@link Main} and by the integration tests.
 */
public final class Application {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  private final Services services;
  private final DemoMode demo;

  private Application(Services services, DemoMode demo) {
    this.services = services;
    this.demo = demo;
  }

  /** Starts a node; blocks until it serves. Call from a plain thread (main or a test), not an event loop. */
  public static Application start(AppConfig config, Consumer<String> progress) {
    return start(config, progress, DemoMode.defaultPort(config), null);
  }

  /**
   * As {@link #start(AppConfig, Consumer)}, with the clock that decides which day it is for
   * membership dates (a test passes the simulator's clock, so that a cancellation date passes when
   * the simulated Cobot says it does).
   */
  public static Application start(AppConfig config, Consumer<String> progress, Clock clock) {
    return start(config, progress, DemoMode.defaultPort(config), clock);
  }

  /**
   * Starts a node; in demo mode the Cobot simulator listens on {@code demoCobotPort} (0 = any) and
   * the configuration is pointed at it, and once the node serves the chat is installed into the demo space.
   */
  public static Application start(AppConfig requested, Consumer<String> progress, int demoCobotPort) {
    return start(requested, progress, demoCobotPort, null);
  }

  private static Application start(AppConfig requested, Consumer<String> progress, int demoCobotPort, Clock fixedClock) {
    AppConfig config = requested;
    new DatabaseBootstrap(config.database(), config.databaseWaitSeconds(), progress).prepare();

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    DemoMode demo = null;
    if (config.demo()) {
      try {
        demo = DemoMode.start(vertx, config, demoCobotPort);
      } catch (RuntimeException e) {
        vertx.close().await();
        throw e;
      }
      config = demo.configure(config);
      progress.accept("demo: Cobot simulator on " + demo.simulator().siteUrl());
    }
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(8).setName("cobot-chat").setConnectionTimeout(3).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
        .connectingTo(config.database().connectOptions())
        .using(vertx)
        .build();
    Templates templates = new Templates();
    SpaceRepository spaces = new SpaceRepository(pool);
    MemberRepository members = new MemberRepository(pool);
    Sessions sessions = new Sessions(pool);
    CobotClient cobot = new CobotClient(vertx, config, registry, CobotClient.DEFAULT_TIMEOUT);
    ChatNode chat = new ChatNode(vertx, pool, registry, new LocalChatBus(vertx));
    Clock clock = fixedClock != null ? fixedClock : demo != null ? demo.simulator().clock() : Clock.systemUTC();
    Sync sync = new Sync(config, vertx, pool, spaces, members, sessions, chat.membership(), cobot, clock, registry);
    Services services = new Services(config, vertx, pool, registry, templates, new Errors(templates),
        new SecurityHeaders(config.frameAncestors(), config.publicOrigin()),
        spaces, members, sessions, new Tickets(pool), chat, clock, cobot, sync);
    Application app = new Application(services, demo);
    try {
      app.deploy().await();
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
    log.atInfo().addKeyValue("port", config.port()).addKeyValue("publicUrl", config.publicUrl())
        .log("cobot-chat is serving");
    if (demo != null) {
      progress.accept("demo: installing the chat into the demo space: " + demo.installService().detail());
    }
    return app;
  }

  private Future<?> deploy() {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return services.vertx().deployVerticle(() -> new HttpVerticle(services), new DeploymentOptions().setInstances(instances))
        .compose(id -> services.sync().deploy(services.vertx()));
  }

  public Services services() {
    return services;
  }

  /** Demo mode's simulator and seeded space, when {@code DEMO=true}. */
  public java.util.Optional<DemoMode> demo() {
    return java.util.Optional.ofNullable(demo);
  }

  /** Graceful stop: stop accepting, close sockets with "going away", finish in-flight work, close the pool. */
  public void stop() {
    Vertx vertx = services.vertx();
    vertx.deploymentIDs().stream().map(vertx::undeploy).toList()
        .forEach(f -> f.recover(err -> Future.succeededFuture()).await());
    services.chat().close().recover(err -> Future.succeededFuture()).await();
    services.pool().close().recover(err -> Future.succeededFuture()).await();
    vertx.close().await();
    log.info("cobot-chat stopped");
  }
}
