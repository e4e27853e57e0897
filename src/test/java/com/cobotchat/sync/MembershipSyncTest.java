package com.cobotchat.sync;

import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimSubscription;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Membership sync from Cobot's webhooks and reconciliation")
class MembershipSyncTest {
  static SyncWorld world;

  @BeforeAll
  static void start() {
    world = new SyncWorld("msync");
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  static boolean active(Member m) {
    return m.status() == MemberStatus.ACTIVE;
  }

  @Test
  void a_confirmed_member_is_admitted() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    Member m = world.awaitMember(s.id(), anna.membershipId(), MembershipSyncTest::active, "anna active");
    assertThat(m.cobotUserId()).isEqualTo(anna.userId());
    assertThat(m.name()).isEqualTo("Anna Arendt");
    assertThat(m.planName()).isEqualTo("Flex Desk");
    assertThat(m.mayChat()).isTrue();
  }

  @Test
  void a_member_without_a_user_account_is_admitted_only_after_connected_user() {
    SyncWorld.TestSpace s = world.installedSpace();
    String carla = world.sim.addMembership(s.subdomain(), null, "Carla Contact", "Flex Desk");
    world.sim.confirm(carla);
    Member pending = world.awaitMember(s.id(), carla, m -> m.status() == MemberStatus.PENDING, "carla pending");
    world.settle(s.id());
    assertThat(pending.mayChat()).isFalse();
    assertThat(world.member(s.id(), carla).orElseThrow().status()).isEqualTo(MemberStatus.PENDING);

    String userId = world.sim.createUser("Carla Contact", "carla@example.com");
    world.sim.connectUser(carla, userId);
    Member admitted = world.awaitMember(s.id(), carla, MembershipSyncTest::active, "carla active");
    assertThat(admitted.cobotUserId()).isEqualTo(userId);
    assertThat(admitted.mayChat()).isTrue();
  }

  @Test
  void a_cancellation_keeps_the_member_until_the_last_day_has_passed_and_uncancel_restores() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    Member admitted = world.awaitMember(s.id(), ben.membershipId(), MembershipSyncTest::active, "ben active");
    String session = world.app().services().sessions().create(admitted.id()).await().token();

    LocalDate lastDay = world.sim.today().plusDays(3);
    world.sim.cancel(ben.membershipId(), lastDay);
    Member canceled = world.awaitMember(s.id(), ben.membershipId(), m -> lastDay.equals(m.canceledTo()), "cancellation seen");
    world.settle(s.id());
    assertThat(canceled.status()).as("still a member until " + lastDay).isEqualTo(MemberStatus.ACTIVE);
    assertThat(world.app().services().sessions().memberOf(session).await()).isPresent();

    world.sim.advanceClock(Duration.ofDays(3));
    world.settle(s.id());
    assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status()).as("on the last day").isEqualTo(MemberStatus.ACTIVE);

    world.sim.advanceClock(Duration.ofDays(1));
    Member ended = world.awaitMember(s.id(), ben.membershipId(), m -> m.status() == MemberStatus.ENDED, "ben ended");
    assertThat(ended.mayChat()).isFalse();
    assertThat(world.app().services().sessions().memberOf(session).await()).as("sessions revoked").isEmpty();

    world.sim.uncancel(ben.membershipId());
    Member restored = world.awaitMember(s.id(), ben.membershipId(), MembershipSyncTest::active, "ben restored");
    assertThat(restored.canceledTo()).isNull();
  }

  @Test
  void members_past_their_last_day_are_removed_even_without_a_delivery() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    LocalDate lastDay = world.sim.today().plusDays(1);
    world.sim.cancel(ben.membershipId(), lastDay);
    world.awaitMember(s.id(), ben.membershipId(), m -> lastDay.equals(m.canceledTo()), "cancellation seen");
    world.settle(s.id());

    world.sim.pauseWebhooks(true);
    try {
      world.sim.advanceClock(Duration.ofDays(2));
      assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);
      assertThat(world.sync().reconciler().sweepDue(s.id()).await()).isEqualTo(1);
      assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ENDED);
    } finally {
      world.sim.pauseWebhooks(false);
    }
    world.settle(s.id());
    assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ENDED);
  }

  @Test
  void the_same_delivery_ten_times_gives_one_change() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.pauseWebhooks(true);
    SimMember anna;
    try {
      anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
      for (int i = 0; i < 10; i++) {
        assertThat(world.deliver(s, "confirmed_membership", anna.membershipId())).isEqualTo(202);
      }
      world.settle(s.id());
    } finally {
      world.sim.pauseWebhooks(false);
    }
    world.settle(s.id());
    List<Row> rows = world.rows("""
        SELECT lease_token, outcome FROM webhook_inbox WHERE space_id = $1 AND membership_id = $2""", s.id(),
        anna.membershipId());
    assertThat(rows).hasSizeGreaterThanOrEqualTo(10);
    assertThat(rows.stream().filter(r -> "changed".equals(r.getString("outcome"))).map(r -> r.getString("lease_token"))
        .distinct().count()).as("applications that changed something").isEqualTo(1);
    assertThat(world.count("SELECT count(*) FROM members WHERE space_id = $1 AND membership_id = $2", s.id(),
        anna.membershipId())).isEqualTo(1);
    assertThat(world.member(s.id(), anna.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);
  }

  @Test
  void deliveries_in_reversed_order_end_in_the_state_cobot_reports() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    world.awaitMember(s.id(), ben.membershipId(), MembershipSyncTest::active, "ben active");
    world.settle(s.id());

    world.sim.pauseWebhooks(true);
    try {
      world.sim.cancel(ben.membershipId(), world.sim.today().minusDays(1));
      world.sim.uncancel(ben.membershipId());
      world.sim.rename(ben.membershipId(), "Ben B. Becker");
      world.sim.cancel(ben.membershipId(), world.sim.today().minusDays(1));
      List<String> events = List.of("canceled_membership", "membership_cancellation_date_reached",
          "uncanceled_membership", "updated_membership_details", "canceled_membership");
      List<String> reversed = new java.util.ArrayList<>(events);
      java.util.Collections.reverse(reversed);
      for (String event : reversed) {
        world.deliver(s, event, ben.membershipId());
      }
      world.settle(s.id());
      Member m = world.member(s.id(), ben.membershipId()).orElseThrow();
      assertThat(m.status()).isEqualTo(MemberStatus.ENDED);
      assertThat(m.name()).isEqualTo("Ben B. Becker");

      world.sim.uncancel(ben.membershipId());
      world.deliver(s, "canceled_membership", ben.membershipId());
      world.settle(s.id());
      assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status())
          .as("a late cancellation delivery after Cobot undid it").isEqualTo(MemberStatus.ACTIVE);
    } finally {
      world.sim.pauseWebhooks(false);
    }
    world.settle(s.id());
    Member m = world.member(s.id(), ben.membershipId()).orElseThrow();
    assertThat(m.status()).isEqualTo(MemberStatus.ACTIVE);
    assertThat(m.canceledTo()).isNull();
  }

  @Test
  void a_deleted_membership_loses_access_and_its_sessions() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    Member m = world.awaitMember(s.id(), anna.membershipId(), MembershipSyncTest::active, "anna active");
    String session = world.app().services().sessions().create(m.id()).await().token();
    world.app().services().tickets().issue(m.id(), null).await();

    world.sim.deleteMembership(anna.membershipId());
    world.awaitMember(s.id(), anna.membershipId(), x -> x.status() == MemberStatus.ENDED, "anna ended");
    assertThat(world.app().services().sessions().memberOf(session).await()).isEmpty();
    assertThat(world.count("SELECT count(*) FROM ws_tickets WHERE member_id = $1", m.id())).isZero();
  }

  @Test
  void name_picture_and_plan_follow_cobot() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    Member before = world.awaitMember(s.id(), anna.membershipId(), MembershipSyncTest::active, "anna active");
    world.sim.rename(anna.membershipId(), "Anna Schmidt");
    world.sim.changePicture(anna.membershipId());
    world.sim.changePlan(anna.membershipId(), "Fixed Desk");
    Member after = world.awaitMember(s.id(), anna.membershipId(), m -> "Anna Schmidt".equals(m.name())
        && "Fixed Desk".equals(m.planName()) && !before.avatarUrl().equals(m.avatarUrl()), "anna updated");
    assertThat(after.status()).isEqualTo(MemberStatus.ACTIVE);
  }

  @Test
  void deliveries_lost_while_the_receiver_was_down_are_repaired_by_reconciliation() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    world.awaitMember(s.id(), anna.membershipId(), MembershipSyncTest::active, "anna active");
    world.awaitMember(s.id(), ben.membershipId(), MembershipSyncTest::active, "ben active");

    world.sim.failWebhooks(503);
    SimMember carl;
    try {
      carl = world.sim.addMember(s.subdomain(), "Carl Clausen", "Flex Desk");
      world.sim.deleteMembership(anna.membershipId());
      world.sim.cancel(ben.membershipId(), world.sim.today().minusDays(1));
      SyncWorld.awaitUntil("Cobot switched the subscriptions off", () -> world.sim.subscriptions(s.subdomain()).stream()
          .filter(sub -> !sub.active()).count() >= 3, Duration.ofSeconds(10));
    } finally {
      world.sim.succeedWebhooks();
    }
    assertThat(world.member(s.id(), carl.membershipId())).isEmpty();
    assertThat(world.member(s.id(), anna.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);

    Reconciler.Report report = world.sync().reconciler().reconcile(s.id()).await();

    assertThat(report.subscriptionsRepaired()).isGreaterThanOrEqualTo(3);
    assertThat(world.sim.subscriptions(s.subdomain())).hasSize(Events.SUBSCRIBED.size()).allMatch(SimSubscription::active);
    assertThat(world.member(s.id(), carl.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ACTIVE);
    assertThat(world.member(s.id(), anna.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ENDED);
    assertThat(world.member(s.id(), ben.membershipId()).orElseThrow().status()).isEqualTo(MemberStatus.ENDED);
    assertThat(report.refetched()).as("anna and ben are no longer listed").isEqualTo(2);
    var state = world.app().services().spaces().syncState(s.id()).await().orElseThrow();
    assertThat(state.lastReconcileAt()).isNotNull();
    assertThat(state.lastSyncError()).isNull();

    SimMember dora = world.sim.addMember(s.subdomain(), "Dora Dietz", "Flex Desk");
    world.awaitMember(s.id(), dora.membershipId(), MembershipSyncTest::active, "webhooks flow again");
  }

  @Test
  void reconciliation_of_a_space_runs_once_at_a_time() {
    SyncWorld.TestSpace s = world.installedSpace();
    world.sim.delayResponses(Duration.ofMillis(300));
    try {
      var first = world.sync().reconciler().reconcile(s.id());
      SyncWorld.awaitUntil("first holds the lease", () -> world.count(
          "SELECT count(*) FROM spaces WHERE id = $1 AND sync_lease_until > now()", s.id()) == 1, Duration.ofSeconds(5));
      var second = world.sync().reconciler().reconcile(s.id());
      org.assertj.core.api.Assertions.assertThatThrownBy(second::await)
          .isInstanceOfSatisfying(com.cobotchat.web.HttpProblem.class, p -> assertThat(p.status()).isEqualTo(409));
      assertThat(first.await().listed()).isGreaterThanOrEqualTo(1);
    } finally {
      world.sim.delayResponses(Duration.ZERO);
    }
    assertThat(world.count("SELECT count(*) FROM spaces WHERE id = $1 AND sync_lease_owner IS NULL", s.id())).isEqualTo(1);
  }

  @Test
  void admins_can_reconcile_on_demand() {
    SyncWorld.TestSpace s = world.installedSpace();
    Member admin = world.member(s.id(), s.admin().membershipId()).orElseThrow();
    String token = world.pageToken(admin.id());
    var r = world.http.postJson(world.publicUrl + "/api/admin/sync/reconcile", token, new JsonObject());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("listed")).isGreaterThanOrEqualTo(1);
    var status = world.http.get(world.publicUrl + "/api/admin/sync", token).json();
    assertThat(status.getString("lastReconcileAt")).isNotNull();
    assertThat(status.getJsonObject("inbox").getLong("pending")).isNotNull();
  }
}
