package com.cobotchat.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ChatBus} across nodes over PostgreSQL LISTEN/NOTIFY on channel {@value #CHANNEL}.
 *
 * <p>This node's handlers get every signal directly, through a {@link LocalChatBus}; other nodes
 * get it as a notification. A notification carries the sender's node id and one or more signals in
 * their JSON form, packed up to {@value #MAX_PAYLOAD} bytes (PostgreSQL refuses 8000 and more); a
 * node ignores its own. Room events too big for one notification travel in several, and an event
 * too big on its own travels as its seq range only ({@link ChatSignal.RoomEvents#withoutEvents()}),
 * which receivers re-read from the database.
 *
 * <p>{@link #publishOnCommit} queues the NOTIFY inside the writing transaction, so other nodes
 * learn of an event exactly when it commits, in commit order. {@link #publish} sends from one
 * writer per node, batching what queued up meanwhile into one statement, in publish order.
 *
 * <p>The listening connection is its own (application_name {@code cobot-chat listener <node>}),
 * reconnects with back-off, and is probed: the node notifies itself every heartbeat, and a listener
 * that heard none of the last probes is closed and reopened. Once it listens again the bus
 * publishes {@link ChatSignal.Resync} here, and the hubs re-read what they may have missed.
 */
public final class PgChatBus implements ChatBus {
  /** The notification channel. */
  public static final String CHANNEL = "cobot_chat";
  /** Bytes of one notification payload at most. */
  static final int MAX_PAYLOAD = 7900;
  private static final int MAX_OUTBOX = 100_000;
  private static final int PAYLOADS_PER_STATEMENT = 64;
  private static final int PROBES_MISSED = 2;
  private static final long MAX_RECONNECT_DELAY_MS = 5_000;
  private static final String NOTIFY = "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p";
  private static final String NOTIFY_ONE = "SELECT pg_notify($1, $2)";
  private static final Logger log = LoggerFactory.getLogger(PgChatBus.class);

  /** One signal in its wire form with its size in UTF-8 bytes. */
  record Wire(String json, int bytes) {
    static Wire of(String json) {
      return new Wire(json, utf8Length(json));
    }
  }

  private final Vertx vertx;
  private final SqlClient pool;
  private final LocalChatBus local;
  private final String nodeId;
  private final String header;
  private final int maxSignal;
  private final Duration probeInterval;
  private final PgSubscriber subscriber;
  private final Context context;
  private final ArrayDeque<Wire> outbox = new ArrayDeque<>();
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();
  private boolean sending;
  private final AtomicLong probesSent = new AtomicLong();
  private final AtomicLong probeHeard = new AtomicLong();
  private final AtomicLong listens = new AtomicLong();
  private long probeTimer = -1;
  private volatile boolean closed;
  private final Counter notificationsSent;
  private final Counter signalsReceived;
  private final Counter signalsDropped;
  private final Counter eventsTrimmed;
  private final Counter reconnects;

  /**
   * @param pool          sends notifications (outside transactions)
   * @param listen        where the listening connection connects (usually the pool's database)
   * @param nodeId        this node's id, also in every notification it sends
   * @param probeInterval how often the listener is probed
   */
  public PgChatBus(Vertx vertx, SqlClient pool, PgConnectOptions listen, String nodeId, Duration probeInterval,
                   MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    this.local = new LocalChatBus(vertx);
    this.nodeId = nodeId;
    this.header = "{\"n\":" + Json.encode(nodeId) + ",\"s\":[";
    this.maxSignal = MAX_PAYLOAD - utf8Length(header) - 2;
    this.probeInterval = probeInterval;
    PgConnectOptions options = new PgConnectOptions(listen);
    options.addProperty("application_name", applicationName(nodeId));
    this.subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(attempt -> Math.min(MAX_RECONNECT_DELAY_MS, 100L << Math.min(attempt, 6)));
    this.context = vertx.getOrCreateContext();
    notificationsSent = Counter.builder("chat.bus.notifications.sent")
        .description("Notifications this node sent to other nodes (each carries one or more signals)").register(registry);
    signalsReceived = Counter.builder("chat.bus.signals.received")
        .description("Signals received from other nodes").register(registry);
    signalsDropped = Counter.builder("chat.bus.signals.dropped")
        .description("Signals not sent to other nodes (queue full, database error, too big)").register(registry);
    eventsTrimmed = Counter.builder("chat.bus.events.trimmed")
        .description("Room events sent without their content (receivers re-read them)").register(registry);
    reconnects = Counter.builder("chat.bus.listener.reconnects")
        .description("Times the listening connection came back after a loss").register(registry);
  }

  /** The application_name of a node's listening connection, as {@code pg_stat_activity} shows it. */
  public static String applicationName(String nodeId) {
    String name = "cobot-chat listener " + nodeId;
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<Void> start() {
    PgChannel channel = subscriber.channel(CHANNEL);
    channel.handler(this::onNotification);
    channel.subscribeHandler(v -> listening());
    return subscriber.connect().onSuccess(v -> context.runOnContext(x ->
        probeTimer = vertx.setPeriodic(probeInterval.toMillis(), id -> probe())));
  }

  @Override
  public void publish(ChatSignal signal) {
    local.publish(signal);
    if (signal instanceof ChatSignal.Resync || closed) {
      return;
    }
    List<Wire> wire = encode(signal);
    if (!wire.isEmpty()) {
      context.runOnContext(v -> enqueue(wire));
    }
  }

  @Override
  public Future<Void> publishOnCommit(SqlConnection conn, List<? extends ChatSignal> signals) {
    if (signals.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Wire> wire = new ArrayList<>();
    for (ChatSignal s : signals) {
      wire.addAll(encode(s));
    }
    conn.transaction().completion().onSuccess(v -> signals.forEach(local::publish));
    if (wire.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> payloads = pack(new ArrayDeque<>(wire), Integer.MAX_VALUE);
    return conn.preparedQuery(NOTIFY).execute(Tuple.tuple().addValue(CHANNEL).addValue(payloads.toArray(String[]::new)))
        .map(rows -> {
          notificationsSent.increment(payloads.size());
          return null;
        });
  }

  @Override
  public void publishHere(ChatSignal signal) {
    local.publish(signal);
  }

  @Override
  public Future<Registration> register(Handler<ChatSignal> handler) {
    return local.register(handler);
  }

  /** Sends what is queued (waits up to two seconds), stops listening. */
  @Override
  public Future<Void> close() {
    Promise<Void> idle = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(probeTimer);
      if (!sending && outbox.isEmpty()) {
        idle.tryComplete();
      } else {
        idleWaiters.add(idle);
        vertx.setTimer(2_000, t -> idle.tryComplete());
      }
    });
    return idle.future().compose(v -> {
      closed = true;
      return subscriber.close();
    }).eventually(local::close);
  }

  // ---- receiving ----

  private void listening() {
    if (listens.getAndIncrement() == 0) {
      log.atInfo().addKeyValue("node", nodeId).addKeyValue("channel", CHANNEL).log("chat bus listening");
      return;
    }
    reconnects.increment();
    probeHeard.set(probesSent.get());
    log.atWarn().addKeyValue("node", nodeId).log("chat bus listening again; re-reading what may have been missed");
    local.publish(new ChatSignal.Resync());
  }

  private void onNotification(String payload) {
    if (payload.startsWith(header)) {
      return; // this node's own signals, already handed to its hubs when their transaction committed
    }
    JsonObject json;
    try {
      json = new JsonObject(payload);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("bytes", payload.length()).log("chat bus: unreadable notification ignored");
      return;
    }
    if (nodeId.equals(json.getString("n"))) {
      Long probe = json.getLong("probe");
      if (probe != null) {
        probeHeard.accumulateAndGet(probe, Math::max);
      }
      return;
    }
    JsonArray list = json.getJsonArray("s");
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      try {
        local.publish(ChatSignal.fromJson(list.getJsonObject(i)));
        signalsReceived.increment();
      } catch (RuntimeException e) {
        log.atDebug().addKeyValue("error", String.valueOf(e)).log("chat bus: signal of another version skipped");
      }
    }
  }

  /** Notifies this node; a listener that heard none of the last probes is reopened. */
  private void probe() {
    PgConnection listener = subscriber.actualConnection();
    if (listener != null && probesSent.get() - probeHeard.get() > PROBES_MISSED) {
      log.atWarn().addKeyValue("node", nodeId).log("chat bus listener heard nothing; reconnecting");
      probeHeard.set(probesSent.get());
      listener.close();
      return;
    }
    long n = probesSent.get() + 1;
    String ping = new JsonObject().put("n", nodeId).put("probe", n).encode();
    pool.preparedQuery(NOTIFY_ONE).execute(Tuple.of(CHANNEL, ping)).onSuccess(r -> probesSent.accumulateAndGet(n, Math::max));
  }

  // ---- sending outside transactions ----

  private void enqueue(List<Wire> wire) {
    if (outbox.size() + wire.size() > MAX_OUTBOX) {
      signalsDropped.increment(wire.size());
      return;
    }
    outbox.addAll(wire);
    flush();
  }

  private void flush() {
    if (sending) {
      return;
    }
    if (outbox.isEmpty()) {
      idleWaiters.forEach(Promise::tryComplete);
      idleWaiters.clear();
      return;
    }
    int before = outbox.size();
    List<String> payloads = pack(outbox, PAYLOADS_PER_STATEMENT);
    int signals = before - outbox.size();
    sending = true;
    pool.preparedQuery(NOTIFY).execute(Tuple.tuple().addValue(CHANNEL).addValue(payloads.toArray(String[]::new)))
        .onComplete(ar -> {
          sending = false;
          if (ar.succeeded()) {
            notificationsSent.increment(payloads.size());
          } else {
            signalsDropped.increment(signals);
            log.atWarn().addKeyValue("signals", signals).addKeyValue("error", String.valueOf(ar.cause()))
                .log("chat bus: notifications not sent");
          }
          flush();
        });
  }

  // ---- wire form ----

  /** The signal as one or more wire signals that each fit a notification; empty when it cannot travel. */
  List<Wire> encode(ChatSignal signal) {
    Wire whole = Wire.of(signal.toJson().encode());
    if (whole.bytes() <= maxSignal) {
      return List.of(whole);
    }
    if (signal instanceof ChatSignal.RoomEvents events && events.events() != null) {
      return split(events);
    }
    signalsDropped.increment();
    log.atWarn().addKeyValue("signal", signal.getClass().getSimpleName()).addKeyValue("bytes", whole.bytes())
        .log("chat bus: signal too big for a notification, not sent to other nodes");
    return List.of();
  }

  private List<Wire> split(ChatSignal.RoomEvents signal) {
    int base = Wire.of(new ChatSignal.RoomEvents(signal.roomId(), Long.MAX_VALUE, Long.MAX_VALUE, List.of())
        .toJson().encode()).bytes();
    List<Wire> out = new ArrayList<>();
    List<RoomEvent> chunk = new ArrayList<>();
    int size = base;
    for (RoomEvent e : signal.events()) {
      int bytes = Wire.of(e.toJson().encode()).bytes() + 1;
      if (base + bytes > maxSignal) {
        addChunk(signal.roomId(), chunk, out);
        chunk = new ArrayList<>();
        size = base;
        eventsTrimmed.increment();
        out.add(Wire.of(new ChatSignal.RoomEvents(signal.roomId(), e.seq(), e.seq(), List.of(e)).withoutEvents()
            .toJson().encode()));
        continue;
      }
      if (size + bytes > maxSignal) {
        addChunk(signal.roomId(), chunk, out);
        chunk = new ArrayList<>();
        size = base;
      }
      chunk.add(e);
      size += bytes;
    }
    addChunk(signal.roomId(), chunk, out);
    return out;
  }

  private void addChunk(long roomId, List<RoomEvent> chunk, List<Wire> out) {
    if (chunk.isEmpty()) {
      return;
    }
    ChatSignal.RoomEvents part = new ChatSignal.RoomEvents(roomId, chunk.get(0).seq(), chunk.get(chunk.size() - 1).seq(),
        List.copyOf(chunk));
    Wire wire = Wire.of(part.toJson().encode());
    if (wire.bytes() > maxSignal) {
      eventsTrimmed.increment(chunk.size());
      wire = Wire.of(part.withoutEvents().toJson().encode());
    }
    out.add(wire);
  }

  /** Takes wire signals from the head of {@code queue} into at most {@code max} payloads. */
  List<String> pack(ArrayDeque<Wire> queue, int max) {
    List<String> payloads = new ArrayList<>();
    StringBuilder payload = null;
    int bytes = 0;
    while (!queue.isEmpty()) {
      Wire next = queue.peek();
      if (payload != null && bytes + 1 + next.bytes() + 2 > MAX_PAYLOAD) {
        payloads.add(payload.append("]}").toString());
        payload = null;
      }
      if (payload == null) {
        if (payloads.size() >= max) {
          break;
        }
        payload = new StringBuilder(header);
        bytes = utf8Length(header);
      } else {
        payload.append(',');
        bytes++;
      }
      queue.poll();
      payload.append(next.json());
      bytes += next.bytes();
    }
    if (payload != null) {
      payloads.add(payload.append("]}").toString());
    }
    return payloads;
  }

  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
