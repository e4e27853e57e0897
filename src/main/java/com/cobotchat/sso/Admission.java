package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import com.cobotchat.chat.RoomMembership;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotUser;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.space.MembershipSnapshot;
import com.cobotchat.space.Space;
import com.cobotchat.space.SpaceRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Decides whether a Cobot user (as {@code /api/user} describes them) may use a space's chat (SPEC 4.2, 5):
 * an active membership of that space or an admin of it. The service's own {@code members} records
 * decide; a membership it has no record of yet (its webhook still on the way) is fetched with the
 * space token and recorded. The Cobot user id is the identity key, never the email.
 */
public final class Admission {
  /** Why a user was not let in. */
  public enum Refusal { NOT_MEMBER, PENDING, ENDED, NOT_INSTALLED }

  /** Either the member to sign in or the reason they may not. */
  public record Outcome(Member member, Refusal refusal) {
    static Outcome admitted(Member m) {
      return new Outcome(m, null);
    }

    static Outcome refused(Refusal r) {
      return new Outcome(null, r);
    }

    public boolean admitted() {
      return member != null;
    }
  }

  private final Pool pool;
  private final SpaceRepository spaces;
  private final MemberRepository members;
  private final CobotClient cobot;
  private final SecretKeys keys;
  private final Clock clock;
  private final RoomMembership rooms;

  public Admission(Pool pool, SpaceRepository spaces, MemberRepository members, CobotClient cobot, SecretKeys keys,
                   Clock clock, RoomMembership rooms) {
    this.pool = pool;
    this.spaces = spaces;
    this.members = members;
    this.cobot = cobot;
    this.keys = keys;
    this.clock = clock;
    this.rooms = rooms;
  }

  public Future<Outcome> admit(Space space, CobotUser user) {
    Optional<CobotUser.AdminOf> adminOf = user.adminOf(space.subdomain());
    return membershipRecord(space, user)
        .compose(member -> adminOf.isPresent()
            ? members.ensureAdmin(pool, space.id(), user.id(), adminOf.get().name()).map(Optional::of)
            : dropAdmin(space, member))
        .map(member -> decide(member))
        .compose(this::joinRooms)
        .recover(err -> err instanceof NotInstalled
            ? Future.succeededFuture(Outcome.refused(Refusal.NOT_INSTALLED)) : Future.failedFuture(err));
  }

  /** A member admitted before their webhook arrived still lands in the space's rooms (rules are idempotent). */
  private Future<Outcome> joinRooms(Outcome outcome) {
    return outcome.admitted() ? rooms.applyRules(outcome.member().id()).map(outcome) : Future.succeededFuture(outcome);
  }

  /** Our record of the user's membership in this space; fetched from Cobot when we have none (or only a pending one). */
  private Future<Optional<Member>> membershipRecord(Space space, CobotUser user) {
    Optional<CobotUser.Membership> ref = user.membershipIn(space.subdomain());
    if (ref.isEmpty()) {
      return members.findByCobotUser(space.id(), user.id());
    }
    String membershipId = ref.get().id();
    return members.findByMembership(space.id(), membershipId).compose(known -> {
      if (known.isPresent() && user.id().equals(known.get().cobotUserId()) && known.get().status() != MemberStatus.PENDING) {
        return Future.succeededFuture(known);
      }
      return fetchAndRecord(space, user, membershipId).map(fetched -> fetched.or(() -> known));
    });
  }

  private Future<Optional<Member>> fetchAndRecord(Space space, CobotUser user, String membershipId) {
    return spaces.sealedSpaceToken(space.id()).compose(sealed -> {
      if (sealed.isEmpty()) {
        return Future.failedFuture(new NotInstalled());
      }
      String spaceToken = keys.decrypt(sealed.get());
      return cobot.membership(space.subdomain(), membershipId, spaceToken)
          .map(m -> m.map(found -> MembershipSnapshot.fromCobot(found.raw())));
    }).compose(snapshot -> {
      if (snapshot.isEmpty() || !user.id().equals(snapshot.get().cobotUserId())) {
        return Future.succeededFuture(Optional.empty());
      }
      return members.upsertFromCobot(pool, space.id(), snapshot.get(), LocalDate.now(clock)).map(Optional::of);
    });
  }

  private Future<Optional<Member>> dropAdmin(Space space, Optional<Member> member) {
    if (member.isEmpty() || !member.get().admin()) {
      return Future.succeededFuture(member);
    }
    return members.setAdmin(pool, space.id(), member.get().cobotUserId(), false)
        .compose(v -> members.findById(member.get().id()));
  }

  private static Outcome decide(Optional<Member> member) {
    if (member.isEmpty()) {
      return Outcome.refused(Refusal.NOT_MEMBER);
    }
    Member m = member.get();
    if (m.mayChat()) {
      return Outcome.admitted(m);
    }
    return Outcome.refused(m.status() == MemberStatus.ENDED ? Refusal.ENDED
        : m.status() == MemberStatus.PENDING && m.membershipId() != null ? Refusal.PENDING : Refusal.NOT_MEMBER);
  }

  private static final class NotInstalled extends RuntimeException {
    NotInstalled() {
      super("space not installed", null, false, false);
    }
  }
}
