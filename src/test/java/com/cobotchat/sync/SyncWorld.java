package com.cobotchat.sync;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimulatorOptions;
import com.cobotchat.testing.Await;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A simulated Cobot and one node of the service pointed at it, over real HTTP on loopback, with
 * webhook retries compressed. Each test makes its own space with {@link #space}.
 */
final class SyncWorld implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final Vertx simVertx = Vertx.vertx();
  final CobotSimulator sim;
  final DatabaseUrl db;
  final int port;
  final String publicUrl;
  final Http http = new Http();
  private final Map<String, String> env;
  private Application app;

  /** One installed space of a test: its subdomain and ids, and its admin. */
  record TestSpace(String subdomain, long id, SimMember admin) {
  }

  static SimulatorOptions fastOptions() {
    return new SimulatorOptions()
        .webhookRetryDelays(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)))
        .maxWebhookRetries(3)
        .webhookTimeout(Duration.ofSeconds(2))
        .membershipListPerWindow(1000)
        .requestsPerWindow(100_000);
  }

  SyncWorld(String name) {
    this(name, fastOptions(), Map.of());
  }

  SyncWorld(String name, SimulatorOptions options, Map<String, String> extraEnv) {
    sim = CobotSimulator.start(simVertx, options).await();
    db = TestDatabases.fresh(name);
    port = TestConfigs.freePort();
    publicUrl = "http://127.0.0.1:" + port;
    TestConfigs.registerClient(sim, publicUrl);
    env = TestConfigs.talkingTo(TestConfigs.env(db, port), sim);
    env.putAll(TestConfigs.FAST_SYNC);
    env.putAll(extraEnv);
    app = Application.start(config(), l -> { }, sim.clock());
  }

  /** The node's environment, e.g. for a node in a child process. */
  Map<String, String> env() {
    return Map.copyOf(env);
  }

  AppConfig config() {
    return AppConfig.fromEnv(env);
  }

  Application app() {
    return app;
  }

  Sync sync() {
    return app.services().sync();
  }

  Pool pool() {
    return app.services().pool();
  }

  /** Stops the node (as a crash would, without waiting for its work) and starts it again on the same port. */
  void restartNode() {
    stopNode();
    startNode();
  }

  void stopNode() {
    if (app != null) {
      app.stop();
      app = null;
    }
  }

  void startNode() {
    app = Application.start(config(), l -> { }, sim.clock());
  }

  /** A space at the simulated Cobot with an admin, not installed. */
  TestSpace space() {
    String sub = "space" + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffff);
    sim.createSpace(sub, "Space " + sub);
    SimMember admin = sim.addMember(sub, "Ada Admin", "Fixed Desk");
    sim.makeAdmin(sub, admin.userId(), "Ada");
    return new TestSpace(sub, 0, admin);
  }

  /** A space at the simulated Cobot, installed through {@link Installer#complete}. */
  TestSpace installedSpace() {
    TestSpace s = space();
    install(s);
    return new TestSpace(s.subdomain(), spaceId(s.subdomain()), s.admin());
  }

  String install(TestSpace s) {
    String token = adminToken(s);
    JsonObject user = http.get(sim.siteUrl() + "/api/user", token).json();
    return sync().installer().complete(s.subdomain(), token, user).await();
  }

  String adminToken(TestSpace s) {
    return sim.issueTokenFor(TestConfigs.CLIENT_ID, s.admin().userId(), "read_user", "read_memberships", "write_subscriptions",
        "read_subscriptions", "navigation");
  }

  long spaceId(String subdomain) {
    return app.services().spaces().findBySubdomain(subdomain).await().orElseThrow().id();
  }

  String webhookSecret(long spaceId) {
    return app.services().spaces().syncState(spaceId).await().orElseThrow().webhookSecret();
  }

  Optional<Member> member(long spaceId, String membershipId) {
    return app.services().members().findByMembership(spaceId, membershipId).await();
  }

  /** Waits until the member of that membership exists and matches. */
  Member awaitMember(long spaceId, String membershipId, java.util.function.Predicate<Member> test, String what) {
    awaitUntil(what, () -> member(spaceId, membershipId).filter(test).isPresent(), Duration.ofSeconds(10));
    return member(spaceId, membershipId).orElseThrow();
  }

  /** A page token (as the chat page carries it) for a new session of the member. */
  String pageToken(long memberId) {
    var session = app.services().sessions().create(memberId).await();
    return new com.cobotchat.sso.PageTokens(config().secret(), java.time.Clock.systemUTC()).issue(session.hash());
  }

  /** POSTs a delivery to the node as Cobot would; returns the status. */
  int deliver(long spaceId, String event, JsonObject body) {
    return http.postJson(publicUrl + "/hooks/cobot/" + webhookSecret(spaceId) + "/" + event, null, body).status();
  }

  int deliver(TestSpace s, String event, String membershipId) {
    return deliver(s.id(), event, new JsonObject().put("url", sim.membershipUrl(s.subdomain(), membershipId)));
  }

  List<Row> rows(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    pool().preparedQuery(sql).execute(Tuple.from(args)).await().forEach(out::add);
    return out;
  }

  long count(String sql, Object... args) {
    return rows(sql, args).get(0).getLong(0);
  }

  /** Open inbox rows of a space. */
  long openRows(long spaceId) {
    return count("SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND processed_at IS NULL", spaceId);
  }

  /** Waits until the simulator has no delivery in flight to this space's callbacks and the inbox is empty. */
  void settle(long spaceId) {
    awaitUntil("inbox of space " + spaceId + " drained", () -> openRows(spaceId) == 0, Duration.ofSeconds(15));
  }

  static void awaitUntil(String what, BooleanSupplier condition, Duration timeout) {
    Await.until(what, condition, timeout);
  }

  double counter(String name, String tag, String value) {
    var c = app.services().registry().find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @Override
  public void close() {
    try {
      stopNode();
    } finally {
      sim.stop().await();
      simVertx.close().await();
      TestDatabases.drop(db);
    }
  }
}
