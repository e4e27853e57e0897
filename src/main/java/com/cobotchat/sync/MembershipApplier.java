package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.space.MembershipSnapshot;
import com.cobotchat.sso.Sessions;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies what Cobot says about one membership to the service, inside the caller's transaction:
 * the member row, then the rooms (rules for a member who may chat; removal, with sessions and
 * tickets revoked, for one who may not). Level-triggered: applying the same snapshot twice changes
 * nothing the second time. Live sockets are closed by the caller after the commit
 * ({@link Applied#closeSockets()}).
 */
public final class MembershipApplier {
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

  /**
   * What applying did.
   *
   * @param changed      the member row or their rooms changed
   * @param memberId     the member concerned, null when Cobot deleted a membership the service never knew
   * @param closeSockets the member lost access: close their live sockets once committed
   */
  public record Applied(boolean changed, Long memberId, boolean closeSockets) {
    static final Applied NOTHING = new Applied(false, null, false);

    public String outcome() {
      return changed ? "changed" : "unchanged";
    }
  }

  private final MemberRepository members;
  private final Sessions sessions;
  private final RoomMembership rooms;

  public MembershipApplier(MemberRepository members, Sessions sessions, RoomMembership rooms) {
    this.members = members;
    this.sessions = sessions;
    this.rooms = rooms;
  }

  /**
   * Serialises work on one membership across nodes until the transaction ends: the worker and the
   * reconciliation both take it before they look at or change the member.
   */
  public static Future<Void> lock(SqlConnection tx, long spaceId, String membershipId) {
    return tx.preparedQuery(LOCK).execute(Tuple.of("membership:" + spaceId + ":" + membershipId)).mapEmpty();
  }

  /** Applies the snapshot; the caller holds {@link #lock} for this membership in {@code tx}. */
  public Future<Applied> apply(SqlConnection tx, long spaceId, MembershipSnapshot snapshot, LocalDate today) {
    return members.findForSync(tx, spaceId, snapshot.membershipId(), snapshot.cobotUserId())
        .compose(before -> snapshot.deleted() ? ended(tx, before) : members.upsertFromCobot(tx, spaceId, snapshot, today)
            .map(after -> Optional.of(new Transition(before.orElse(null), after))))
        .compose(t -> t.isEmpty() ? Future.succeededFuture(Applied.NOTHING) : settle(tx, t.get()));
  }

  /** Ends a member whose last day has passed without Cobot telling us again (the sweep). */
  public Future<Applied> endIfDue(SqlConnection tx, long memberId, LocalDate today) {
    return members.findByIdForUpdate(tx, memberId).compose(found -> {
      Member m = found.orElse(null);
      if (m == null || m.status() != MemberStatus.ACTIVE || m.canceledTo() == null || !m.canceledTo().isBefore(today)) {
        return Future.succeededFuture(Applied.NOTHING);
      }
      return members.setStatus(tx, m.id(), MemberStatus.ENDED)
          .compose(v -> settle(tx, new Transition(m, withStatus(m, MemberStatus.ENDED))));
    });
  }

  private record Transition(Member before, Member after) {
  }

  private Future<Optional<Transition>> ended(SqlConnection tx, Optional<Member> before) {
    if (before.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Member m = before.get();
    Future<Void> write = m.status() == MemberStatus.ENDED ? Future.succeededFuture()
        : members.setStatus(tx, m.id(), MemberStatus.ENDED);
    return write.map(v -> Optional.of(new Transition(m, withStatus(m, MemberStatus.ENDED))));
  }

  private Future<Applied> settle(SqlConnection tx, Transition t) {
    Member after = t.after();
    boolean memberChanged = !sameAsCobotSees(t.before(), after);
    if (after.mayChat()) {
      return rooms.applyRules(tx, after.id())
          .map(c -> new Applied(memberChanged || !c.isEmpty(), after.id(), false));
    }
    boolean hadAccess = t.before() != null && t.before().mayChat();
    return sessions.revokeMember(tx, after.id())
        .compose(v -> rooms.removeFromSpace(tx, after.id()))
        .map(c -> new Applied(memberChanged || !c.isEmpty(), after.id(), hadAccess || !c.isEmpty()));
  }

  private static boolean sameAsCobotSees(Member a, Member b) {
    return a != null && a.status() == b.status() && Objects.equals(a.name(), b.name())
        && Objects.equals(a.avatarUrl(), b.avatarUrl()) && Objects.equals(a.planName(), b.planName())
        && Objects.equals(a.canceledTo(), b.canceledTo()) && Objects.equals(a.cobotUserId(), b.cobotUserId())
        && Objects.equals(a.membershipId(), b.membershipId());
  }

  private static Member withStatus(Member m, MemberStatus status) {
    return new Member(m.id(), m.spaceId(), m.cobotUserId(), m.membershipId(), m.name(), m.avatarUrl(), m.planName(),
        status, m.canceledTo(), m.admin(), m.profile());
  }
}
