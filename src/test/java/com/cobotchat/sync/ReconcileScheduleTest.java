package com.cobotchat.sync;

import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.MemberStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Reconciliation on a schedule")
class ReconcileScheduleTest {
  static SyncWorld world;

  @BeforeAll
  static void start() {
    world = new SyncWorld("schedule", SyncWorld.fastOptions(), Map.of("SYNC_RECONCILE_SECONDS", "2"));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void changes_whose_deliveries_never_arrived_are_picked_up_by_the_scheduled_run() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.failWebhooks(500);
    SimMember anna;
    try {
      var before = world.app().services().spaces().syncState(s.id()).await().orElseThrow().lastReconcileAt();
      anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
      world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna found by reconciliation");
      SyncWorld.awaitUntil("the run is recorded", () -> world.app().services().spaces().syncState(s.id()).await()
          .orElseThrow().lastReconcileAt().isAfter(before), Duration.ofSeconds(5));
    } finally {
      world.sim.succeedWebhooks();
    }
    assertThat(world.count("SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND membership_id = $2", s.id(),
        anna.membershipId())).as("no delivery reached the service").isZero();
  }
}
