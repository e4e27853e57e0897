package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * The node-level channel between chat hubs: every signal published reaches the handlers of every
 * hub of every node, this one included. Delivery is at most once; a hub that misses
 * {@link ChatSignal.RoomEvents} notices the gap in {@code seq} and re-reads from the database, so
 * an implementation may drop or trim signals (see {@link ChatSignal.RoomEvents#withoutEvents()}).
 * The in-process implementation is {@link LocalChatBus}.
 */
public interface ChatBus {

  /** Sends a signal to every registered handler on every node. Callable from any thread. */
  void publish(ChatSignal signal);

  /** Registers a handler; it is called on the context that registered it (a hub's event loop). */
  Future<Registration> register(Handler<ChatSignal> handler);

  /** Releases what the bus holds (connections, listeners). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** A registered handler. */
  interface Registration {
    Future<Void> cancel();
  }
}
