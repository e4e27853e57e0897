package com.cobotchat.space;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Spaces and members as Cobot describes them")
class MemberRepositoryTest {
  static DatabaseUrl db;
  static Application app;
  static Pool pool;
  static MemberRepository members;

  @BeforeAll
  static void start() {
    db = TestDatabases.fresh("members");
    app = Application.start(TestConfigs.config(db), l -> { });
    pool = app.services().pool();
    members = app.services().members();
  }

  @AfterAll
  static void stop() {
    app.stop();
    TestDatabases.drop(db);
  }

  @Test
  void membership_json_is_read_as_cobot_sends_it() {
    JsonObject json = new JsonObject().put("id", "m1").put("name", "Ada").put("picture", "http://x/p.png")
        .put("user", new JsonObject().put("id", "u1")).put("plan", new JsonObject().put("name", "Fixed desk"))
        .put("confirmed_at", "2026/01/01 12:00:00 +0000").put("canceled_to", "2026/12/31");
    MembershipSnapshot s = MembershipSnapshot.fromCobot(json);
    assertThat(s.cobotUserId()).isEqualTo("u1");
    assertThat(s.planName()).isEqualTo("Fixed desk");
    assertThat(s.canceledTo()).isEqualTo(LocalDate.of(2026, 12, 31));
    assertThat(s.isActive(LocalDate.of(2026, 12, 31))).as("last day still active").isTrue();
    assertThat(s.isActive(LocalDate.of(2027, 1, 1))).isFalse();
    assertThat(s.status(LocalDate.of(2027, 1, 1))).isEqualTo(MemberStatus.ENDED);
  }

  @Test
  void membership_without_user_account_or_confirmation_is_not_active() {
    LocalDate today = LocalDate.now();
    assertThat(new MembershipSnapshot("m", null, "A", null, null, true, null, false).isActive(today)).isFalse();
    assertThat(new MembershipSnapshot("m", "u", "A", null, null, false, null, false).status(today))
        .isEqualTo(MemberStatus.PENDING);
    assertThat(MembershipSnapshot.deleted("m").status(today)).isEqualTo(MemberStatus.ENDED);
  }

  @Test
  void upsert_updates_the_same_member_and_adopts_an_admin_row() {
    Fixtures f = new Fixtures(pool);
    Space space = f.space("upsert");
    Member admin = members.ensureAdmin(pool, space.id(), "u-admin", "Boss").await();
    assertThat(admin.mayChat()).as("admin without membership may chat").isTrue();

    Member adopted = members.upsertFromCobot(pool, space.id(),
        new MembershipSnapshot("m-admin", "u-admin", "Boss B.", null, "Office", true, null, false), LocalDate.now()).await();
    assertThat(adopted.id()).isEqualTo(admin.id());
    assertThat(adopted.membershipId()).isEqualTo("m-admin");
    assertThat(adopted.admin()).isTrue();

    Member renamed = members.upsertFromCobot(pool, space.id(),
        new MembershipSnapshot("m-admin", "u-admin", "Boss C.", null, "Office", true, null, false), LocalDate.now()).await();
    assertThat(renamed.id()).isEqualTo(admin.id());
    assertThat(renamed.name()).isEqualTo("Boss C.");
    assertThat(members.list(space.id()).await()).hasSize(1);
  }

  @Test
  void the_same_cobot_user_cannot_be_two_members_of_one_space() {
    Fixtures f = new Fixtures(pool);
    Space space = f.space("unique");
    Member m = f.member(space, "Ada");
    assertThatThrownBy(() -> pool.preparedQuery("INSERT INTO members (space_id, cobot_user_id, name, status) VALUES ($1, $2, 'x', 'active')")
        .execute(io.vertx.sqlclient.Tuple.of(space.id(), m.cobotUserId())).await())
        .hasMessageContaining("duplicate key");
  }
}
