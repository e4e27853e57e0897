package com.cobotchat.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client of the chat protocol for tests: keeps every frame it received, lets the
 * test wait for the next frame matching a condition, and records how the server closed it.
 */
public final class ChatClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final List<JsonObject> all = new ArrayList<>();
  private final LinkedList<JsonObject> unread = new LinkedList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private ChatClient(Vertx vertx) {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20).setMaxFrameSize(1 << 20));
    ws = client.webSocket();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      synchronized (this) {
        all.add(frame);
        unread.add(frame);
        notifyAll();
      }
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode()));
  }

  /** Opens {@code /ws?ticket=...} with an Origin header; the handlers are in place before the upgrade. */
  public static ChatClient connect(Vertx vertx, int port, String ticket, String origin) {
    ChatClient c = new ChatClient(vertx);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws" + (ticket == null ? "" : "?ticket=" + ticket));
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    c.ws.connect(options).await();
    return c;
  }

  public ChatClient send(JsonObject frame) {
    ws.writeTextMessage(frame.encode()).await();
    return this;
  }

  public ChatClient sendRaw(String text) {
    ws.writeTextMessage(text).await();
    return this;
  }

  public ChatClient sendBinary(Buffer data) {
    ws.writeBinaryMessage(data).await();
    return this;
  }

  public ChatClient sendFrame(WebSocketFrame frame) {
    ws.writeFrame(frame).await();
    return this;
  }

  /** Waits for (and takes) the first not yet taken frame matching the condition. */
  public synchronized JsonObject await(Predicate<JsonObject> condition, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      for (Iterator<JsonObject> it = unread.iterator(); it.hasNext(); ) {
        JsonObject f = it.next();
        if (condition.test(f)) {
          it.remove();
          return f;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + wait + "; unread: " + unread);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public JsonObject await(Predicate<JsonObject> condition) {
    return await(condition, WAIT);
  }

  /** The next not yet taken frame of this type. */
  public JsonObject next(String type) {
    return await(f -> type.equals(f.getString("type")));
  }

  /** The next frame of this type that answers the request with this ref. */
  public JsonObject answer(String type, String ref) {
    return await(f -> type.equals(f.getString("type")) && ref.equals(f.getValue("ref")));
  }

  /** Waits a moment and returns the not yet taken frames matching the condition (taking them). */
  public synchronized List<JsonObject> drain(Predicate<JsonObject> condition, Duration quiet) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, quiet.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<JsonObject> out = new ArrayList<>();
    for (Iterator<JsonObject> it = unread.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (condition.test(f)) {
        it.remove();
        out.add(f);
      }
    }
    return out;
  }

  /** Every frame received so far, in order. */
  public synchronized List<JsonObject> received() {
    return new ArrayList<>(all);
  }

  /** The close code the server sent, waiting for the close. */
  public int closeCode(Duration wait) {
    try {
      return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + wait, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      try {
        ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // already gone
      }
    }
    client.close();
  }
}
