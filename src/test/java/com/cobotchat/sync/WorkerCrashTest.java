package com.cobotchat.sync;

import com.cobotchat.app.Main;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.space.MemberStatus;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node in a child JVM is killed (SIGKILL) while its worker is inside the transaction that applies
 * a removal; nothing of it is committed, and after the lease expires another node completes the row.
 */
@DisplayName("A worker killed in the middle of a row")
class WorkerCrashTest {
  static SyncWorld world;

  @BeforeAll
  static void start() {
    world = new SyncWorld("crash", SyncWorld.fastOptions(), Map.of("SYNC_LEASE_SECONDS", "2"));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void leaves_nothing_half_applied_and_the_row_completes_after_the_lease_expires() throws Exception {
    SyncWorld.TestSpace s = world.installedSpace();
    SimMember anna = world.sim.addMember(s.subdomain(), "Anna Arendt", "Flex Desk");
    long annaId = world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ACTIVE, "anna active").id();
    world.settle(s.id());
    String session = world.app().services().sessions().create(annaId).await().token();
    world.stopNode();

    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(world.config().database().connectOptions())
        .using(vertx).build();
    Process child = startChild();
    try {
      awaitReady();
      SqlConnection blocker = pool.getConnection().await();
      Transaction tx = blocker.begin().await();
      blocker.preparedQuery("SELECT 1 FROM sessions WHERE member_id = $1 FOR UPDATE").execute(Tuple.of(annaId)).await();

      world.sim.deleteMembership(anna.membershipId());
      SyncWorld.awaitUntil("the child's worker waits inside its transaction", () -> count(pool, """
          SELECT count(*) FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND state = 'active' AND query LIKE '%UPDATE sessions SET revoked_at%'""") == 1,
          Duration.ofSeconds(20));
      assertThat(count(pool, "SELECT count(*) FROM webhook_inbox WHERE space_id = $1 AND locked_until > now()", s.id()))
          .as("the child holds the lease").isGreaterThan(0);

      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      tx.rollback().await();
      blocker.close().await();

      SyncWorld.awaitUntil("the killed transaction is gone", () -> count(pool,
          "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%UPDATE sessions SET revoked_at%' AND pid <> pg_backend_pid()") == 0,
          Duration.ofSeconds(10));
      Row member = pool.preparedQuery("SELECT status FROM members WHERE id = $1").execute(Tuple.of(annaId)).await().iterator().next();
      assertThat(member.getString("status")).as("the member row change was rolled back").isEqualTo("active");
      assertThat(count(pool, "SELECT count(*) FROM sessions WHERE member_id = $1 AND revoked_at IS NULL", annaId))
          .as("sessions untouched").isEqualTo(1);
      Row row = pool.preparedQuery("""
          SELECT processed_at, attempts FROM webhook_inbox
           WHERE space_id = $1 AND membership_id = $2 AND event = 'deleted_membership'""")
          .execute(Tuple.of(s.id(), anna.membershipId())).await().iterator().next();
      assertThat(row.getOffsetDateTime("processed_at")).isNull();
      assertThat(row.getInteger("attempts")).isEqualTo(1);
    } finally {
      child.destroyForcibly();
      pool.close().await();
      vertx.close().await();
    }

    world.startNode();
    world.awaitMember(s.id(), anna.membershipId(), m -> m.status() == MemberStatus.ENDED, "anna ended by the other node");
    world.settle(s.id());
    assertThat(world.app().services().sessions().memberOf(session).await()).isEmpty();
    assertThat(world.rows("SELECT attempts, outcome FROM webhook_inbox WHERE space_id = $1 AND membership_id = $2 AND event = 'deleted_membership'",
        s.id(), anna.membershipId())).singleElement().satisfies(r -> {
          assertThat(r.getInteger("attempts")).isEqualTo(2);
          assertThat(r.getString("outcome")).isEqualTo("changed");
        });
  }

  static long count(Pool pool, String sql, Object... args) {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  static Process startChild() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(world.env());
    File out = new File("target/test-logs/crash-child.out");
    out.getParentFile().mkdirs();
    pb.redirectErrorStream(true).redirectOutput(out);
    return pb.start();
  }

  static void awaitReady() {
    SyncWorld.awaitUntil("child node ready", () -> {
      try {
        return world.http.get(world.publicUrl + "/health/ready").status() == 200;
      } catch (RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(60));
  }
}
