package com.cobotchat.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark tool works (not how fast anything is): tiny end-to-end and reconnect runs against an in-process node. */
@DisplayName("Benchmark smoke test")
class BenchSmokeTest {
  static BenchNode node;
  static LoadTool tool;
  static final List<String> lines = new ArrayList<>();

  @BeforeAll
  static void start() {
    node = BenchNode.start(0, 0);
    tool = new LoadTool(1);
  }

  @AfterAll
  static void stop() {
    tool.close();
    node.close();
  }

  @Test
  @DisplayName("end to end at tiny size delivers every message to the other members and loses none")
  void end_to_end_delivers_everything() {
    Target target = Target.inProcess(node);
    JsonObject result = new Scenarios(tool, lines::add).endToEnd(target, 40, 20, new double[] {20}, 1_000, 5_000);

    JsonObject step = result.getJsonArray("steps").getJsonObject(0);
    assertThat(step.getLong("sent")).isGreaterThan(5);
    assertThat(step.getLong("delivered")).isEqualTo(step.getLong("sent") * 19);
    assertThat(step.getLong("missing")).isZero();
    assertThat(step.getLong("acked")).isEqualTo(step.getLong("sent"));
    assertThat(step.getJsonObject("latency").getLong("count")).isEqualTo(step.getLong("delivered"));
    assertThat(result.getLong("lost")).isZero();
    assertThat(result.getLong("messagesInDatabase")).isEqualTo(result.getLong("acked"));
    assertThat(lines).anyMatch(l -> l.contains("send→delivered p50"));
  }

  @Test
  @DisplayName("a small reconnect storm catches every client up with after and loses nothing")
  void reconnect_storm_loses_nothing() {
    Target target = Target.inProcess(node);
    JsonObject result = new Scenarios(tool, lines::add).reconnectStorm(target, 40, 20, 800, 500, 500, 10_000);

    assertThat(result.getLong("caughtUp")).isEqualTo(40);
    assertThat(result.getLong("lost")).isZero();
    assertThat(result.getLong("duplicates")).isZero();
    assertThat(result.getLong("failedReconnects")).isZero();
    assertThat(result.getLong("eventsReplayed")).isPositive();
  }
}
