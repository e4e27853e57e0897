package com.cobotchat.sync;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.app.DemoMode;
import com.cobotchat.simulator.DemoSeeder;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimSubscription;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Demo mode installs the chat into the demo space through the real install flow")
class DemoInstallTest {

  @Test
  void the_demo_space_is_installed_with_its_members_at_start_up_and_follows_the_simulator() {
    DatabaseUrl db = TestDatabases.fresh("demosync");
    Map<String, String> env = TestConfigs.env(db, TestConfigs.freePort());
    env.remove("COBOT_CLIENT_ID");
    env.remove("COBOT_CLIENT_SECRET");
    env.remove("COBOT_SITE");
    env.remove("COBOT_SPACE_URL");
    env.remove("SECRET_KEY");
    env.put("DEMO", "true");
    Application app = Application.start(AppConfig.fromEnv(env), l -> { }, 0);
    try {
      DemoMode demo = app.demo().orElseThrow();
      var sim = demo.simulator();
      long spaceId = app.services().spaces().findBySubdomain(DemoSeeder.SUBDOMAIN).await().orElseThrow().id();
      var state = app.services().spaces().syncState(spaceId).await().orElseThrow();
      assertThat(state.space().installed()).isTrue();
      assertThat(sim.navigationLinks(DemoSeeder.SUBDOMAIN)).hasSize(1);
      assertThat(sim.subscriptions(DemoSeeder.SUBDOMAIN)).extracting(SimSubscription::event)
          .containsExactlyInAnyOrderElementsOf(Events.SUBSCRIBED);

      List<Member> members = app.services().members().list(spaceId).await();
      for (SimMember m : demo.space().members()) {
        assertThat(members).filteredOn(x -> m.membershipId().equals(x.membershipId())).singleElement()
            .satisfies(x -> assertThat(x.status()).isEqualTo(m.userId() == null ? MemberStatus.PENDING : MemberStatus.ACTIVE));
      }
      long inGeneral = app.services().pool().preparedQuery("""
          SELECT count(*) FROM room_members rm JOIN rooms r ON r.id = rm.room_id WHERE r.space_id = $1 AND r.is_default""")
          .execute(Tuple.of(spaceId)).await().iterator().next().getLong(0);
      assertThat(inGeneral).isEqualTo(demo.space().members().stream().filter(m -> m.userId() != null).count());

      SimMember newcomer = sim.addMember(DemoSeeder.SUBDOMAIN, "Nora Neu", "Flex Desk");
      SyncWorld.awaitUntil("newcomer admitted", () -> app.services().members().findByMembership(spaceId,
          newcomer.membershipId()).await().map(m -> m.status() == MemberStatus.ACTIVE).orElse(false), Duration.ofSeconds(10));
    } finally {
      app.stop();
      TestDatabases.drop(db);
    }
  }
}
