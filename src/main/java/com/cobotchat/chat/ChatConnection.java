package com.cobotchat.chat;

import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One member's WebSocket: reads client frames (SPEC 8 and {@code docs/protocol-extensions.md}),
 * authorises each, answers with the frame the protocol names or a typed {@code error}. A bad frame
 * is answered, never fatal. Lives on its hub's event loop.
 */
final class ChatConnection {
  private static final Logger log = LoggerFactory.getLogger(ChatConnection.class);
  static final int MAX_SUBSCRIPTIONS = 50;
  static final int CLOSE_TOO_LARGE = 1009;
  static final int MAX_TEXT = 4000;
  static final int MAX_CLIENT_MSG_ID = 64;
  static final int HISTORY_DEFAULT = 50;
  static final int HISTORY_MAX = 100;
  static final int MAX_IN_FLIGHT = 32;
  private static final int WRITE_QUEUE_BYTES = 1 << 20;
  private static final long SLOW_GRACE_MS = 5_000;
  private static final long MAX_CONGESTED_CHARS = 4L << 20;
  private static final long TYPING_INTERVAL_MS = 1_000;

  final Member member;
  final Space space;
  private final ChatHub hub;
  private final ServerWebSocket ws;
  private final Map<Long, String> rooms = new HashMap<>();
  private final Map<Long, Subscription> subscriptions = new LinkedHashMap<>();
  private final Map<Long, Long> lastTyping = new HashMap<>();
  private int inFlight;
  private boolean closing;
  private boolean congested;
  private long congestedChars;
  private long congestionTimer = -1;

  ChatConnection(ChatHub hub, ServerWebSocket ws, Member member, Space space) {
    this.hub = hub;
    this.ws = ws;
    this.member = member;
    this.space = space;
  }

  void start(List<RoomSummary> initialRooms) {
    initialRooms.forEach(r -> rooms.put(r.id(), r.kind()));
    ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(this::onSocketError);
    ws.closeHandler(v -> {
      closing = true;
      hub.cancelTimer(congestionTimer);
      hub.closed(this);
    });
    send(Frames.ready(member, space, initialRooms));
    ws.resume();
  }

  Collection<Subscription> subscriptionsView() {
    return new ArrayList<>(subscriptions.values());
  }

  ChatRepository repository() {
    return hub.repository();
  }

  void later(long delayMs, Runnable action) {
    hub.timer(delayMs, () -> {
      if (!closing) {
        action.run();
      }
    });
  }

  // ---- writing ----

  /**
   * Writes a frame. A client that stops reading is given {@value #SLOW_GRACE_MS} ms once its write
   * queue is full (or {@value #MAX_CONGESTED_CHARS} more characters), then disconnected; it catches up on reconnect.
   */
  void send(String frame) {
    if (closing) {
      return;
    }
    try {
      ws.writeTextMessage(frame);
      if (congested) {
        congestedChars += frame.length();
        if (congestedChars > MAX_CONGESTED_CHARS) {
          slowConsumer();
        }
      } else if (ws.writeQueueFull()) {
        congested = true;
        congestedChars = 0;
        ws.drainHandler(v -> {
          congested = false;
          hub.cancelTimer(congestionTimer);
          congestionTimer = -1;
        });
        congestionTimer = hub.timer(SLOW_GRACE_MS, this::slowConsumer);
      }
    } catch (IllegalStateException closed) {
      closing = true;
    }
  }

  void countDelivery() {
    hub.countDeliveries(1);
  }

  private void slowConsumer() {
    if (closing || !congested) {
      return;
    }
    hub.node().metrics().slowConsumers.increment();
    log.atInfo().addKeyValue("member", member.id()).log("closing a chat socket that reads too slowly");
    close(ChatHub.CLOSE_TRY_LATER, "too slow to read");
  }

  void close(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    ws.close((short) code, reason);
  }

  private void sendError(ChatException e, Object ref) {
    hub.node().metrics().errorFrames.increment();
    send(Frames.error(e, ref));
  }

  private void fail(Throwable err, Object ref) {
    ChatException e = ChatException.from(err);
    if (e.code() == ChatException.Code.INTERNAL) {
      log.atError().setCause(err).addKeyValue("member", member.id()).log("chat request failed");
    }
    sendError(e, ref);
  }

  // ---- room access, as signals change it ----

  /** The member lost a room: no more of its events, and {@code room_removed} once. */
  void lostRoom(long roomId) {
    boolean had = rooms.remove(roomId) != null;
    Subscription s = subscriptions.remove(roomId);
    if (s != null) {
      hub.unsubscribe(s);
    }
    if (had || s != null) {
      send(Frames.roomRemoved(roomId));
    }
  }

  void gainedRoom(RoomSummary room) {
    if (rooms.putIfAbsent(room.id(), room.kind()) == null) {
      send(Frames.roomAdded(room, null));
    }
  }

  void roomChanged(ChatSignal.RoomChanged changed) {
    if (!rooms.containsKey(changed.roomId())) {
      return;
    }
    if (changed.archived()) {
      rooms.remove(changed.roomId());
      Subscription s = subscriptions.remove(changed.roomId());
      if (s != null) {
        hub.unsubscribe(s);
      }
    }
    send(changed.frame());
  }

  // ---- reading ----

  /**
   * A frame over the size limit (from the decoder) or a fragmented message over it (from the
   * aggregator) surfaces here; neither closes the socket by itself: close with 1009.
   */
  private void onSocketError(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException
        || err instanceof IllegalStateException && String.valueOf(err.getMessage()).contains("max message size")) {
      close(CLOSE_TOO_LARGE, "frame too large");
    } else {
      log.atDebug().addKeyValue("member", member.id()).addKeyValue("error", String.valueOf(err)).log("chat socket error");
    }
  }

  private void onBinary(Buffer data) {
    sendError(ChatException.badRequest("binary frames are not supported; send JSON text frames"), null);
  }

  private void onText(String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (RuntimeException e) {
      sendError(ChatException.badRequest("a frame must be one JSON object"), null);
      return;
    }
    if (!(parsed instanceof JsonObject request)) {
      sendError(ChatException.badRequest("a frame must be one JSON object"), null);
      return;
    }
    Object ref = Fields.ref(request);
    try {
      Object type = request.getValue("type");
      if (!(type instanceof String t)) {
        throw ChatException.badRequest("type is required");
      }
      if (inFlight >= MAX_IN_FLIGHT && !"ping".equals(t)) {
        throw new ChatException(ChatException.Code.RATE_LIMITED, "too many requests in flight", 100);
      }
      Future<?> done = dispatch(t, request, ref);
      if (done != null) {
        inFlight++;
        done.onComplete(ar -> inFlight--).onFailure(err -> fail(err, ref));
      }
    } catch (RuntimeException e) {
      fail(e, ref);
    }
  }

  private Future<?> dispatch(String t, JsonObject request, Object ref) {
    return switch (t) {
      case "subscribe" -> subscribe(request, ref);
      case "unsubscribe" -> unsubscribe(request);
      case "send" -> sendMessage(request, ref);
      case "edit" -> edit(request, ref);
      case "delete" -> delete(request, ref);
      case "history" -> history(request, ref);
      case "typing" -> typing(request);
      case "read" -> read(request);
      case "dm" -> dm(request, ref);
      case "ping" -> {
        send(Frames.pong(ref));
        yield null;
      }
      case "members" -> members(ref);
      case "room_members" -> roomMembers(request, ref);
      case "rooms" -> allRooms(ref);
      case "room_create" -> createRoom(request, ref);
      case "room_rename" -> admin(request, ref, "room_rename", room -> membership().renameRoom(member.id(), room,
          Fields.string(request, "name")));
      case "room_archive" -> admin(request, ref, "room_archive", room -> membership().archiveRoom(member.id(), room));
      case "room_set_rule" -> admin(request, ref, "room_set_rule", room -> membership().setAutoJoin(member.id(), room,
          autoJoin(request)));
      case "room_add_member" -> admin(request, ref, "room_add_member", room -> membership().addMember(member.id(), room,
          Fields.id(request, "user")));
      case "room_remove_member" -> admin(request, ref, "room_remove_member", room -> membership().removeMember(member.id(),
          room, Fields.id(request, "user")));
      default -> throw ChatException.badRequest("unknown type");
    };
  }

  private RoomMembership membership() {
    return hub.node().membership();
  }

  private Future<?> subscribe(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    Long after = Fields.optionalCount(request, "after");
    if (!subscriptions.containsKey(roomId) && subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw new ChatException(ChatException.Code.TOO_LARGE, "at most " + MAX_SUBSCRIPTIONS + " subscriptions per connection");
    }
    Subscription previous = subscriptions.remove(roomId);
    if (previous != null) {
      hub.unsubscribe(previous);
    }
    Subscription subscription = hub.subscribe(this, roomId, ref);
    subscriptions.put(roomId, subscription);
    Future<java.util.Optional<ChatRepository.Page>> page = after == null
        ? repository().page(member.id(), roomId, 0, Long.MAX_VALUE, 50)
        : repository().page(member.id(), roomId, after, Long.MAX_VALUE, 500);
    return page.<Void>transform(ar -> {
      if (subscription.cancelled()) {
        return Future.succeededFuture();
      }
      if (ar.failed() || ar.result().isEmpty()) {
        subscriptions.remove(roomId, subscription);
        hub.unsubscribe(subscription);
        return Future.failedFuture(ar.failed() ? ar.cause() : ChatException.notFound("room"));
      }
      subscription.start(ar.result().get());
      return Future.succeededFuture();
    });
  }

  private Future<?> unsubscribe(JsonObject request) {
    Subscription s = subscriptions.remove(Fields.id(request, "room"));
    if (s != null) {
      hub.unsubscribe(s);
    }
    return null;
  }

  private Future<?> sendMessage(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    String clientMsgId = Fields.string(request, "clientMsgId");
    int idLength = clientMsgId.codePointCount(0, clientMsgId.length());
    if (idLength < 1 || idLength > MAX_CLIENT_MSG_ID) {
      throw ChatException.badRequest("clientMsgId has 1 to " + MAX_CLIENT_MSG_ID + " characters");
    }
    String text = messageText(request);
    limitRate();
    return hub.node().messages()
        .send(new MessageStore.SendCommand(member.id(), member.name(), member.avatarUrl(), roomId, clientMsgId, text))
        .onSuccess(sent -> send(Frames.ack(clientMsgId, sent.messageId(), sent.seq(), ref)));
  }

  private Future<?> edit(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    long messageId = Fields.id(request, "messageId");
    String text = messageText(request);
    limitRate();
    return hub.node().messages().edit(member.id(), roomId, messageId, text).onSuccess(seq -> answerOk("edit", ref,
        new JsonObject().put("room", Long.toString(roomId)).put("seq", seq)));
  }

  private Future<?> delete(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    long messageId = Fields.id(request, "messageId");
    limitRate();
    return hub.node().messages().delete(member.id(), roomId, messageId).onSuccess(seq -> answerOk("delete", ref,
        new JsonObject().put("room", Long.toString(roomId)).put("seq", seq)));
  }

  private void answerOk(String op, Object ref, JsonObject extra) {
    if (ref != null) {
      send(Frames.ok(op, ref, extra));
    }
  }

  private String messageText(JsonObject request) {
    String text = Fields.string(request, "text").strip();
    int length = text.codePointCount(0, text.length());
    if (length == 0) {
      throw ChatException.badRequest("text is empty");
    }
    if (length > MAX_TEXT) {
      throw new ChatException(ChatException.Code.TOO_LARGE, "text has at most " + MAX_TEXT + " characters");
    }
    return text;
  }

  private void limitRate() {
    long wait = hub.node().sends().acquire(member.id());
    if (wait > 0) {
      throw new ChatException(ChatException.Code.RATE_LIMITED, "too many messages; slow down", wait);
    }
  }

  private Future<?> history(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    Long before = Fields.optionalCount(request, "before");
    Long limit = Fields.optionalCount(request, "limit");
    if (limit != null && limit == 0) {
      throw ChatException.badRequest("limit must be 1 to " + HISTORY_MAX);
    }
    int size = limit == null ? HISTORY_DEFAULT : (int) Math.min(limit, HISTORY_MAX);
    return repository().page(member.id(), roomId, 0, before == null ? Long.MAX_VALUE : before, size).compose(page -> {
      if (page.isEmpty()) {
        return Future.failedFuture(ChatException.notFound("room"));
      }
      send(Frames.history(roomId, page.get().events(), page.get().more(), ref));
      return Future.succeededFuture();
    });
  }

  private Future<?> typing(JsonObject request) {
    long roomId = Fields.id(request, "room");
    if (!rooms.containsKey(roomId)) {
      throw ChatException.notFound("room");
    }
    long now = System.currentTimeMillis();
    Long last = lastTyping.get(roomId);
    if (last == null || now - last >= TYPING_INTERVAL_MS) {
      lastTyping.put(roomId, now);
      hub.node().bus().publish(new ChatSignal.RoomFrame(roomId, member.id(), Frames.typing(roomId, member.id(), member.name())));
    }
    return null;
  }

  private Future<?> read(JsonObject request) {
    long roomId = Fields.id(request, "room");
    long seq = Fields.count(request, "seq");
    return repository().markRead(member.id(), roomId, seq).compose(marker -> {
      if (marker.isEmpty()) {
        return Future.failedFuture(ChatException.notFound("room"));
      }
      hub.node().bus().publish(new ChatSignal.MemberFrame(member.id(),
          Frames.unread(roomId, marker.get()[0], marker.get()[1])));
      return Future.succeededFuture();
    });
  }

  private Future<?> dm(JsonObject request, Object ref) {
    long other = Fields.id(request, "user");
    return membership().openDirect(member.id(), other)
        .compose(roomId -> repository().roomsOf(member.id(), List.of(roomId)))
        .compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(ChatException.notFound("user"));
          }
          RoomSummary room = found.get(0);
          rooms.put(room.id(), room.kind());
          send(Frames.roomAdded(room, ref));
          return Future.succeededFuture();
        });
  }

  private Future<?> members(Object ref) {
    return repository().spaceMembers(space.id()).onSuccess(list -> send(Frames.withRef(new JsonObject()
        .put("type", "members").put("members", list), ref).encode()));
  }

  private Future<?> roomMembers(JsonObject request, Object ref) {
    long roomId = Fields.id(request, "room");
    return repository().roomMembers(member.id(), roomId).compose(list -> list.isEmpty()
        ? Future.failedFuture(ChatException.notFound("room"))
        : Future.succeededFuture(list.get())).onSuccess(list -> send(Frames.withRef(new JsonObject()
        .put("type", "room_members").put("room", Long.toString(roomId)).put("members", list), ref).encode()));
  }

  private Future<?> allRooms(Object ref) {
    requireAdmin();
    return repository().spaceRooms(member.id()).onSuccess(list -> send(Frames.withRef(new JsonObject()
        .put("type", "rooms").put("rooms", list), ref).encode()));
  }

  private Future<?> createRoom(JsonObject request, Object ref) {
    requireAdmin();
    String name = Fields.string(request, "name");
    String kind = request.getValue("kind") == null ? "channel" : Fields.string(request, "kind");
    RoomMembership.AutoJoin rule = request.getValue("autoJoin") == null ? RoomMembership.AutoJoin.NONE : autoJoin(request);
    return membership().createRoom(member.id(), name, kind, rule).onSuccess(roomId -> answerOk("room_create", ref,
        new JsonObject().put("room", Long.toString(roomId))));
  }

  private interface AdminStep {
    Future<?> run(long roomId);
  }

  private Future<?> admin(JsonObject request, Object ref, String op, AdminStep step) {
    requireAdmin();
    long roomId = Fields.id(request, "room");
    return step.run(roomId).onSuccess(v -> answerOk(op, ref, new JsonObject().put("room", Long.toString(roomId))));
  }

  private void requireAdmin() {
    if (!member.admin()) {
      throw ChatException.forbidden("only space admins can do this");
    }
  }

  private static RoomMembership.AutoJoin autoJoin(JsonObject request) {
    String rule = Fields.string(request, "autoJoin");
    Object raw = request.getValue("plans");
    List<String> plans = new ArrayList<>();
    if (raw != null) {
      if (!(raw instanceof JsonArray array)) {
        throw ChatException.badRequest("plans must be a list of plan names");
      }
      for (Object p : array) {
        if (!(p instanceof String s)) {
          throw ChatException.badRequest("plans must be a list of plan names");
        }
        plans.add(s);
      }
    }
    return new RoomMembership.AutoJoin(rule, plans);
  }
}
