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

  private Application(Services services) {
    this.services = services;
  }

  /** Starts a node; blocks until it serves. Call from a plain thread (main or a test), not an event loop. */
  public static Application start(AppConfig config, Consumer<String> progress) {
    return start(config, progress, Clock.systemUTC());
  }

  /**
   * As {@link #start(AppConfig, Consumer)}, with the clock that decides which day it is for
   * membership dates (a test or the demo passes the simulator's clock, so that a cancellation date
   * passes when the simulated Cobot says it does).
   */
  public static Application start(AppConfig config, Consumer<String> progress, Clock clock) {
    new DatabaseBootstrap(config.database(), config.databaseWaitSeconds(), progress).prepare();

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
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
    Sync sync = new Sync(config, vertx, pool, spaces, members, sessions, chat.membership(), cobot, clock, registry);
    Services services = new Services(config, vertx, pool, registry, templates, new Errors(templates),
        new SecurityHeaders(config.frameAncestors(), config.publicOrigin()),
        spaces, members, sessions, new Tickets(pool), chat, clock, cobot, sync);
    Application app = new Application(services);
    try {
      app.deploy().await();
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
    log.atInfo().addKeyValue("port", config.port()).addKeyValue("publicUrl", config.publicUrl())
        .log("cobot-chat is serving");
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
