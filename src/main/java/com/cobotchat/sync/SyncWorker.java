package com.cobotchat.sync;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.app.SecretKeys;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotException;
import com.cobotchat.space.MembershipSnapshot;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.space.SpaceSync;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;
import java.util.function.Function;

/**
 * Works through the inbox on one node: leases the rows of one membership, fetches that membership
 * with the space token (level-triggered: what Cobot says now, 404 meaning deleted), and applies
 * the difference together with marking the rows done, in one transaction. Up to
 * {@link SyncSettings#workers()} memberships at a time. Failures put the rows back with a growing
 * delay; a 429 delays every row of that space by Cobot's {@code Retry-After}.
 */
public final class SyncWorker {
  private static final Logger log = LoggerFactory.getLogger(SyncWorker.class);

  private final Pool pool;
  private final Inbox inbox;
  private final SpaceRepository spaces;
  private final MembershipApplier applier;
  private final RoomMembership rooms;
  private final CobotClient cobot;
  private final SecretKeys secret;
  private final Function<String, String> spaceBase;
  private final SyncSettings settings;
  private final Clock clock;
  private final String node = SecretKeys.randomToken(6);
  private final MeterRegistry registry;
  private final Timer processing;

  private Context context;
  private int running;
  private boolean stopped;
  private Promise<Void> drained;

  SyncWorker(Pool pool, Inbox inbox, SpaceRepository spaces, MembershipApplier applier, RoomMembership rooms,
      CobotClient cobot, SecretKeys secret, Function<String, String> spaceBase, SyncSettings settings, Clock clock,
      MeterRegistry registry) {
    this.pool = pool;
    this.inbox = inbox;
    this.spaces = spaces;
    this.applier = applier;
    this.rooms = rooms;
    this.cobot = cobot;
    this.secret = secret;
    this.spaceBase = spaceBase;
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
    this.processing = Timer.builder("sync_membership_processing").description("Fetch and apply of one leased membership")
        .register(registry);
  }

  /** Binds the worker to the context it runs on (the sync verticle's). */
  void start(Context context) {
    this.context = context;
  }

  /** Looks for due rows now (called for every stored delivery and on a timer); safe from any thread. */
  public void wake() {
    Context c = context;
    if (c != null) {
      c.runOnContext(v -> pump());
    }
  }

  /** Stops taking rows; completes when the rows in hand are done or after {@code grace}. */
  Future<Void> stop(Duration grace) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      if (running == 0) {
        done.tryComplete();
        return;
      }
      drained = done;
      context.owner().setTimer(grace.toMillis(), t -> done.tryComplete());
    });
    return done.future();
  }

  private void pump() {
    if (!stopped && running < settings.workers()) {
      running++;
      next();
    }
  }

  private void next() {
    if (stopped) {
      slotEnded();
      return;
    }
    inbox.claim(node + "." + SecretKeys.randomToken(9), settings.lease()).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", ar.cause().getMessage()).log("sync: cannot take inbox rows");
        slotEnded();
      } else if (ar.result().isEmpty()) {
        slotEnded();
      } else {
        pump();
        Timer.Sample sample = Timer.start(registry);
        process(ar.result().get()).onComplete(done -> {
          sample.stop(processing);
          next();
        });
      }
    });
  }

  private void slotEnded() {
    running--;
    if (running == 0 && drained != null) {
      drained.tryComplete();
    }
  }

  /** Fetches and applies one claimed membership; never fails (failures are written to the rows). */
  Future<Void> process(Inbox.Claim claim) {
    return spaces.syncState(claim.spaceId())
        .compose(state -> process(claim, state))
        .recover(err -> failed(claim, err));
  }

  private Future<Void> process(Inbox.Claim claim, Optional<SpaceSync> found) {
    SpaceSync state = found.orElse(null);
    if (state == null || state.uninstalled()) {
      return ignore(claim, "space is not installed");
    }
    if (state.sealedToken() == null) {
      return inbox.fail(claim.leaseToken(), "space install not finished; no space token yet",
          settings.backoff(claim.attempts()), true).onSuccess(v -> count("failed"));
    }
    String url = claim.url();
    if (!PayloadUrl.membershipId(spaceBase.apply(state.space().subdomain()), url).equals(Optional.of(claim.membershipId()))) {
      return ignore(claim, "payload URL is not a membership URL of this space's Cobot host");
    }
    String token = secret.decrypt(state.sealedToken());
    return cobot.membership(url, token)
        .map(m -> m.map(found2 -> MembershipSnapshot.fromCobot(found2.raw()))
            .orElse(MembershipSnapshot.deleted(claim.membershipId())))
        .compose(snapshot -> snapshot.membershipId().equals(claim.membershipId())
            ? apply(claim, snapshot)
            : ignore(claim, "Cobot answered with another membership id"));
  }

  private Future<Void> apply(Inbox.Claim claim, MembershipSnapshot snapshot) {
    LocalDate today = LocalDate.now(clock);
    return pool.withTransaction(tx -> MembershipApplier.lock(tx, claim.spaceId(), claim.membershipId())
            .compose(v -> inbox.holds(tx, claim.leaseToken()))
            .compose(held -> !held
                ? Future.<MembershipApplier.Applied>succeededFuture(null)
                : applier.apply(tx, claim.spaceId(), snapshot, today)
                    .compose(applied -> inbox.complete(tx, claim.leaseToken(), applied.outcome(), null).map(applied))))
        .compose(applied -> {
          if (applied == null) {
            log.atInfo().addKeyValue("space", claim.spaceId()).log("sync: lease lost; another worker has the rows");
            return Future.succeededFuture();
          }
          count(applied.outcome());
          log.atInfo().addKeyValue("space", claim.spaceId()).addKeyValue("membership", claim.membershipId())
              .addKeyValue("deliveries", claim.deliveries().size()).addKeyValue("outcome", applied.outcome())
              .addKeyValue("member", applied.memberId()).log("sync: membership applied");
          return applied.closeSockets() ? close(applied.memberId()) : Future.succeededFuture();
        });
  }

  private Future<Void> close(long memberId) {
    rooms.closeMember(memberId, RoomMembership.LOST_SPACE);
    return Future.succeededFuture();
  }

  private Future<Void> ignore(Inbox.Claim claim, String reason) {
    return pool.withTransaction(tx -> inbox.complete(tx, claim.leaseToken(), "ignored", reason))
        .onSuccess(v -> {
          count("ignored");
          log.atWarn().addKeyValue("space", claim.spaceId()).addKeyValue("reason", reason).log("sync: deliveries ignored");
        });
  }

  private Future<Void> failed(Inbox.Claim claim, Throwable err) {
    String message = err instanceof CobotException ? err.getMessage()
        : err.getClass().getSimpleName() + ": " + err.getMessage();
    Future<Void> written;
    if (err instanceof CobotException e && e.isRateLimited()) {
      Duration wait = e.retryAfter().orElse(Duration.ofMinutes(1));
      written = inbox.deferSpace(claim.spaceId(), wait)
          .compose(v -> inbox.fail(claim.leaseToken(), "Cobot rate limit; retrying after " + wait.toSeconds() + " s", wait, false));
    } else {
      written = inbox.fail(claim.leaseToken(), message, settings.backoff(claim.attempts()), true);
    }
    count("failed");
    log.atWarn().addKeyValue("space", claim.spaceId()).addKeyValue("membership", claim.membershipId())
        .addKeyValue("attempts", claim.attempts()).addKeyValue("error", message).log("sync: membership not applied, will retry");
    return written.compose(v -> spaces.recordSyncError(claim.spaceId(), Inbox.truncate(message)))
        .recover(e -> {
          log.atWarn().addKeyValue("error", e.getMessage()).log("sync: cannot record the failure; the lease will expire");
          return Future.succeededFuture();
        });
  }

  private void count(String outcome) {
    Counter.builder("sync_memberships_processed").description("Leased memberships by outcome")
        .tag("outcome", outcome).register(registry).increment();
  }
}
