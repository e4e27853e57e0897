package com.cobotchat.app;

import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotMembership;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.DemoSeeder;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Demo mode: simulator beside the service, seeded space, host page")
class DemoModeTest {

  static Map<String, String> demoEnv(DatabaseUrl db, int port) {
    Map<String, String> env = TestConfigs.env(db, port);
    env.remove("COBOT_CLIENT_ID");
    env.remove("COBOT_CLIENT_SECRET");
    env.remove("COBOT_SITE");
    env.remove("COBOT_SPACE_URL");
    env.remove("SECRET_KEY");
    env.put("DEMO", "true");
    return env;
  }

  @Test
  void demo_node_points_its_cobot_config_at_a_seeded_simulator() {
    DatabaseUrl db = TestDatabases.fresh("demo");
    AppConfig config = AppConfig.fromEnv(demoEnv(db, TestConfigs.freePort()));
    Application app = Application.start(config, line -> { }, 0);
    try {
      DemoMode demo = app.demo().orElseThrow();
      CobotSimulator sim = demo.simulator();
      AppConfig effective = app.services().config();
      assertThat(effective.cobotSite()).isEqualTo(sim.siteUrl()).startsWith("http://localhost:");
      assertThat(effective.cobotSpaceUrl()).isEqualTo(sim.spaceUrlTemplate());
      assertThat(effective.cobotClientId()).isEqualTo(DemoMode.CLIENT_ID);

      assertThat(demo.space().members()).hasSize(6);
      assertThat(demo.space().members()).filteredOn(m -> m.userId() == null).hasSize(1);
      String adminToken = sim.issueTokenFor(DemoMode.CLIENT_ID, demo.space().admin().userId(), "read_user",
          "read_memberships");
      CobotClient client = new CobotClient(app.services().vertx(), effective);
      try {
        assertThat(client.user(adminToken).await().isAdminOf(DemoSeeder.SUBDOMAIN)).isTrue();
        List<CobotMembership> members = client.memberships(DemoSeeder.SUBDOMAIN, adminToken).await();
        assertThat(members).extracting(CobotMembership::planName).containsOnly("Fixed Desk", "Flex Desk");
        assertThat(members).extracting(CobotMembership::name).contains("Lena Hoffmann", "Karl Brandt");
      } finally {
        client.close();
      }
      Http.Response host = new Http().get(demo.hostPageUrl());
      assertThat(host.status()).isEqualTo(200);
      assertThat(host.body()).as("installed at start-up: the navigation link is there")
          .contains("Kaffeehaus Coworking").contains("Demo controls").contains("Jonas Weber")
          .contains("data-section=\"members\">Chat</a>").doesNotContain("/install?space=demo");
      assertThat(sim.subscriptions(DemoSeeder.SUBDOMAIN)).isNotEmpty();
    } finally {
      app.stop();
      TestDatabases.drop(db);
    }
  }

  @Test
  void without_demo_no_simulator_runs_and_the_service_has_none_of_its_routes() throws Exception {
    DatabaseUrl db = TestDatabases.fresh("nodemo");
    int port = TestConfigs.freePort();
    Application app = Application.start(AppConfig.fromEnv(TestConfigs.env(db, port)), line -> { }, 0);
    try {
      assertThat(app.demo()).isEmpty();
      Http http = new Http();
      for (String path : List.of("/oauth/authorize", "/api/user", "/space/demo/api/memberships", "/host/demo", "/_sim/assets/host.js")) {
        assertThat(http.get("http://127.0.0.1:" + port + path).status()).as(path).isEqualTo(404);
      }
      assertThat(app.services().config().demo()).isFalse();
    } finally {
      app.stop();
      TestDatabases.drop(db);
    }
  }

  @Test
  void a_service_on_localhost_gets_a_simulator_on_127_0_0_1() {
    DatabaseUrl db = TestDatabases.fresh("demo");
    int port = TestConfigs.freePort();
    Map<String, String> env = demoEnv(db, port);
    env.put("PUBLIC_URL", "http://localhost:" + port);
    Application app = Application.start(AppConfig.fromEnv(env), line -> { }, 0);
    try {
      assertThat(app.demo().orElseThrow().hostPageUrl()).startsWith("http://127.0.0.1:");
    } finally {
      app.stop();
      TestDatabases.drop(db);
    }
  }

  @Test
  void one_command_starts_the_demo_and_prints_the_url_to_open() throws Exception {
    DatabaseUrl db = TestDatabases.fresh("demo");
    Map<String, String> env = demoEnv(db, TestConfigs.freePort());
    env.put("DEMO_COBOT_PORT", Integer.toString(TestConfigs.freePort()));
    ProcessBuilder pb = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        r.lines().forEach(lines::add);
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      Pattern ready = Pattern.compile("demo ready after ([0-9.]+) s\\. Open (http://\\S+)");
      Matcher match = null;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (match == null && System.nanoTime() < end) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line != null) {
          Matcher m = ready.matcher(line);
          if (m.find()) {
            match = m;
          }
        }
      }
      assertThat(match).as("ready line printed").isNotNull();
      String url = match.group(2);
      assertThat(url).isEqualTo("http://localhost:" + env.get("DEMO_COBOT_PORT") + "/host/demo");
      assertThat(new Http().get(url).body()).contains("Kaffeehaus Coworking");
      System.out.println("demo ready after " + match.group(1) + " s");
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      TestDatabases.drop(db);
    }
  }
}
