package com.cobotchat.chat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * The chat's node-wide part, built once per node and shared by the {@link ChatHub} of every event
 * loop: the {@link ChatBus}, the message batcher, the {@link RoomMembership} service, the per-member
 * send limit, presence and metrics. Reachable as {@code services.chat()}.
 */
public final class ChatNode {
  /** SPEC 8: sends per member, sustained per second and burst. */
  static final double SENDS_PER_SECOND = 10;
  static final int SEND_BURST = 20;

  private final Vertx vertx;
  private final ChatBus bus;
  private final ChatMetrics metrics;
  private final ChatRepository repository;
  private final MessageStore messages;
  private final RoomMembership membership;
  private final RateLimiter sends = new RateLimiter(SENDS_PER_SECOND, SEND_BURST);
  private final Presence presence = new Presence(UUID.randomUUID().toString());
  private final long sweeper;

  public ChatNode(Vertx vertx, Pool pool, MeterRegistry registry, ChatBus bus) {
    this.vertx = vertx;
    this.bus = bus;
    this.metrics = new ChatMetrics(registry);
    this.repository = new ChatRepository(pool);
    this.messages = new MessageStore(vertx, pool, bus, metrics);
    this.membership = new RoomMembership(pool, bus);
    this.sweeper = vertx.setPeriodic(30_000, id -> sends.sweep());
  }

  /** Room membership: default room, auto-join rules, removal from a space, admin operations. */
  public RoomMembership membership() {
    return membership;
  }

  public ChatBus bus() {
    return bus;
  }

  /** Graceful stop, after the hubs closed their sockets: waits until queued messages are committed. */
  public Future<Void> close() {
    vertx.cancelTimer(sweeper);
    return messages.drain().eventually(bus::close);
  }

  ChatMetrics metrics() {
    return metrics;
  }

  ChatRepository repository() {
    return repository;
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
