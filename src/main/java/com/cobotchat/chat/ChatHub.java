package com.cobotchat.chat;

import com.cobotchat.app.Services;
import com.cobotchat.space.Member;
import com.cobotchat.space.Space;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chat of one event loop: owns the WebSockets its {@code HttpVerticle} accepted, the room
 * channels they subscribe to, and takes the node's {@link ChatSignal}s for them. Everything here
 * runs on that loop, so nothing is shared across threads.
 */
public final class ChatHub {
  private static final Logger log = LoggerFactory.getLogger(ChatHub.class);
  static final int CLOSE_GOING_AWAY = 1001;
  static final int CLOSE_POLICY = 1008;
  static final int CLOSE_TRY_LATER = 1013;
  static final int CLOSE_TICKET = 4401;

  private final Services services;
  private final ChatNode node;
  private final Vertx vertx;
  private final String origin;
  private final Set<ChatConnection> connections = new LinkedHashSet<>();
  private final Map<Long, List<ChatConnection>> byMember = new HashMap<>();
  private final Map<Long, RoomChannel> channels = new HashMap<>();
  private ChatBus.Registration registration;
  private boolean stopping;

  public ChatHub(Services services, Vertx vertx) {
    this.services = services;
    this.node = services.chat();
    this.vertx = vertx;
    this.origin = services.config().publicOrigin();
  }

  /** Call from the verticle's start, on its event loop. */
  public Future<Void> start() {
    return node.bus().register(this::onSignal).map(r -> {
      registration = r;
      return null;
    });
  }

  /** Graceful stop: every socket is closed with 1001 ("going away"); the batcher keeps writing what it has. */
  public Future<Void> stop() {
    stopping = true;
    new ArrayList<>(connections).forEach(c -> c.close(CLOSE_GOING_AWAY, "server stopping"));
    return registration == null ? Future.succeededFuture() : registration.cancel();
  }

  /** {@code GET /ws?ticket=...}: the WebSocket upgrade of SPEC 8. */
  public void accept(RoutingContext ctx) {
    if (stopping) {
      ctx.response().setStatusCode(503).end();
      return;
    }
    String requestOrigin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    String ticket = ctx.request().getParam("ticket");
    ctx.request().toWebSocket()
        .onSuccess(ws -> open(ws, requestOrigin, ticket))
        .onFailure(err -> {
          if (!ctx.response().ended()) {
            ctx.response().setStatusCode(400).end();
          }
        });
  }

  private record Opening(Member member, Space space, List<RoomSummary> rooms) {
  }

  private static final class Refused extends RuntimeException {
    final int code;

    Refused(int code, String reason) {
      super(reason, null, false, false);
      this.code = code;
    }
  }

  private void open(ServerWebSocket ws, String requestOrigin, String ticket) {
    if (!origin.equals(requestOrigin)) {
      ws.close((short) CLOSE_POLICY, "origin not allowed");
      return;
    }
    ws.pause();
    services.tickets().redeem(ticket)
        .compose(id -> id.isEmpty() ? Future.failedFuture(new Refused(CLOSE_TICKET, "ticket invalid"))
            : services.members().findById(id.get()))
        .compose(found -> {
          if (found.isEmpty() || !found.get().mayChat()) {
            return Future.failedFuture(new Refused(RoomMembership.LOST_SPACE, "no access to the space"));
          }
          Member member = found.get();
          return services.spaces().findById(member.spaceId()).compose(space -> space.isEmpty()
              ? Future.failedFuture(new Refused(RoomMembership.LOST_SPACE, "no access to the space"))
              : node.repository().roomsOf(member.id(), null).map(rooms -> new Opening(member, space.get(), rooms)));
        })
        .onSuccess(opening -> admit(ws, opening))
        .onFailure(err -> {
          ws.resume();
          if (err instanceof Refused refused) {
            ws.close((short) refused.code, refused.getMessage());
          } else {
            log.atWarn().addKeyValue("error", String.valueOf(err)).log("chat connect failed");
            ws.close((short) CLOSE_TRY_LATER, "try again later");
          }
        });
  }

  private void admit(ServerWebSocket ws, Opening opening) {
    if (ws.isClosed()) {
      return;
    }
    if (stopping) {
      ws.close((short) CLOSE_GOING_AWAY, "server stopping");
      return;
    }
    ChatConnection connection = new ChatConnection(this, ws, opening.member(), opening.space());
    connections.add(connection);
    byMember.computeIfAbsent(opening.member().id(), k -> new ArrayList<>()).add(connection);
    node.metrics().connections.incrementAndGet();
    if (node.presence().opened(opening.member().id())) {
      node.bus().publish(new ChatSignal.PresenceChanged(node.presence().nodeId(), opening.member().id(), true));
    }
    connection.start(opening.rooms());
  }

  /** A socket closed (either side): forget it, its subscriptions and its presence. */
  void closed(ChatConnection connection) {
    if (!connections.remove(connection)) {
      return;
    }
    connection.subscriptionsView().forEach(this::unsubscribe);
    List<ChatConnection> mine = byMember.get(connection.member.id());
    if (mine != null) {
      mine.remove(connection);
      if (mine.isEmpty()) {
        byMember.remove(connection.member.id());
      }
    }
    node.metrics().connections.decrementAndGet();
    if (node.presence().closed(connection.member.id())) {
      node.bus().publish(new ChatSignal.PresenceChanged(node.presence().nodeId(), connection.member.id(), false));
    }
  }

  Subscription subscribe(ChatConnection connection, long roomId, Object ref) {
    RoomChannel channel = channels.computeIfAbsent(roomId, id -> new RoomChannel(this, id));
    Subscription subscription = new Subscription(connection, channel, ref);
    channel.add(subscription);
    return subscription;
  }

  void unsubscribe(Subscription subscription) {
    subscription.cancel();
    RoomChannel channel = subscription.channel;
    if (channel.remove(subscription) && channels.get(channel.roomId) == channel) {
      channels.remove(channel.roomId);
      channel.dispose();
    }
  }

  RoomChannel channel(long roomId) {
    return channels.get(roomId);
  }

  private void onSignal(ChatSignal signal) {
    try {
      if (signal instanceof ChatSignal.RoomEvents events) {
        RoomChannel channel = channels.get(events.roomId());
        if (channel != null) {
          channel.onEvents(events);
        }
      } else if (signal instanceof ChatSignal.RoomFrame frame) {
        RoomChannel channel = channels.get(frame.roomId());
        if (channel != null) {
          channel.broadcast(frame.frame(), frame.exceptMemberId());
        }
      } else if (signal instanceof ChatSignal.MemberFrame frame) {
        forMember(frame.memberId()).forEach(c -> c.send(frame.frame()));
      } else if (signal instanceof ChatSignal.AccessChanged access) {
        accessChanged(access);
      } else if (signal instanceof ChatSignal.RoomChanged changed) {
        new ArrayList<>(connections).forEach(c -> c.roomChanged(changed));
      } else if (signal instanceof ChatSignal.CloseMember close) {
        forMember(close.memberId()).forEach(c -> c.close(close.code(), close.reason()));
      } else if (signal instanceof ChatSignal.PresenceChanged presence) {
        node.presence().remote(presence.nodeId(), presence.memberId(), presence.online());
        channels.values().stream().filter(c -> c.hasMember(presence.memberId())).forEach(RoomChannel::presenceChanged);
      }
    } catch (RuntimeException e) {
      log.atError().setCause(e).addKeyValue("signal", signal.getClass().getSimpleName()).log("chat signal failed");
    }
  }

  private void accessChanged(ChatSignal.AccessChanged access) {
    List<ChatConnection> mine = forMember(access.memberId());
    if (mine.isEmpty()) {
      return;
    }
    for (ChatConnection c : mine) {
      access.removed().forEach(c::lostRoom);
    }
    if (access.added().isEmpty()) {
      return;
    }
    node.repository().roomsOf(access.memberId(), access.added()).onSuccess(rooms -> {
      for (ChatConnection c : forMember(access.memberId())) {
        rooms.forEach(c::gainedRoom);
      }
    }).onFailure(err -> log.atWarn().addKeyValue("error", String.valueOf(err)).log("room_added lookup failed"));
  }

  private List<ChatConnection> forMember(long memberId) {
    List<ChatConnection> mine = byMember.get(memberId);
    return mine == null ? List.of() : new ArrayList<>(mine);
  }

  boolean isOnline(long memberId) {
    return node.presence().isOnline(memberId);
  }

  void countDeliveries(int n) {
    if (n > 0) {
      node.metrics().deliveries.increment(n);
    }
  }

  ChatRepository repository() {
    return node.repository();
  }

  ChatNode node() {
    return node;
  }

  long timer(long delayMs, Runnable action) {
    return vertx.setTimer(delayMs, id -> action.run());
  }

  void cancelTimer(long id) {
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }
}
