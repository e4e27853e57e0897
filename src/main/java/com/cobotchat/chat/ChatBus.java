package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

/**
 * The node-level channel between chat hubs: every signal published reaches the handlers of every
 * hub of every node, this one included. Delivery is at most once; a hub that misses
 * {@link ChatSignal.RoomEvents} notices the gap in {@code seq} and re-reads from the database, so
 * an implementation may drop or trim signals (see {@link ChatSignal.RoomEvents#withoutEvents()}).
 * An implementation that can lose signals for a while (a dropped connection) publishes
 * {@link ChatSignal.Resync} on this node once it is listening again.
 *
 * <p>Implementations: {@link LocalChatBus} (one process) and {@link PgChatBus} (PostgreSQL
 * LISTEN/NOTIFY, several nodes on one database).
 */
public interface ChatBus {

  /** Sends a signal to every registered handler on every node. Callable from any thread. */
  void publish(ChatSignal signal);

  /**
   * Sends signals with the transaction open on {@code conn}: other nodes get them if and when it
   * commits, this node's handlers right after the commit, nobody after a rollback. Call inside the
   * transaction after its writes; the future completes once the signals are queued in it.
   */
  default Future<Void> publishOnCommit(SqlConnection conn, List<? extends ChatSignal> signals) {
    if (!signals.isEmpty()) {
      conn.transaction().completion().onSuccess(v -> signals.forEach(this::publish));
    }
    return Future.succeededFuture();
  }

  /** Sends a signal to this node's handlers only (what this node learned from the database). */
  default void publishHere(ChatSignal signal) {
    publish(signal);
  }

  /** Registers a handler; it is called on the context that registered it (a hub's event loop). */
  Future<Registration> register(Handler<ChatSignal> handler);

  /** Connects and starts listening to other nodes, if the implementation has any to listen to. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Releases what the bus holds (connections, listeners). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** A registered handler. */
  interface Registration {
    Future<Void> cancel();
  }
}
