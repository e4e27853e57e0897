package com.cobotchat.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One load-tool WebSocket, speaking one of three protocols: the chat's (SPEC 8), a plain broadcast
 * ({@code bench/ws-server.js}) or Socket.IO v4 over its WebSocket transport ({@code bench/socketio-server.js}).
 * Lives on one event-loop context; everything it records goes to its {@link LoadStats}.
 *
 * <p>A chat message carries its send time as {@code b:<nanoTime>:<sender index>:} at the start of
 * its text; the receiver computes the latency from it (sender and receiver share this JVM's clock).
 */
final class LoadConn {
  enum Proto { OURS, WS, SOCKETIO }

  /** How long an open may take (TCP connect and the upgrade answer). */
  static final long OPEN_TIMEOUT_MS = 30_000;

  final Proto proto;
  final int index;
  final Context context;
  final LoadStats stats;
  String room;
  /** Highest seq seen for {@link #room} (chat protocol), -1 before {@code subscribed}. */
  long lastSeq = -1;
  /** When this connection first reached {@link #target} (System.nanoTime), 0 before. */
  long caughtUpAt;
  long target = Long.MAX_VALUE;
  private ClientWebSocket ws;
  private Promise<Void> opened;
  private Promise<Void> joined;
  private long counter;
  private boolean closedByUs;
  volatile boolean closed;
  /** Open and answered ready (set on this connection's context). */
  volatile boolean ready;
  /** Called on this connection's context after each {@code ack} (chat protocol). */
  Runnable onAck;

  LoadConn(Proto proto, int index, Context context, LoadStats stats) {
    this.proto = proto;
    this.index = index;
    this.context = context;
    this.stats = stats;
  }

  /** Opens the socket on its context; completes once the server said it is ready (chat: {@code ready}). */
  Future<Void> open(WebSocketClient client, int port, String ticket, String origin, boolean subscriber) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      opened = done;
      closed = false;
      ready = false;
      done.future().onSuccess(x -> ready = true);
      closedByUs = false;
      ws = client.webSocket();
      ws.textMessageHandler(this::onText);
      ws.exceptionHandler(err -> stats.socketErrors.increment());
      ws.closeHandler(x -> {
        closed = true;
        if (!closedByUs) {
          stats.closedByServer.increment();
        }
        if (opened != null) {
          opened.tryFail("closed " + ws.closeStatusCode() + " " + ws.closeReason());
        }
        if (joined != null) {
          joined.tryFail("closed " + ws.closeStatusCode() + " " + ws.closeReason());
        }
      });
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setTimeout(OPEN_TIMEOUT_MS).setConnectTimeout(OPEN_TIMEOUT_MS);
      switch (proto) {
        case OURS -> options.setURI("/ws?ticket=" + ticket).addHeader("Origin", origin);
        case WS -> options.setURI(subscriber ? "/?sub=1" : "/");
        case SOCKETIO -> options.setURI("/socket.io/?EIO=4&transport=websocket");
      }
      ws.connect(options).onSuccess(s -> {
        if (proto == Proto.WS) {
          done.tryComplete();
        }
      }).onFailure(done::tryFail);
    });
    return done.future();
  }

  /** Starts receiving a room: chat {@code subscribe} (with {@code after} when given), Socket.IO {@code join}. */
  Future<Void> subscribe(String roomId, Long after) {
    this.room = roomId;
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      joined = done;
      if (closed || ws == null) {
        done.tryFail("not open");
        return;
      }
      switch (proto) {
        case OURS -> {
          JsonObject f = new JsonObject().put("type", "subscribe").put("room", roomId).put("ref", "s");
          if (after != null) {
            f.put("after", after);
          }
          ws.writeTextMessage(f.encode());
        }
        case WS -> done.tryComplete();
        case SOCKETIO -> ws.writeTextMessage("421[\"join\",\"" + roomId + "\"]");
      }
    });
    return done.future();
  }

  /** Sends one chat message now (call on this connection's context). */
  void send(String roomId, String padding) {
    if (closed) {
      stats.sendsOnClosed.increment();
      return;
    }
    long now = System.nanoTime();
    String text = "b:" + now + ":" + index + ":" + padding;
    String frame = switch (proto) {
      case OURS -> "{\"type\":\"send\",\"room\":\"" + roomId + "\",\"clientMsgId\":\"" + (++counter) + "-" + now
          + "\",\"text\":\"" + text + "\"}";
      case WS -> "{\"room\":\"" + roomId + "\",\"text\":\"" + text + "\"}";
      case SOCKETIO -> "42[\"chat\",{\"room\":\"" + roomId + "\",\"text\":\"" + text + "\"}]";
    };
    stats.sent.increment();
    ws.writeTextMessage(frame);
  }

  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closedByUs = true;
      if (ws == null || closed) {
        done.complete();
      } else {
        ws.close().onComplete(x -> done.complete());
      }
    });
    return done.future();
  }

  private void onText(String text) {
    switch (proto) {
      case OURS -> onChat(text);
      case WS -> delivered(text, -1);
      case SOCKETIO -> onSocketIo(text);
    }
  }

  private void onChat(String text) {
    if (text.startsWith("{\"type\":\"event\"")) {
      long seq = number(text, text.indexOf("\"seq\":") + 6);
      if (trackSeq(seq)) {
        delivered(text, seq);
      }
    } else if (text.startsWith("{\"type\":\"ack\"")) {
      int at = text.indexOf('-', text.indexOf("\"clientMsgId\":\"")) + 1;
      stats.ack(System.nanoTime() - number(text, at));
      long seq = number(text, text.indexOf("\"seq\":") + 6);
      stats.acked(room, seq);
      if (onAck != null) {
        onAck.run();
      }
    } else if (text.startsWith("{\"type\":\"ready\"")) {
      if (opened != null) {
        opened.tryComplete();
      }
    } else if (text.startsWith("{\"type\":\"subscribed\"")) {
      JsonObject answer = new JsonObject(text);
      JsonArray events = answer.getJsonArray("events");
      long base = lastSeq;
      if (base >= 0) {
        for (int i = 0; i < events.size(); i++) {
          long seq = events.getJsonObject(i).getLong("seq");
          if (trackSeq(seq)) {
            delivered(events.getJsonObject(i).encode(), seq);
            stats.caughtUpEvents.increment();
          }
        }
        if (answer.getBoolean("more")) {
          stats.morePages.increment();
        }
      }
      lastSeq = Math.max(lastSeq, answer.getLong("lastSeq"));
      checkCaughtUp();
      if (joined != null) {
        joined.tryComplete();
      }
    } else if (text.startsWith("{\"type\":\"error\"")) {
      stats.error(text);
      if (joined != null && text.contains("\"ref\":\"s\"")) {
        joined.tryFail(text);
      }
    }
  }

  /** Seq continuity per connection across reconnects: counts gaps (lost) and repeats (duplicates). */
  private boolean trackSeq(long seq) {
    if (lastSeq < 0) {
      return true;
    }
    if (seq <= lastSeq) {
      stats.duplicates.increment();
      return false;
    }
    if (seq > lastSeq + 1) {
      stats.lost.add(seq - lastSeq - 1);
    }
    lastSeq = seq;
    checkCaughtUp();
    return true;
  }

  private void checkCaughtUp() {
    if (caughtUpAt == 0 && lastSeq >= target) {
      caughtUpAt = System.nanoTime();
      stats.caughtUp.increment();
    }
  }

  private void onSocketIo(String text) {
    if (text.startsWith("42[\"chat\"")) {
      delivered(text, -1);
    } else if (text.equals("2")) {
      ws.writeTextMessage("3");
    } else if (text.startsWith("0{")) {
      ws.writeTextMessage("40");
    } else if (text.startsWith("40")) {
      if (opened != null) {
        opened.tryComplete();
      }
    } else if (text.startsWith("431")) {
      if (joined != null) {
        joined.tryComplete();
      }
    }
  }

  private void delivered(String text, long seq) {
    int at = text.indexOf("b:");
    if (at < 0) {
      return;
    }
    long sentAt = number(text, at + 2);
    int from = text.indexOf(':', at + 2) + 1;
    long sender = number(text, from);
    if (sender == index) {
      return;
    }
    stats.delivery(System.nanoTime() - sentAt);
  }

  /** Parses a non-negative decimal number starting at {@code at}. */
  private static long number(String s, int at) {
    long n = 0;
    for (int i = at; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
