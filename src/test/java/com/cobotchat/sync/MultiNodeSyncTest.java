package com.cobotchat.sync;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.simulator.Delivery;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Two nodes on one database share the inbox and the reconciliation")
class MultiNodeSyncTest {
  static SyncWorld world;
  static Application second;
  static String secondUrl;

  @BeforeAll
  static void start() {
    world = new SyncWorld("multinode");
    int port = TestConfigs.freePort();
    Map<String, String> env = new HashMap<>(world.env());
    env.put("PORT", Integer.toString(port));
    secondUrl = "http://127.0.0.1:" + port;
    second = Application.start(AppConfig.fromEnv(env), l -> { }, world.sim.clock());
  }

  @AfterAll
  static void stop() {
    second.stop();
    world.close();
  }

  @Test
  void deliveries_sent_to_both_nodes_are_each_applied_once() {
    SyncWorld.TestSpace s = world.installedSpace();
    Http http = new Http();
    String secret = world.webhookSecret(s.id());
    world.sim.pauseWebhooks(true);
    List<SimMember> added = new ArrayList<>();
    long expectedAnswers = 0;
    try {
      for (int i = 0; i < 20; i++) {
        added.add(world.sim.addMember(s.subdomain(), "Member " + i, "Flex Desk"));
      }
      for (int round = 0; round < 3; round++) {
        for (SimMember m : added) {
          JsonObject body = new JsonObject().put("url", world.sim.membershipUrl(s.subdomain(), m.membershipId()));
          for (String base : List.of(world.publicUrl, secondUrl)) {
            assertThat(http.postJson(base + "/hooks/cobot/" + secret + "/confirmed_membership", null, body).status())
                .isEqualTo(202);
          }
        }
      }
      world.settle(s.id());
      expectedAnswers = answered() + world.sim.heldDeliveries();
    } finally {
      world.sim.pauseWebhooks(false);
    }
    long expected = expectedAnswers;
    SyncWorld.awaitUntil("the simulator's held deliveries answered", () -> answered() >= expected, Duration.ofSeconds(10));
    world.settle(s.id());
    for (SimMember m : added) {
      assertThat(world.member(s.id(), m.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);
      long changes = world.count("""
          SELECT count(DISTINCT lease_token) FROM webhook_inbox
           WHERE space_id = $1 AND membership_id = $2 AND outcome = 'changed'""", s.id(), m.membershipId());
      assertThat(changes).as(m.name() + " applied with a change once").isEqualTo(1);
      long joins = world.count("""
          SELECT count(*) FROM room_events e JOIN members me ON me.id = e.subject_id
           WHERE me.space_id = $1 AND me.membership_id = $2 AND e.kind = 'member_joined'""", s.id(), m.membershipId());
      assertThat(joins).isEqualTo(1);
    }
    assertThat(world.count("SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND attempts <> 1", s.id()))
        .as("no row was taken twice").isZero();
  }

  private static long answered() {
    return world.sim.deliveries().stream().filter(Delivery::succeeded).count();
  }

  @Test
  void the_two_nodes_never_reconcile_one_space_at_the_same_time() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.delayResponses(Duration.ofMillis(300));
    try {
      Future<Reconciler.Report> a = world.sync().reconciler().reconcile(s.id());
      SyncWorld.awaitUntil("first node holds the lease", () -> world.count(
          "SELECT count(*) FROM spaces WHERE id = $1 AND sync_lease_until > now()", s.id()) == 1, Duration.ofSeconds(5));
      Future<Reconciler.Report> b = second.services().sync().reconciler().reconcile(s.id());
      org.assertj.core.api.Assertions.assertThatThrownBy(b::await)
          .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(409));
      assertThat(a.await().listed()).isGreaterThanOrEqualTo(1);
    } finally {
      world.sim.delayResponses(Duration.ZERO);
    }
    assertThat(second.services().sync().reconciler().reconcile(s.id()).await().listed()).isGreaterThanOrEqualTo(1);
  }
}
