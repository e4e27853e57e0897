package com.cobotchat.sso;

import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.space.Member;
import com.cobotchat.testing.Fixtures;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sessions and WebSocket tickets")
class TicketsTest {
  static DatabaseUrl db;
  static Application app;
  static Fixtures fixtures;

  @BeforeAll
  static void start() {
    db = TestDatabases.fresh("tickets");
    app = Application.start(TestConfigs.config(db), l -> { });
    fixtures = new Fixtures(app.services().pool());
  }

  @AfterAll
  static void stop() {
    app.stop();
    TestDatabases.drop(db);
  }

  @Test
  void a_ticket_opens_once() {
    Member m = fixtures.member(fixtures.space("tk1"), "Ada");
    Tickets tickets = app.services().tickets();
    String t = tickets.issue(m.id(), null).await();
    assertThat(tickets.redeem(t).await()).contains(m.id());
    assertThat(tickets.redeem(t).await()).isEmpty();
    assertThat(tickets.redeem("forged").await()).isEmpty();
  }

  @Test
  void an_expired_ticket_is_refused() {
    Member m = fixtures.member(fixtures.space("tk2"), "Ada");
    Tickets tickets = app.services().tickets();
    String t = tickets.issue(m.id(), null).await();
    app.services().pool().preparedQuery("UPDATE ws_tickets SET expires_at = now() - interval '1 second' WHERE member_id = $1")
        .execute(Tuple.of(m.id())).await();
    assertThat(tickets.redeem(t).await()).isEmpty();
  }

  @Test
  void revoking_a_member_ends_sessions_and_unused_tickets() {
    Member m = fixtures.member(fixtures.space("tk3"), "Ada");
    Sessions sessions = app.services().sessions();
    Sessions.Session s = sessions.create(m.id()).await();
    assertThat(sessions.memberOf(s.token()).await()).isEqualTo(Optional.of(m.id()));
    String t = app.services().tickets().issue(m.id(), s.hash()).await();

    sessions.revokeMember(app.services().pool(), m.id()).await();

    assertThat(sessions.memberOf(s.token()).await()).isEmpty();
    assertThat(app.services().tickets().redeem(t).await()).isEmpty();
    assertThat(s.toString()).doesNotContain(s.token());
  }
}
