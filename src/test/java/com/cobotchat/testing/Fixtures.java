package com.cobotchat.testing;

import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.MembershipSnapshot;
import com.cobotchat.space.Space;
import com.cobotchat.space.SpaceRepository;
import io.vertx.sqlclient.Pool;

import java.time.LocalDate;
import java.util.UUID;

/** Rows written straight into the database for tests that do not need the Cobot round trip. */
public final class Fixtures {
  private final Pool pool;
  private final SpaceRepository spaces;
  private final MemberRepository members;

  public Fixtures(Pool pool) {
    this.pool = pool;
    this.spaces = new SpaceRepository(pool);
    this.members = new MemberRepository(pool);
  }

  public Space space(String subdomain) {
    return spaces.ensure(pool, subdomain, "cobot-" + subdomain, "Space " + subdomain, null).await();
  }

  /** An active member with a user account and a confirmed membership. */
  public Member member(Space space, String name) {
    return member(space, name, "basic");
  }

  public Member member(Space space, String name, String plan) {
    String id = UUID.randomUUID().toString().substring(0, 12);
    return members.upsertFromCobot(pool, space.id(), new MembershipSnapshot("m-" + id, "u-" + id, name,
        null, plan, true, null, false), LocalDate.now()).await();
  }

  public Member admin(Space space, String name) {
    Member m = member(space, name);
    members.setAdmin(pool, space.id(), m.cobotUserId(), true).await();
    return members.findById(m.id()).await().orElseThrow();
  }
}
