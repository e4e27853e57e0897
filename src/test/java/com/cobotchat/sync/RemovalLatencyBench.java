package com.cobotchat.sync;

import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Harness, not part of the default test run (its name does not end in Test): the time from a
 * removing delivery (POSTed as Cobot would, after the membership was deleted at the simulator) to
 * the member's open WebSocket being closed with 4403, for 100 members one after the other.
 * Run: {@code mvn -B -o -q test -Dtest=RemovalLatencyBench -Dsurefire.failIfNoSpecifiedTests=false};
 * the numbers are in {@code target/removal-latency.txt}.
 */
@DisplayName("Delivery to closed socket, 100 removals")
class RemovalLatencyBench {
  static final int N = 100;

  @Test
  void delivery_to_closed_socket() throws IOException {
    Vertx clients = Vertx.vertx();
    try (SyncWorld world = new SyncWorld("latency")) {
      SyncWorld.TestSpace s = world.installedSpace();
      List<SimMember> sims = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        sims.add(world.sim.addMember(s.subdomain(), "Member " + i, i % 2 == 0 ? "Flex Desk" : "Fixed Desk"));
      }
      List<ChatClient> sockets = new ArrayList<>();
      for (SimMember m : sims) {
        Member member = world.awaitMember(s.id(), m.membershipId(), x -> x.status() == MemberStatus.ACTIVE, m.name());
        String ticket = world.app().services().tickets().issue(member.id(), null).await();
        ChatClient c = ChatClient.connect(clients, world.port, ticket, world.config().publicOrigin());
        c.next("ready");
        sockets.add(c);
      }
      world.settle(s.id());
      world.sim.pauseWebhooks(true);

      List<Long> micros = new ArrayList<>();
      List<Long> answers = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        SimMember m = sims.get(i);
        world.sim.deleteMembership(m.membershipId());
        JsonObject body = new JsonObject().put("url", world.sim.membershipUrl(s.subdomain(), m.membershipId()));
        long start = System.nanoTime();
        assertThat(world.deliver(s.id(), "deleted_membership", body)).isEqualTo(202);
        answers.add((System.nanoTime() - start) / 1000);
        assertThat(sockets.get(i).closeCode(Duration.ofSeconds(10))).isEqualTo(4403);
        micros.add((System.nanoTime() - start) / 1000);
      }
      sockets.forEach(ChatClient::close);

      List<Long> sorted = new ArrayList<>(micros);
      Collections.sort(sorted);
      Collections.sort(answers);
      String report = String.format(
          "delivery -> socket closed (4403), %d removals one at a time, one node, loopback%n"
              + "median %.1f ms, p90 %.1f ms, worst %.1f ms, best %.1f ms%n"
              + "of which the receiver's 202 answer (stored durably): median %.1f ms, worst %.1f ms%n",
          N, sorted.get(N / 2) / 1000.0, sorted.get(N * 9 / 10) / 1000.0, sorted.get(N - 1) / 1000.0, sorted.get(0) / 1000.0,
          answers.get(N / 2) / 1000.0, answers.get(N - 1) / 1000.0);
      Files.writeString(Path.of("target/removal-latency.txt"), report);
      System.out.print(report);
      assertThat(sorted.get(N - 1)).as("worst case within a second").isLessThan(1_000_000L);
    } finally {
      clients.close().await();
    }
  }
}
