package com.cobotchat.app;

import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the real entry point in a child JVM and checks what an operator sees when start-up cannot work. */
@DisplayName("Start-up failures an operator can read")
class StartupTest {

  record Outcome(int exitCode, List<String> stderr, String stdout) {
  }

  static Outcome run(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process ended").isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>(err.lines().filter(l -> !l.isBlank()).toList());
    return new Outcome(p.exitValue(), lines, out);
  }

  @Test
  void sigterm_stops_the_node_gracefully() throws Exception {
    var db = TestDatabases.fresh("sigterm");
    int port = TestConfigs.freePort();
    var env = TestConfigs.env(db, port);
    ProcessBuilder pb = new ProcessBuilder(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile=logback.xml", Main.class.getName());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try {
      var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.contains("ready on")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("started: %s", seen).isNotNull();
      new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s").isTrue();
      String rest = out.lines().collect(java.util.stream.Collectors.joining("\n"));
      assertThat(rest).contains("cobot-chat stopped");
      assertThat(p.exitValue()).isEqualTo(143);
    } finally {
      p.destroyForcibly();
      TestDatabases.drop(db);
    }
  }

  @Test
  void malformed_database_url_gives_one_line_and_nonzero_exit() throws Exception {
    var env = TestConfigs.env(TestDatabases.fresh("startup"), TestConfigs.freePort());
    env.put("DATABASE_URL", "mysql://root@127.0.0.1/x");
    Outcome o = run(env);
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.stderr()).hasSize(1);
    assertThat(o.stderr().get(0)).contains("DATABASE_URL").doesNotContain("Exception");
  }

  @Test
  void malformed_port_gives_one_line_and_nonzero_exit() throws Exception {
    var env = TestConfigs.env(TestDatabases.fresh("startup"), TestConfigs.freePort());
    env.put("PORT", "http");
    Outcome o = run(env);
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.stderr()).hasSize(1);
    assertThat(o.stderr().get(0)).contains("PORT").doesNotContain("Exception");
  }

  @Test
  void missing_credentials_without_demo_refuse_to_start() throws Exception {
    var env = TestConfigs.env(TestDatabases.fresh("startup"), TestConfigs.freePort());
    env.remove("COBOT_CLIENT_ID");
    Outcome o = run(env);
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.stderr()).singleElement().asString().contains("COBOT_CLIENT_ID");
  }

  @Test
  void unreachable_database_counts_down_then_exits_with_a_reason() throws Exception {
    var env = TestConfigs.env(TestDatabases.fresh("startup"), TestConfigs.freePort());
    env.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:" + TestConfigs.freePort() + "/cobot_chat");
    env.put("DATABASE_WAIT_SECONDS", "3");
    Outcome o = run(env);
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.stdout()).contains("waiting for PostgreSQL").contains("giving up in");
    assertThat(o.stderr()).singleElement().asString().contains("did not answer within 3 s").contains("DATABASE_URL");
  }
}
