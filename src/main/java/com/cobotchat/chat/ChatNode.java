package com.cobotchat.chat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * The chat's node-wide part, built once per node and shared by the {@link ChatHub} of every event
 * loop: the {@link ChatBus}, the message batcher, the {@link RoomMembership} service, the per-member
 * send limit, presence, this node's place among the others ({@link NodeRegistry}) and metrics.
 * Reachable as {@code services.chat()}. {@link #start()} before the hubs, {@link #close()} after them.
 */
public final class ChatNode {
  /** SPEC 8: sends per member, sustained per second and burst. */
  static final double SENDS_PER_SECOND = 10;
  static final int SEND_BURST = 20;

  private final Vertx vertx;
  private final ChatBus bus;
  private final ChatMetrics metrics;
  private final ChatRepository repository;
  private final ResyncReads resyncs;
  private final MessageStore messages;
  private final RoomMembership membership;
  private final Presence presence;
  private final RateLimiter sends;
  private final NodeRegistry nodes;
  private final long sweeper;
  private ChatBus.Registration registration;

  /** A node on its own ({@code CHAT_BUS=local} settings), with a random id. */
  public ChatNode(Vertx vertx, Pool pool, MeterRegistry registry, ChatBus bus) {
    this(vertx, pool, registry, bus, newNodeId(), NodeSettings.defaults().withBus(NodeSettings.Bus.LOCAL));
  }

  /**
   * @param nodeId   this node's id (the one the bus puts on its notifications)
   * @param settings the bus kind and heartbeat
   */
  public ChatNode(Vertx vertx, Pool pool, MeterRegistry registry, ChatBus bus, String nodeId, NodeSettings settings) {
    this.vertx = vertx;
    this.bus = bus;
    this.metrics = new ChatMetrics(registry);
    this.repository = new ChatRepository(pool);
    this.resyncs = new ResyncReads(pool);
    this.messages = new MessageStore(vertx, pool, bus, metrics);
    this.membership = new RoomMembership(pool, bus);
    this.presence = new Presence(nodeId);
    this.sends = new RateLimiter(SENDS_PER_SECOND, SEND_BURST, presence::nodesOnline);
    this.nodes = new NodeRegistry(vertx, pool, bus, presence, settings, registry);
    this.sweeper = vertx.setPeriodic(30_000, id -> sends.sweep());
  }

  /** A fresh id for a node process. */
  public static String newNodeId() {
    return UUID.randomUUID().toString();
  }

  /** Connects the bus, registers the node and learns who is online elsewhere. Call once, before deploying hubs. */
  public Future<Void> start() {
    return bus.start()
        .compose(v -> bus.register(this::onSignal))
        .compose(r -> {
          registration = r;
          return nodes.start();
        });
  }

  /** Room membership: default room, auto-join rules, removal from a space, admin operations. */
  public RoomMembership membership() {
    return membership;
  }

  public ChatBus bus() {
    return bus;
  }

  /** This node's id among the nodes on the database. */
  public String nodeId() {
    return presence.nodeId();
  }

  /** Live nodes on the database as this node last saw them, itself included. */
  public int liveNodes() {
    return nodes.liveNodes();
  }

  /** Graceful stop, after the hubs closed their sockets: waits until queued messages are committed. */
  public Future<Void> close() {
    vertx.cancelTimer(sweeper);
    return messages.drain()
        .eventually(nodes::stop)
        .eventually(() -> registration == null ? Future.succeededFuture() : registration.cancel())
        .eventually(bus::close);
  }

  private void onSignal(ChatSignal signal) {
    if (signal instanceof ChatSignal.Resync) {
      nodes.loadPresence();
    }
  }

  /** A member's first socket on this node opened, or the last one closed: every node learns it. */
  void presenceChanged(long memberId) {
    nodes.presenceChanged(memberId);
  }

  ChatMetrics metrics() {
    return metrics;
  }

  ChatRepository repository() {
    return repository;
  }

  ResyncReads resyncs() {
    return resyncs;
  }

  MessageStore messages() {
    return messages;
  }

  RateLimiter sends() {
    return sends;
  }

  Presence presence() {
    return presence;
  }
}
