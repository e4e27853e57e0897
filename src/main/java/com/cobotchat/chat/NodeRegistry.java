package com.cobotchat.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node among the others on the same database: a heartbeat row in {@code chat_nodes}, the
 * members online here in {@code chat_presence}, and what follows from the other rows.
 *
 * <ul>
 *   <li>Presence changes of this node are written by one writer (changes that pile up during a write
 *       go in the next one, only the latest state of a member counts), and the
 *       {@link ChatSignal.PresenceChanged} signals are sent with that transaction.</li>
 *   <li>At start and after {@link ChatSignal.Resync} the presence of the live nodes is read again.</li>
 *   <li>A node silent for {@link NodeSettings#deadAfter()} is dead: the members it had online go
 *       offline here. Rows of long-dead nodes are deleted.</li>
 *   <li>With {@code CHAT_BUS=local} this node refuses to start beside another live node, and says so
 *       loudly if one appears later; with {@code postgres} it says so when it sees a {@code local} one.</li>
 * </ul>
 */
final class NodeRegistry {
  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
  private static final long RETRY_MS = 1_000;

  private static final String REGISTER = """
      INSERT INTO chat_nodes (id, bus) VALUES ($1, $2)
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now() RETURNING (xmax = 0) AS inserted""";
  private static final String OTHERS = """
      SELECT id, bus, heartbeat_at > now() - make_interval(secs => $2) AS alive,
             (extract(epoch FROM heartbeat_at) * 1000)::bigint AS beat
        FROM chat_nodes WHERE id <> $1""";
  private static final String REAP = "DELETE FROM chat_nodes WHERE heartbeat_at < now() - make_interval(secs => $1)";
  private static final String LEAVE = "DELETE FROM chat_nodes WHERE id = $1";
  private static final String OFFLINE = "DELETE FROM chat_presence WHERE node_id = $1 AND member_id = ANY($2)";
  private static final String ONLINE = """
      INSERT INTO chat_presence (node_id, member_id) SELECT $1, id FROM members WHERE id = ANY($2)
      ON CONFLICT DO NOTHING""";
  private static final String SNAPSHOT = """
      SELECT p.node_id, p.member_id FROM chat_presence p JOIN chat_nodes n ON n.id = p.node_id
       WHERE n.heartbeat_at > now() - make_interval(secs => $2) AND p.node_id <> $1""";

  private final Vertx vertx;
  private final Pool pool;
  private final ChatBus bus;
  private final Presence presence;
  private final NodeSettings settings;
  private final String nodeId;
  private final Context context;
  private final AtomicInteger liveNodes = new AtomicInteger(1);
  private final Set<Long> dirty = new LinkedHashSet<>();
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();
  private Set<String> suspects = Set.of();
  private boolean writing;
  private boolean stopping;
  private long timer = -1;
  private long retryTimer = -1;

  NodeRegistry(Vertx vertx, Pool pool, ChatBus bus, Presence presence, NodeSettings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    this.bus = bus;
    this.presence = presence;
    this.settings = settings;
    this.nodeId = presence.nodeId();
    this.context = vertx.getOrCreateContext();
    Gauge.builder("chat.nodes.live", liveNodes, AtomicInteger::get)
        .description("Live chat nodes on this database, as this node sees them").register(registry);
  }

  private boolean shared() {
    return settings.bus() == NodeSettings.Bus.POSTGRES;
  }

  private double deadAfterSeconds() {
    return settings.deadAfter().toMillis() / 1000.0;
  }

  /** Registers this node (refusing a second node in local mode), loads the others' presence, starts the heartbeat. */
  Future<Void> start() {
    return pool.preparedQuery(REGISTER).execute(Tuple.of(nodeId, settings.bus().envName()))
        .compose(v -> shared() ? Future.succeededFuture() : refuseCompany())
        .compose(v -> shared() ? loadPresence() : Future.succeededFuture())
        .onSuccess(v -> context.runOnContext(x -> timer = vertx.setPeriodic(settings.heartbeat().toMillis(), id -> beat())))
        .recover(err -> pool.preparedQuery(LEAVE).execute(Tuple.of(nodeId)).transform(x -> Future.failedFuture(err)));
  }

  /** In local mode: fails if another node is alive, i.e. its heartbeat still moves. */
  private Future<Void> refuseCompany() {
    return others().compose(first -> {
      Map<String, Long> alive = new HashMap<>();
      first.stream().filter(r -> r.getBoolean("alive")).forEach(r -> alive.put(r.getString("id"), r.getLong("beat")));
      if (alive.isEmpty()) {
        return Future.succeededFuture();
      }
      Promise<Void> waited = Promise.promise();
      vertx.setTimer(settings.heartbeat().toMillis() + 1_000, t -> waited.complete());
      return waited.future().compose(v -> others()).compose(second -> {
        for (Row r : second) {
          Long before = alive.get(r.getString("id"));
          if (before != null && r.getLong("beat") > before) {
            return Future.failedFuture(new IllegalStateException("CHAT_BUS=local, but another node (" + r.getString("id")
                + ", CHAT_BUS=" + r.getString("bus") + ") is running on this database; "
                + "set CHAT_BUS=postgres on every node so they see each other's messages"));
          }
        }
        return Future.succeededFuture();
      });
    });
  }

  private Future<List<Row>> others() {
    return pool.preparedQuery(OTHERS).execute(Tuple.of(nodeId, deadAfterSeconds())).map(rows -> {
      List<Row> out = new ArrayList<>();
      rows.forEach(out::add);
      return out;
    });
  }

  /** Stops the heartbeat, writes what presence changes are pending, removes this node's rows. */
  Future<Void> stop() {
    Promise<Void> idle = Promise.promise();
    context.runOnContext(v -> {
      stopping = true;
      vertx.cancelTimer(timer);
      vertx.cancelTimer(retryTimer);
      if (!writing && dirty.isEmpty()) {
        idle.tryComplete();
      } else {
        idleWaiters.add(idle);
        vertx.setTimer(2_000, t -> idle.tryComplete());
      }
    });
    return idle.future().compose(v -> pool.preparedQuery(LEAVE).execute(Tuple.of(nodeId))).mapEmpty();
  }

  /** How many nodes are alive, this one included. */
  int liveNodes() {
    return liveNodes.get();
  }

  // ---- presence of this node ----

  /** A member's first socket here opened or last one closed. */
  void presenceChanged(long memberId) {
    if (!shared()) {
      bus.publish(new ChatSignal.PresenceChanged(nodeId, memberId, presence.isLocal(memberId)));
      return;
    }
    context.runOnContext(v -> {
      dirty.add(memberId);
      write();
    });
  }

  private void write() {
    if (writing || retryTimer >= 0) {
      return;
    }
    if (dirty.isEmpty()) {
      idleWaiters.forEach(Promise::tryComplete);
      idleWaiters.clear();
      return;
    }
    List<Long> batch = new ArrayList<>(dirty);
    dirty.clear();
    List<Long> online = new ArrayList<>();
    List<Long> offline = new ArrayList<>();
    batch.forEach(m -> (presence.isLocal(m) ? online : offline).add(m));
    List<ChatSignal> signals = new ArrayList<>();
    online.forEach(m -> signals.add(new ChatSignal.PresenceChanged(nodeId, m, true)));
    offline.forEach(m -> signals.add(new ChatSignal.PresenceChanged(nodeId, m, false)));
    writing = true;
    pool.withTransaction(conn -> conn.preparedQuery(OFFLINE).execute(Tuple.tuple().addValue(nodeId).addValue(offline.toArray(Long[]::new)))
            .compose(v -> conn.preparedQuery(ONLINE).execute(Tuple.tuple().addValue(nodeId).addValue(online.toArray(Long[]::new))))
            .compose(v -> bus.publishOnCommit(conn, signals)))
        .onComplete(ar -> {
          writing = false;
          if (ar.failed()) {
            log.atWarn().addKeyValue("members", batch.size()).addKeyValue("error", String.valueOf(ar.cause()))
                .log("presence not written; retrying");
            dirty.addAll(batch);
            if (!stopping) {
              retryTimer = vertx.setTimer(RETRY_MS, t -> {
                retryTimer = -1;
                write();
              });
              return;
            }
            dirty.clear();
          }
          write();
        });
  }

  // ---- the other nodes ----

  /** Reads which members are online on the other live nodes; tells the hubs whose presence changed. */
  Future<Void> loadPresence() {
    presence.beginLoad();
    return pool.preparedQuery(SNAPSHOT).execute(Tuple.of(nodeId, deadAfterSeconds()))
        .map(rows -> {
          Map<String, Set<Long>> snapshot = new HashMap<>();
          rows.forEach(r -> snapshot.computeIfAbsent(r.getString("node_id"), k -> new HashSet<>()).add(r.getLong("member_id")));
          refresh(presence.finishLoad(snapshot));
          return (Void) null;
        })
        .onFailure(err -> presence.abandonLoad());
  }

  /** Tells this node's hubs that these members' presence changed (a signal from this node changes nothing else). */
  private void refresh(Set<Long> members) {
    members.forEach(m -> bus.publishHere(new ChatSignal.PresenceChanged(nodeId, m, presence.isLocal(m))));
  }

  private void beat() {
    if (stopping) {
      return;
    }
    pool.preparedQuery(REGISTER).execute(Tuple.of(nodeId, settings.bus().envName()))
        .compose(rows -> {
          if (rows.iterator().next().getBoolean("inserted")) {
            log.atWarn().addKeyValue("node", nodeId).log("this node had been taken for dead; registered again");
            context.runOnContext(v -> {
              dirty.addAll(presence.localMembers());
              write();
            });
          }
          return others();
        })
        .onSuccess(this::look)
        .compose(v -> pool.preparedQuery(REAP).execute(Tuple.of(deadAfterSeconds() * 4)))
        .onFailure(err -> log.atWarn().addKeyValue("error", String.valueOf(err)).log("node heartbeat failed"));
  }

  /**
   * Takes the other rows in: counts live nodes, warns of a split brain, forgets the presence of
   * expired nodes, and of nodes without a row in two beats running (a row the query started too
   * early to see shows up in the next one).
   */
  private void look(List<Row> rows) {
    Set<String> present = new HashSet<>();
    Set<String> dead = new HashSet<>();
    int alive = 1;
    for (Row r : rows) {
      String id = r.getString("id");
      present.add(id);
      if (r.getBoolean("alive")) {
        alive++;
        if (!shared()) {
          log.atError().addKeyValue("node", nodeId).addKeyValue("other", id)
              .log("CHAT_BUS=local, but another node runs on this database: members on different nodes do not see "
                  + "each other's messages; set CHAT_BUS=postgres on every node");
        } else if ("local".equals(r.getString("bus"))) {
          log.atError().addKeyValue("node", nodeId).addKeyValue("other", id)
              .log("a node with CHAT_BUS=local runs on this database and does not see this node's messages; "
                  + "set CHAT_BUS=postgres on every node");
        }
      } else {
        dead.add(id);
      }
    }
    liveNodes.set(alive);
    Set<String> absent = new HashSet<>(presence.remoteNodes());
    absent.removeAll(present);
    for (String id : absent) {
      if (suspects.contains(id)) {
        dead.add(id);
      }
    }
    absent.removeAll(dead);
    suspects = absent;
    if (!dead.isEmpty()) {
      Set<Long> changed = presence.forgetNodes(dead);
      if (!changed.isEmpty()) {
        log.atInfo().addKeyValue("nodes", dead.toString()).addKeyValue("members", changed.size())
            .log("members of dead nodes went offline");
        refresh(changed);
      }
    }
  }
}
