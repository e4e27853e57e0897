package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Rooms follow Cobot memberships")
class RoomSyncTest {
  static SyncWorld world;
  static Vertx clients;

  @BeforeAll
  static void start() {
    world = new SyncWorld("rooms");
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    world.close();
  }

  static RoomMembership rooms() {
    return world.app().services().chat().membership();
  }

  /** Room name by id → source, for one member. */
  static Map<String, String> roomsOf(long memberId) {
    return world.rows("""
        SELECT r.name, rm.source FROM room_members rm JOIN rooms r ON r.id = rm.room_id WHERE rm.member_id = $1""", memberId)
        .stream().collect(Collectors.toMap(r -> r.getString("name"), r -> r.getString("source")));
  }

  static long adminId(SyncWorld.TestSpace s) {
    return world.member(s.id(), s.admin().membershipId()).orElseThrow().id();
  }

  static long room(SyncWorld.TestSpace s, String name, String... plans) {
    return rooms().createRoom(adminId(s), name, "channel",
        plans.length == 0 ? RoomMembership.AutoJoin.NONE : new RoomMembership.AutoJoin("plans", List.of(plans))).await();
  }

  static Member active(SyncWorld.TestSpace s, SimMember m) {
    return world.awaitMember(s.id(), m.membershipId(), x -> x.status() == MemberStatus.ACTIVE, m.name() + " active");
  }

  @Test
  void install_creates_the_default_room_with_the_current_members() {
    SyncWorld.TestSpace s = world.space();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    world.install(s);
    long spaceId = world.spaceId(s.subdomain());
    assertThat(world.count("SELECT count(*) FROM rooms WHERE space_id = $1 AND is_default", spaceId)).isEqualTo(1);
    assertThat(roomsOf(world.member(spaceId, anna.membershipId()).orElseThrow().id())).containsEntry("general", "rule");
    assertThat(roomsOf(world.member(spaceId, s.admin().membershipId()).orElseThrow().id())).containsKey("general");
    world.install(s);
    assertThat(world.count("SELECT count(*) FROM rooms WHERE space_id = $1", spaceId)).as("install twice").isEqualTo(1);
  }

  @Test
  void a_confirmed_member_joins_the_default_room_and_the_rooms_of_their_plan() {
    SyncWorld.TestSpace s = world.installedSpace();
    room(s, "fixed-desks", "Fixed Desk");
    room(s, "flex-desks", "Flex Desk");
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    Member m = active(s, ben);
    world.settle(s.id());
    assertThat(roomsOf(m.id())).containsOnly(Map.entry("general", "rule"), Map.entry("fixed-desks", "rule"));
    assertThat(world.count("SELECT count(*) FROM room_events WHERE subject_id = $1 AND kind = 'member_joined'", m.id()))
        .isEqualTo(2);
  }

  @Test
  void a_member_without_a_user_account_joins_no_room_until_connected_user() {
    SyncWorld.TestSpace s = world.installedSpace();
    String carla = world.sim.addMembership(s.subdomain(), null, "Carla Contact", "Flex Desk");
    world.sim.confirm(carla);
    Member pending = world.awaitMember(s.id(), carla, m -> m.status() == MemberStatus.PENDING, "carla pending");
    world.settle(s.id());
    assertThat(roomsOf(pending.id())).isEmpty();
    world.sim.connectUser(carla, world.sim.createUser("Carla Contact", "carla@example.com"));
    Member admitted = world.awaitMember(s.id(), carla, m -> m.status() == MemberStatus.ACTIVE, "carla active");
    world.settle(s.id());
    assertThat(roomsOf(admitted.id())).containsOnlyKeys("general");
  }

  @Test
  void the_same_delivery_ten_times_joins_each_room_once() {
    SyncWorld.TestSpace s = world.installedSpace();
    room(s, "fixed-desks", "Fixed Desk");
    world.sim.pauseWebhooks(true);
    SimMember ben;
    try {
      ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
      for (int i = 0; i < 10; i++) {
        world.deliver(s, "confirmed_membership", ben.membershipId());
      }
      world.settle(s.id());
    } finally {
      world.sim.pauseWebhooks(false);
    }
    world.settle(s.id());
    long id = world.member(s.id(), ben.membershipId()).orElseThrow().id();
    assertThat(world.count("SELECT count(*) FROM room_events WHERE subject_id = $1", id)).isEqualTo(2);
    assertThat(roomsOf(id)).hasSize(2);
  }

  @Test
  void a_plan_change_moves_rule_rooms_and_keeps_manual_ones() {
    SyncWorld.TestSpace s = world.installedSpace();
    long fixed = room(s, "fixed-desks", "Fixed Desk");
    room(s, "flex-desks", "Flex Desk");
    long book = room(s, "book-club");
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    Member m = active(s, ben);
    world.settle(s.id());
    rooms().addMember(adminId(s), book, m.id()).await();
    assertThat(roomsOf(m.id())).containsOnlyKeys("general", "fixed-desks", "book-club");

    world.sim.changePlan(ben.membershipId(), "Flex Desk");
    SyncWorld.awaitUntil("ben moved to flex-desks", () -> roomsOf(m.id()).containsKey("flex-desks"), Duration.ofSeconds(10));
    world.settle(s.id());
    assertThat(roomsOf(m.id())).containsOnly(Map.entry("general", "rule"), Map.entry("flex-desks", "rule"),
        Map.entry("book-club", "manual"));

    rooms().addMember(adminId(s), fixed, m.id()).await();
    world.deliver(s, "updated_membership_details", ben.membershipId());
    world.settle(s.id());
    assertThat(roomsOf(m.id())).as("a manual add is not taken away by a rule").containsEntry("fixed-desks", "manual");
    world.sync().reconciler().reconcile(s.id()).await();
    assertThat(roomsOf(m.id())).containsEntry("fixed-desks", "manual").containsEntry("book-club", "manual");
  }

  @Test
  void an_admins_manual_removal_is_not_undone_by_the_next_sync() {
    SyncWorld.TestSpace s = world.installedSpace();
    long fixed = room(s, "fixed-desks", "Fixed Desk");
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    Member m = active(s, ben);
    world.settle(s.id());
    rooms().removeMember(adminId(s), fixed, m.id()).await();

    world.sim.rename(ben.membershipId(), "Ben B.");
    world.awaitMember(s.id(), ben.membershipId(), x -> "Ben B.".equals(x.name()), "rename seen");
    world.settle(s.id());
    world.sync().reconciler().reconcile(s.id()).await();
    assertThat(roomsOf(m.id())).containsOnlyKeys("general");
  }

  @Test
  void removal_leaves_every_room_and_restoration_rejoins_the_rule_rooms() {
    SyncWorld.TestSpace s = world.installedSpace();
    long book = room(s, "book-club");
    room(s, "fixed-desks", "Fixed Desk");
    SimMember ben = world.sim.addMember(s.subdomain(), "Ben Becker", "Fixed Desk");
    Member m = active(s, ben);
    world.settle(s.id());
    rooms().addMember(adminId(s), book, m.id()).await();

    world.sim.cancel(ben.membershipId(), world.sim.today().minusDays(1));
    world.awaitMember(s.id(), ben.membershipId(), x -> x.status() == MemberStatus.ENDED, "ben ended");
    world.settle(s.id());
    assertThat(roomsOf(m.id())).isEmpty();
    assertThat(world.count("SELECT count(*) FROM room_events WHERE subject_id = $1 AND kind = 'member_left'", m.id()))
        .isEqualTo(3);

    world.sim.reactivate(ben.membershipId());
    world.awaitMember(s.id(), ben.membershipId(), x -> x.status() == MemberStatus.ACTIVE, "ben reactivated");
    world.settle(s.id());
    assertThat(roomsOf(m.id())).containsOnlyKeys("general", "fixed-desks");
  }

  @Test
  void open_sockets_are_closed_with_4403_within_a_second_of_the_removing_delivery() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    Member m = active(s, anna);
    world.settle(s.id());
    ChatClient first = open(m);
    ChatClient second = open(m);
    try {
      long start = System.nanoTime();
      world.sim.deleteMembership(anna.membershipId());
      assertThat(first.closeCode(Duration.ofSeconds(1))).isEqualTo(4403);
      assertThat(second.closeCode(Duration.ofSeconds(1))).isEqualTo(4403);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).isLessThan(1000);
    } finally {
      first.close();
      second.close();
    }
    String ticket = world.app().services().tickets().issue(m.id(), null).await();
    ChatClient again = ChatClient.connect(clients, world.port, ticket, world.config().publicOrigin());
    try {
      assertThat(again.closeCode(Duration.ofSeconds(5))).as("a removed member cannot come back").isGreaterThan(0);
    } finally {
      again.close();
    }
  }

  @Test
  void a_cancellation_with_a_future_date_keeps_the_socket_open_until_the_date_has_passed() {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    Member m = active(s, anna);
    world.settle(s.id());
    ChatClient c = open(m);
    try {
      LocalDate lastDay = world.sim.today().plusDays(2);
      world.sim.cancel(anna.membershipId(), lastDay);
      world.awaitMember(s.id(), anna.membershipId(), x -> lastDay.equals(x.canceledTo()), "cancellation seen");
      world.settle(s.id());
      assertThat(c.isClosed()).isFalse();
      world.sim.advanceClock(Duration.ofDays(3));
      assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(4403);
    } finally {
      c.close();
    }
  }

  static ChatClient open(Member m) {
    String ticket = world.app().services().tickets().issue(m.id(), null).await();
    ChatClient c = ChatClient.connect(clients, world.port, ticket, world.config().publicOrigin());
    c.next("ready");
    return c;
  }
}
