package com.cobotchat.sync;

import com.cobotchat.simulator.RecordedRequest;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.MemberStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cobot's rate limits and Retry-After")
class RateLimitTest {
  static SyncWorld world;

  @BeforeAll
  static void start() {
    world = new SyncWorld("ratelimit", SyncWorld.fastOptions()
        .rateWindow(Duration.ofSeconds(2))
        .membershipListPerWindow(1)
        .requestsPerWindow(15), Map.of());
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void reconciliation_waits_for_retry_after_when_the_membership_list_is_limited() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.clearRequestLog();
    world.sync().reconciler().reconcile(s.id()).await();
    world.sync().reconciler().reconcile(s.id()).await();

    String list = "/space/" + s.subdomain() + "/api/memberships";
    List<RecordedRequest> lists = world.sim.requestLog().stream().filter(r -> r.path().equals(list)).toList();
    assertThat(lists).extracting(RecordedRequest::status).contains(429).endsWith(200);
    RecordedRequest limited = lists.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
    RecordedRequest after = lists.stream().filter(r -> r.status() == 200 && r.at().isAfter(limited.at())).findFirst().orElseThrow();
    assertThat(Duration.between(limited.at(), after.at())).as("waited for Retry-After").isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(lists.stream().filter(r -> r.status() == 429).count()).as("no hammering while limited").isLessThanOrEqualTo(2);
  }

  @Test
  void the_worker_puts_rows_back_until_retry_after_without_counting_a_failure() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.clearRequestLog();
    List<SimMember> added = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      added.add(world.sim.addMember(s.subdomain(), "Member " + i, "Flex Desk"));
    }
    for (SimMember m : added) {
      world.awaitMember(s.id(), m.membershipId(), x -> x.status() == MemberStatus.ACTIVE, m.name() + " active");
    }
    world.settle(s.id());
    assertThat(world.sim.requestLog()).extracting(RecordedRequest::status).as("Cobot limited us").contains(429);
    assertThat(world.count("""
        SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND event = 'confirmed_membership' AND attempts <> 1""",
        s.id())).as("429 is not a failed attempt").isZero();
  }
}
