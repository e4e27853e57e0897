package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.app.SecretKeys;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.MemberStatus;
import com.cobotchat.space.MembershipSnapshot;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.space.SpaceSync;
import com.cobotchat.web.HttpProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Compares a whole space with Cobot and fixes every difference: lists all memberships (one call,
 * Cobot allows 6 a minute), applies each, re-fetches members the service thinks active that Cobot
 * no longer lists, ends members whose last day has passed, and re-creates webhook subscriptions
 * Cobot switched off. One install or reconciliation per space at a time across nodes (a lease on
 * the space row). Runs on a schedule and on demand for admins.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** What one run found and fixed. */
  public record Report(int listed, int changed, int refetched, int ended, int subscriptionsRepaired) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final SpaceRepository spaces;
  private final MemberRepository members;
  private final Inbox inbox;
  private final MembershipApplier applier;
  private final RoomMembership rooms;
  private final CobotClient cobot;
  private final Subscriptions subscriptions;
  private final SecretKeys secret;
  private final SyncSettings settings;
  private final Clock clock;
  private final Duration rateBudget;
  private final MeterRegistry registry;
  private final String node = SecretKeys.randomToken(6);

  Reconciler(Vertx vertx, Pool pool, SpaceRepository spaces, MemberRepository members, Inbox inbox,
      MembershipApplier applier, RoomMembership rooms, CobotClient cobot, Subscriptions subscriptions, SecretKeys secret,
      SyncSettings settings, Clock clock, Duration rateBudget, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    this.spaces = spaces;
    this.members = members;
    this.inbox = inbox;
    this.applier = applier;
    this.rooms = rooms;
    this.cobot = cobot;
    this.subscriptions = subscriptions;
    this.secret = secret;
    this.settings = settings;
    this.clock = clock;
    this.rateBudget = rateBudget;
    this.registry = registry;
  }

  /**
   * Reconciles one space now. Fails with {@link HttpProblem} 409 when an install or reconciliation of
   * the space is already running (here or on another node), 404 when the space is not installed.
   */
  public Future<Report> reconcile(long spaceId) {
    return withLease(spaceId, Duration.ZERO, () -> run(spaceId));
  }

  /** Reconciles every installed space whose last reconciliation is older than the interval. */
  public Future<Void> reconcileDue() {
    return spaces.dueForReconcile(settings.reconcileInterval().toSeconds()).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (long id : ids) {
        chain = chain.compose(v -> reconcile(id).<Void>mapEmpty().recover(err -> Future.succeededFuture()));
      }
      return chain;
    });
  }

  /** Ends members (all spaces, or one) whose last day has passed; returns how many lost access. */
  public Future<Integer> sweepDue(Long spaceIdOrNull) {
    LocalDate today = LocalDate.now(clock);
    return members.dueForRemoval(today, spaceIdOrNull).compose(due -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Member m : due) {
        chain = chain.compose(n -> pool.withTransaction(tx -> MembershipApplier.lock(tx, m.spaceId(), m.membershipId())
                .compose(v -> applier.endIfDue(tx, m.id(), today)))
            .compose(applied -> closeIfNeeded(applied).map(applied))
            .map(applied -> n + (applied.changed() ? 1 : 0)));
      }
      return chain;
    }).onSuccess(n -> {
      if (n > 0) {
        log.atInfo().addKeyValue("members", n).log("sync: members past their last day removed");
      }
    });
  }

  /**
   * Runs {@code work} holding the space's sync lease, renewed while it runs; waits up to {@code wait}
   * for a lease someone else holds, then fails with 409.
   */
  <T> Future<T> withLease(long spaceId, Duration wait, Supplier<Future<T>> work) {
    String owner = node + "." + SecretKeys.randomToken(6);
    long leaseSeconds = Math.max(2, settings.lease().toSeconds());
    return acquire(spaceId, owner, leaseSeconds, System.currentTimeMillis() + wait.toMillis()).compose(v -> {
      long renew = vertx.setPeriodic(leaseSeconds * 1000 / 3, t -> spaces.tryLease(spaceId, owner, leaseSeconds));
      Future<T> result;
      try {
        result = work.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.eventually(() -> {
        vertx.cancelTimer(renew);
        return spaces.releaseLease(spaceId, owner);
      });
    });
  }

  private Future<Void> acquire(long spaceId, String owner, long leaseSeconds, long deadline) {
    return spaces.tryLease(spaceId, owner, leaseSeconds).compose(got -> {
      if (got) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new HttpProblem(409, "An install or reconciliation of this space is already running."));
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(200, t -> acquire(spaceId, owner, leaseSeconds, deadline).onComplete(later));
      return later.future();
    });
  }

  private Future<Report> run(long spaceId) {
    return spaces.syncState(spaceId).compose(found -> {
      SpaceSync state = found.orElse(null);
      if (state == null || !state.space().installed() || state.sealedToken() == null) {
        return Future.failedFuture(new HttpProblem(404, "The chat is not installed in this space."));
      }
      String token = secret.decrypt(state.sealedToken());
      String subdomain = state.space().subdomain();
      return subscriptions.ensure(subdomain, token, state.webhookSecret())
          .compose(repaired -> importMembers(spaceId, subdomain, token)
              .map(r -> new Report(r.listed(), r.changed(), r.refetched(), r.ended(), repaired)))
          .compose(report -> spaces.recordReconcile(spaceId, null).map(report), err -> {
            Counter.builder("sync_reconciliations").tag("outcome", "failed").register(registry).increment();
            log.atWarn().addKeyValue("space", spaceId).addKeyValue("error", err.getMessage()).log("sync: reconciliation failed");
            return spaces.recordReconcile(spaceId, Inbox.truncate("reconciliation failed: " + err.getMessage()))
                .transform(v -> Future.failedFuture(err));
          });
    }).onSuccess(report -> {
      Counter.builder("sync_reconciliations").tag("outcome", "ok").register(registry).increment();
      log.atInfo().addKeyValue("space", spaceId).addKeyValue("listed", report.listed())
          .addKeyValue("changed", report.changed()).addKeyValue("refetched", report.refetched())
          .addKeyValue("ended", report.ended()).addKeyValue("subscriptionsRepaired", report.subscriptionsRepaired())
          .log("sync: space reconciled");
    });
  }

  /**
   * Brings every member of the space in line with Cobot's membership list; the caller holds the
   * space's lease. A member whose membership the worker handled after the list was fetched is left
   * to the worker (its data is newer).
   */
  Future<Report> importMembers(long spaceId, String subdomain, String token) {
    return dbNow().compose(since -> RateLimited.call(vertx, rateBudget, () -> cobot.memberships(subdomain, token))
        .compose(list -> {
          Set<String> listed = new HashSet<>();
          Future<Integer> chain = Future.succeededFuture(0);
          for (var m : list) {
            MembershipSnapshot s = MembershipSnapshot.fromCobot(m.raw());
            listed.add(s.membershipId());
            chain = chain.compose(n -> applyGuarded(spaceId, s, since).map(c -> n + (c ? 1 : 0)));
          }
          return chain.compose(changed -> refetchUnlisted(spaceId, subdomain, token, listed)
              .compose(re -> sweepDue(spaceId)
                  .map(ended -> new Report(list.size(), changed + re[1], re[0], ended, 0))));
        }));
  }

  /** Members the service thinks active whose membership Cobot no longer lists: fetched one by one. */
  private Future<int[]> refetchUnlisted(long spaceId, String subdomain, String token, Set<String> listed) {
    return members.list(spaceId).compose(all -> {
      List<Member> unlisted = all.stream().filter(m -> m.membershipId() != null && !listed.contains(m.membershipId())
          && m.status() == MemberStatus.ACTIVE).toList();
      Future<int[]> chain = Future.succeededFuture(new int[2]);
      for (Member m : unlisted) {
        chain = chain.compose(acc -> dbNow().compose(since -> RateLimited.call(vertx, rateBudget,
                () -> cobot.membership(subdomain, m.membershipId(), token))
            .map(found -> found.map(c -> MembershipSnapshot.fromCobot(c.raw()))
                .orElse(MembershipSnapshot.deleted(m.membershipId())))
            .compose(s -> applyGuarded(spaceId, s, since))
            .map(changed -> new int[] {acc[0] + 1, acc[1] + (changed ? 1 : 0)})));
      }
      return chain;
    });
  }

  private Future<Boolean> applyGuarded(long spaceId, MembershipSnapshot s, OffsetDateTime since) {
    LocalDate today = LocalDate.now(clock);
    return pool.withTransaction(tx -> MembershipApplier.lock(tx, spaceId, s.membershipId())
            .compose(v -> inbox.activitySince(tx, spaceId, s.membershipId(), since))
            .compose(newer -> newer ? Future.succeededFuture(MembershipApplier.Applied.NOTHING)
                : applier.apply(tx, spaceId, s, today)))
        .compose(applied -> closeIfNeeded(applied).map(applied.changed()));
  }

  private Future<Void> closeIfNeeded(MembershipApplier.Applied applied) {
    if (!applied.closeSockets()) {
      return Future.succeededFuture();
    }
    rooms.closeMember(applied.memberId(), RoomMembership.LOST_SPACE);
    return Future.succeededFuture();
  }

  private Future<OffsetDateTime> dbNow() {
    return pool.query("SELECT clock_timestamp()").execute().map(rows -> rows.iterator().next().getOffsetDateTime(0));
  }
}
