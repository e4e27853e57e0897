package com.cobotchat.app;

import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.DemoInstaller;
import com.cobotchat.simulator.DemoSeeder;
import com.cobotchat.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Demo mode ({@code DEMO=true}): the Cobot simulator runs in this process on its own port
 * ({@code DEMO_COBOT_PORT}, default PORT+1), under the other loopback name than PUBLIC_URL
 * (127.0.0.1 when the service is {@code localhost}, else {@code localhost}) so the host page frames
 * the chat cross-site as Cobot does. It registers the OAuth client, seeds the demo space and, once
 * the service serves, installs the chat through the real install flow ({@link #installService()}).
 */
public final class DemoMode {
  private static final Logger log = LoggerFactory.getLogger(DemoMode.class);
  public static final String CLIENT_ID = "cobot-chat-demo";
  /** The scopes the install flow asks for (SPEC section 6). */
  public static final List<String> INSTALL_SCOPES = List.of("read_user", "read_memberships", "write_subscriptions",
      "read_subscriptions", "navigation");

  private final CobotSimulator simulator;
  private final DemoSeeder.DemoSpace space;
  private final String clientSecret;
  private final String publicUrl;

  private DemoMode(CobotSimulator simulator, DemoSeeder.DemoSpace space, String clientSecret, String publicUrl) {
    this.simulator = simulator;
    this.space = space;
    this.clientSecret = clientSecret;
    this.publicUrl = publicUrl;
  }

  /** The simulator port from {@code DEMO_COBOT_PORT}, default PORT+1 (0 when PORT is 0). */
  public static int portFromEnv(Map<String, String> env, AppConfig config) {
    String value = env.get("DEMO_COBOT_PORT");
    if (value == null || value.isBlank()) {
      return defaultPort(config);
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException("DEMO_COBOT_PORT must be a port number, not '" + value + "'");
    }
  }

  public static int defaultPort(AppConfig config) {
    return config.port() == 0 ? 0 : config.port() + 1;
  }

  /** Starts and seeds the simulator. Blocking: call from a plain thread. */
  public static DemoMode start(Vertx vertx, AppConfig config, int port) {
    String serviceHost = URI.create(config.publicUrl()).getHost();
    String simHost = "localhost".equalsIgnoreCase(serviceHost) ? "127.0.0.1" : "localhost";
    CobotSimulator sim = CobotSimulator.start(vertx, new SimulatorOptions().port(port).host(simHost)
        .demoControls(true)).await();
    String secret = SecretKeys.randomToken(24);
    sim.registerClient(CLIENT_ID, secret, config.publicUrl() + "/auth/cobot/callback");
    sim.setInstallHint(config.publicUrl() + "/install?space=" + DemoSeeder.SUBDOMAIN);
    DemoSeeder.DemoSpace space = DemoSeeder.seed(sim);
    log.atInfo().addKeyValue("site", sim.siteUrl()).addKeyValue("space", DemoSeeder.SUBDOMAIN)
        .log("demo: Cobot simulator started and seeded");
    return new DemoMode(sim, space, secret, config.publicUrl());
  }

  /** The configuration pointed at the simulator. */
  public AppConfig configure(AppConfig config) {
    return config.withCobot(simulator.siteUrl(), simulator.spaceUrlTemplate(), CLIENT_ID, clientSecret);
  }

  /**
   * The install hook: runs the service's real install flow for the demo space as its admin. Until
   * the install route exists (issue 6) it reports that and the host page offers the install link.
   * Blocking; call after the service serves.
   */
  public DemoInstaller.Outcome installService() {
    DemoInstaller.Outcome outcome = new DemoInstaller(simulator).install(publicUrl, DemoSeeder.SUBDOMAIN,
        space.admin().userId(), CLIENT_ID, INSTALL_SCOPES);
    log.atInfo().addKeyValue("installed", outcome.installed()).addKeyValue("detail", outcome.detail())
        .log("demo: install into the demo space");
    return outcome;
  }

  public CobotSimulator simulator() {
    return simulator;
  }

  public DemoSeeder.DemoSpace space() {
    return space;
  }

  /** The URL to open: the demo space's member area with the chat framed. */
  public String hostPageUrl() {
    return simulator.hostPageUrl(DemoSeeder.SUBDOMAIN);
  }
}
