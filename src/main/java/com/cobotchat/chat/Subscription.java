package com.cobotchat.chat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One connection's subscription to one room. It guarantees its own order: every event is written
 * exactly once, in seq order, from the {@code subscribed} answer on. Events arriving while a query
 * runs are buffered; a gap (a seq missing in what arrived, or a seq the channel announced that this
 * subscription has not written yet) is filled from the database before going live again.
 */
final class Subscription {
  private static final int CATCH_UP_PAGE = 500;
  private static final int MAX_BUFFER = 10_000;
  private static final long RETRY_MS = 1_000;

  final ChatConnection connection;
  final RoomChannel channel;
  final long roomId;
  private Object ref;
  private long lastSent = -1;
  private boolean started;
  private boolean live;
  private boolean catchingUp;
  private boolean cancelled;
  private final TreeMap<Long, RoomEvent> buffer = new TreeMap<>();

  Subscription(ChatConnection connection, RoomChannel channel, Object ref) {
    this.connection = connection;
    this.channel = channel;
    this.roomId = channel.roomId;
    this.ref = ref;
  }

  boolean started() {
    return started;
  }

  /** The last seq written while live, else -1. */
  long liveLastSent() {
    return live ? lastSent : -1;
  }

  boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    cancelled = true;
    buffer.clear();
  }

  /** The answer to {@code subscribe}: the page the query found, then whatever arrived meanwhile. */
  void start(ChatRepository.Page page) {
    if (cancelled) {
      return;
    }
    started = true;
    connection.send(Frames.subscribed(roomId, page.events(), page.lastSeq(), page.more(), ref));
    ref = null;
    lastSent = page.lastSeq();
    channel.sendPresence(this);
    settle();
  }

  /** An event from the channel, in seq order as far as the channel knows; returns whether it was written now. */
  boolean offer(RoomEvent e) {
    if (cancelled || e.seq() <= lastSent) {
      return false;
    }
    if (live && e.seq() == lastSent + 1) {
      write(e);
      return true;
    }
    if (buffer.size() < MAX_BUFFER) {
      buffer.put(e.seq(), e);
    }
    if (live) {
      catchUp();
    }
    return false;
  }

  private void write(RoomEvent e) {
    connection.send(e.frame());
    lastSent = e.seq();
    if (isMyDeparture(e)) {
      connection.lostRoom(roomId);
    }
  }

  private boolean isMyDeparture(RoomEvent e) {
    return RoomEvent.MEMBER_LEFT.equals(e.kind()) && e.subjectId() == connection.member.id();
  }

  /** Writes what the buffer holds in order; goes live when nothing is missing, else catches up. */
  private void settle() {
    buffer.headMap(lastSent, true).clear();
    Map.Entry<Long, RoomEvent> next;
    while (!cancelled && (next = buffer.firstEntry()) != null && next.getKey() == lastSent + 1) {
      buffer.pollFirstEntry();
      write(next.getValue());
      connection.countDelivery();
    }
    if (cancelled) {
      return;
    }
    if (!buffer.isEmpty() || channel.announced() > lastSent) {
      catchUp();
    } else {
      live = true;
    }
  }

  private void catchUp() {
    live = false;
    if (catchingUp || cancelled) {
      return;
    }
    catchingUp = true;
    connection.repository().range(roomId, lastSent, Long.MAX_VALUE, CATCH_UP_PAGE).onComplete(ar -> {
      catchingUp = false;
      if (cancelled) {
        return;
      }
      if (ar.failed()) {
        connection.later(RETRY_MS, this::catchUp);
        return;
      }
      List<RoomEvent> events = ar.result();
      for (RoomEvent e : events) {
        if (cancelled) {
          return;
        }
        if (e.seq() == lastSent + 1) {
          write(e);
          connection.countDelivery();
        }
      }
      if (events.size() == CATCH_UP_PAGE) {
        catchUp();
      } else {
        settle();
      }
    });
  }
}
