package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Room membership: default room, rules, removal from the space, admin operations")
class RoomMembershipTest extends ChatTestBase {

  private static Set<Long> roomsOf(Member m) {
    return rows("SELECT room_id FROM room_members WHERE member_id = $1", m.id()).stream()
        .map(r -> r.getLong(0)).collect(Collectors.toSet());
  }

  private static String source(long room, Member m) {
    List<Row> r = rows("SELECT source FROM room_members WHERE room_id = $1 AND member_id = $2", room, m.id());
    return r.isEmpty() ? null : r.get(0).getString(0);
  }

  private static void setPlan(Member m, String plan) {
    rows("UPDATE members SET plan_name = $2 WHERE id = $1", m.id(), plan);
  }

  @Test
  void the_default_room_is_created_once_and_every_member_joins_it() {
    Space space = fixtures.space("def" + System.nanoTime() % 100000);
    Member early = fixtures.member(space, "Early");

    long first = membership().ensureDefaultRoom(space.id()).await();
    long second = membership().ensureDefaultRoom(space.id()).await();

    assertThat(second).isEqualTo(first);
    Row room = rows("SELECT name, kind, auto_join, is_default FROM rooms WHERE space_id = $1", space.id()).get(0);
    assertThat(room.getString("name")).isEqualTo("general");
    assertThat(room.getString("kind")).isEqualTo("channel");
    assertThat(room.getString("auto_join")).isEqualTo("all");
    assertThat(room.getBoolean("is_default")).isTrue();
    assertThat(source(first, early)).isEqualTo("rule");
    assertThat(rows("SELECT kind FROM room_events WHERE room_id = $1", first)).extracting(r -> r.getString(0))
        .containsExactly("member_joined");
  }

  @Test
  void rules_join_matching_rooms_leave_stale_rule_memberships_and_keep_manual_ones() {
    Space space = space();
    long general = defaultRoom(space);
    Member boss = admin(space, "Boss");
    long pro = membership().createRoom(boss.id(), "Pro lounge", "private",
        new RoomMembership.AutoJoin("plans", List.of("Pro"))).await();
    Member ada = member(space, "Ada", "Pro");
    Member bob = member(space, "Bob", "Basic");
    assertThat(roomsOf(ada)).containsExactlyInAnyOrder(general, pro);
    assertThat(roomsOf(bob)).containsExactly(general);

    setPlan(ada, "Basic");
    RoomMembership.Changes changes = membership().applyRules(ada.id()).await();
    assertThat(changes.left()).containsExactly(pro);
    assertThat(changes.joined()).isEmpty();
    assertThat(roomsOf(ada)).containsExactly(general);

    membership().addMember(boss.id(), pro, bob.id()).await();
    assertThat(membership().applyRules(bob.id()).await().isEmpty()).isTrue();
    assertThat(source(pro, bob)).as("a manual membership stays").isEqualTo("manual");

    setPlan(ada, "Pro");
    membership().applyRules(ada.id()).await();
    membership().removeMember(boss.id(), pro, ada.id()).await();
    assertThat(membership().applyRules(ada.id()).await().joined()).as("an excluded member is not re-added").isEmpty();
    assertThat(roomsOf(ada)).containsExactly(general);
    membership().addMember(boss.id(), pro, ada.id()).await();
    assertThat(rows("SELECT count(*) FROM room_exclusions WHERE room_id = $1", pro).get(0).getLong(0)).isZero();
    assertThat(membership().applyRules(ada.id()).await().isEmpty()).as("applying twice changes nothing").isTrue();

    List<String> kinds = rows("SELECT kind FROM room_events WHERE room_id = $1 ORDER BY seq", pro).stream()
        .map(r -> r.getString(0)).toList();
    assertThat(rows("SELECT seq FROM room_events WHERE room_id = $1 ORDER BY seq", pro).stream().map(r -> r.getLong(0)).toList())
        .as("gap-free").containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, kinds.size()).boxed().toList());
    assertThat(lastSeq(pro)).isEqualTo(kinds.size());
  }

  @Test
  void removal_from_the_space_sends_room_removed_and_closes_every_socket_with_4403() {
    Space space = space();
    long general = defaultRoom(space);
    Member ada = member(space, "Ada");
    Member bob = member(space, "Bob");
    long dm = membership().openDirect(ada.id(), bob.id()).await();
    ChatClient a1 = connect(ada);
    ChatClient a2 = connect(ada);
    ChatClient b = connect(bob);
    subscribe(a1, general);
    subscribe(b, general);

    RoomMembership.Changes changes = membership().removeFromSpace(ada.id()).await();

    assertThat(changes.left()).containsExactlyInAnyOrder(general, dm);
    for (ChatClient a : List.of(a1, a2)) {
      Set<String> removed = Set.of(a.next("room_removed").getString("room"), a.next("room_removed").getString("room"));
      assertThat(removed).containsExactlyInAnyOrder(id(general), id(dm));
      assertThat(a.closeCode(ChatClient.WAIT)).isEqualTo(4403);
    }
    JsonObject left = b.await(f -> "event".equals(f.getString("type")) && "member_left".equals(f.getString("kind")));
    assertThat(left.getJsonObject("member").getString("id")).isEqualTo(id(ada.id()));
    assertThat(roomsOf(ada)).isEmpty();
    assertThat(a1.received().stream().filter(f -> "event".equals(f.getString("type"))
        && !"member_left".equals(f.getString("kind")))).isEmpty();
  }

  @Test
  void a_member_removed_from_a_room_gets_no_more_of_its_events() {
    Space space = space();
    Member boss = admin(space, "Boss");
    Member ada = member(space, "Ada");
    long room = membership().createRoom(boss.id(), "Projects", "channel", RoomMembership.AutoJoin.ALL).await();
    ChatClient a = connect(ada);
    ChatClient chief = connect(boss);
    subscribe(a, room);
    subscribe(chief, room);

    chief.send(frame("room_remove_member", "room", id(room), "user", id(ada.id()), "ref", "rm"));
    chief.answer("ok", "rm");
    assertThat(a.next("room_removed").getString("room")).isEqualTo(id(room));
    say(chief, room, "after you left");

    assertThat(a.drain(f -> "event".equals(f.getString("type")) && "message".equals(f.getString("kind")), Duration.ofMillis(400)))
        .isEmpty();
    a.send(frame("subscribe", "room", id(room), "ref", "back"));
    assertThat(error(a, "back").getString("code")).isEqualTo("not_found");
    assertThat(rows("SELECT count(*) FROM room_exclusions WHERE room_id = $1 AND member_id = $2", room, ada.id())
        .get(0).getLong(0)).isEqualTo(1);
  }

  @Test
  void admins_manage_rooms_over_the_protocol() {
    Space space = space();
    long general = defaultRoom(space);
    Member boss = admin(space, "Boss");
    Member ada = member(space, "Ada", "Pro");
    Member bob = member(space, "Bob", "Basic");
    ChatClient chief = connect(boss);
    ChatClient a = connect(ada);
    ChatClient b = connect(bob);

    chief.send(frame("room_create", "name", "  Lunch  ", "autoJoin", "all", "ref", "c"));
    long lunch = Long.parseLong(chief.answer("ok", "c").getString("room"));
    for (ChatClient c : List.of(chief, a, b)) {
      JsonObject added = c.await(f -> "room_added".equals(f.getString("type"))).getJsonObject("room");
      assertThat(added.getString("id")).isEqualTo(id(lunch));
      assertThat(added.getString("name")).isEqualTo("Lunch");
    }

    chief.send(frame("room_rename", "room", id(lunch), "name", "Food", "ref", "r"));
    chief.answer("ok", "r");
    assertThat(a.next("room_updated").getJsonObject("room").getString("name")).isEqualTo("Food");
    chief.send(frame("room_rename", "room", id(lunch), "name", "GENERAL", "ref", "dup"));
    assertThat(error(chief, "dup").getString("code")).isEqualTo("bad_request");

    chief.send(frame("room_set_rule", "room", id(lunch), "autoJoin", "plans", "plans", List.of("Pro"), "ref", "p"));
    chief.answer("ok", "p");
    assertThat(b.next("room_removed").getString("room")).isEqualTo(id(lunch));
    assertThat(a.next("room_updated").getJsonObject("room").getString("autoJoin")).isEqualTo("plans");
    assertThat(a.drain(f -> "room_removed".equals(f.getString("type")), Duration.ofMillis(200))).isEmpty();
    assertThat(source(lunch, boss)).as("the creator's membership is manual").isEqualTo("manual");

    chief.send(frame("room_add_member", "room", id(lunch), "user", id(bob.id()), "ref", "add"));
    chief.answer("ok", "add");
    assertThat(b.next("room_added").getJsonObject("room").getString("id")).isEqualTo(id(lunch));
    assertThat(source(lunch, bob)).isEqualTo("manual");

    chief.send(frame("rooms", "ref", "list"));
    assertThat(chief.answer("rooms", "list").getJsonArray("rooms").size()).isEqualTo(2);
    chief.send(frame("room_members", "room", id(lunch), "ref", "who"));
    assertThat(chief.answer("room_members", "who").getJsonArray("members").size()).isEqualTo(3);

    chief.send(frame("room_archive", "room", id(general), "ref", "g"));
    assertThat(error(chief, "g").getString("code")).isEqualTo("bad_request");
    chief.send(frame("room_archive", "room", id(lunch), "ref", "arch"));
    chief.answer("ok", "arch");
    for (ChatClient c : List.of(a, b)) {
      assertThat(c.next("room_removed").getString("room")).isEqualTo(id(lunch));
    }
    a.send(frame("subscribe", "room", id(lunch), "ref", "gone"));
    assertThat(error(a, "gone").getString("code")).isEqualTo("not_found");
    chief.send(frame("room_create", "name", "x".repeat(81), "ref", "long"));
    assertThat(error(chief, "long").getString("code")).isEqualTo("bad_request");
    chief.send(frame("room_set_rule", "room", id(general), "autoJoin", "plans", "ref", "noplans"));
    assertThat(error(chief, "noplans").getString("code")).isEqualTo("bad_request");
  }
}
