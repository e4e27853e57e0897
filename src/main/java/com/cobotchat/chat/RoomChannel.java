package com.cobotchat.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The subscribers of one room on one event loop, and the room's event stream as this loop sees it:
 * events are passed on in seq order; one that arrives ahead of a missing seq waits briefly for it
 * (signals from different writers may cross), then the missing range is read from the database
 * once for all subscribers. Also keeps the room's member ids for {@code presence}.
 */
final class RoomChannel {
  private static final long GAP_WAIT_MS = 30;
  private static final long RETRY_MS = 1_000;
  private static final long PRESENCE_DEBOUNCE_MS = 200;
  private static final int FETCH_PAGE = 500;

  final long roomId;
  private final ChatHub hub;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final TreeMap<Long, RoomEvent> parked = new TreeMap<>();
  private long known = -1;
  private long announced;
  private long gapTimer = -1;
  private boolean fetching;
  private boolean disposed;
  private Set<Long> memberIds;
  private boolean loadingMembers;
  private long presenceTimer = -1;

  RoomChannel(ChatHub hub, long roomId) {
    this.hub = hub;
    this.roomId = roomId;
  }

  void add(Subscription subscription) {
    subscriptions.add(subscription);
    if (memberIds == null && !loadingMembers) {
      loadMembers();
    }
  }

  /** Removes a subscription; true when none is left. */
  boolean remove(Subscription subscription) {
    subscriptions.remove(subscription);
    return subscriptions.isEmpty();
  }

  void dispose() {
    disposed = true;
    hub.cancelTimer(gapTimer);
    hub.cancelTimer(presenceTimer);
    parked.clear();
  }

  /** The highest seq any signal announced for this room. */
  long announced() {
    return announced;
  }

  void onEvents(ChatSignal.RoomEvents signal) {
    announced = Math.max(announced, signal.toSeq());
    if (known < 0) {
      known = baseline(signal.fromSeq() - 1);
    }
    if (signal.events() != null) {
      for (RoomEvent e : signal.events()) {
        if (e.seq() > known) {
          parked.put(e.seq(), e);
        }
      }
    }
    drain();
    if (announced > known) {
      scheduleFetch(signal.events() == null ? 0 : GAP_WAIT_MS);
    }
  }

  /** Without history on this loop: continue from the most advanced live subscriber, else from the signal. */
  private long baseline(long fallback) {
    long max = -1;
    for (Subscription s : subscriptions) {
      max = Math.max(max, s.liveLastSent());
    }
    return max >= 0 ? max : fallback;
  }

  private void drain() {
    parked.headMap(known, true).clear();
    Map.Entry<Long, RoomEvent> next;
    while ((next = parked.firstEntry()) != null && next.getKey() == known + 1) {
      parked.pollFirstEntry();
      known = next.getKey();
      emit(next.getValue());
    }
    if (announced <= known && gapTimer >= 0) {
      hub.cancelTimer(gapTimer);
      gapTimer = -1;
    }
  }

  private void emit(RoomEvent e) {
    trackMembers(e);
    int written = 0;
    for (Subscription s : subscriptions.toArray(Subscription[]::new)) {
      if (s.offer(e)) {
        written++;
      }
    }
    hub.countDeliveries(written);
  }

  private void scheduleFetch(long delayMs) {
    if (disposed || fetching || gapTimer >= 0) {
      return;
    }
    if (delayMs == 0) {
      fetch();
    } else {
      gapTimer = hub.timer(delayMs, () -> {
        gapTimer = -1;
        fetch();
      });
    }
  }

  private void fetch() {
    if (disposed || announced <= known) {
      return;
    }
    fetching = true;
    long from = known;
    hub.repository().range(roomId, from, announced, FETCH_PAGE).onComplete(ar -> {
      fetching = false;
      if (disposed) {
        return;
      }
      if (ar.failed()) {
        scheduleFetch(RETRY_MS);
        return;
      }
      if (ar.result().isEmpty() && known == from) {
        known = announced;
      }
      for (RoomEvent e : ar.result()) {
        if (e.seq() > known) {
          parked.put(e.seq(), e);
        }
      }
      drain();
      if (announced > known) {
        scheduleFetch(0);
      }
    });
  }

  /** An ephemeral frame (typing) for the live subscribers, except one member's connections. */
  void broadcast(String frame, long exceptMemberId) {
    for (Subscription s : subscriptions) {
      if (s.started() && s.connection.member.id() != exceptMemberId) {
        s.connection.send(frame);
      }
    }
  }

  // ---- presence ----

  private void loadMembers() {
    loadingMembers = true;
    hub.repository().roomMemberIds(roomId).onComplete(ar -> {
      loadingMembers = false;
      if (disposed) {
        return;
      }
      if (ar.succeeded()) {
        memberIds = new HashSet<>(ar.result());
        presenceChanged();
      } else {
        hub.timer(RETRY_MS, () -> {
          if (!disposed && memberIds == null && !loadingMembers) {
            loadMembers();
          }
        });
      }
    });
  }

  private void trackMembers(RoomEvent e) {
    if (memberIds == null) {
      return;
    }
    boolean changed = RoomEvent.MEMBER_JOINED.equals(e.kind()) ? memberIds.add(e.subjectId())
        : RoomEvent.MEMBER_LEFT.equals(e.kind()) && memberIds.remove(e.subjectId());
    if (changed) {
      presenceChanged();
    }
  }

  boolean hasMember(long memberId) {
    return memberIds != null && memberIds.contains(memberId);
  }

  /** Someone's online state or the member list changed: tell the subscribers, at most every {@value #PRESENCE_DEBOUNCE_MS} ms. */
  void presenceChanged() {
    if (disposed || memberIds == null || presenceTimer >= 0) {
      return;
    }
    presenceTimer = hub.timer(PRESENCE_DEBOUNCE_MS, () -> {
      presenceTimer = -1;
      String frame = presenceFrame();
      for (Subscription s : subscriptions) {
        if (s.started()) {
          s.connection.send(frame);
        }
      }
    });
  }

  /** Right after a subscription's answer, when the member list is known (else the first broadcast covers it). */
  void sendPresence(Subscription subscription) {
    if (memberIds != null) {
      subscription.connection.send(presenceFrame());
    }
  }

  private String presenceFrame() {
    List<Long> online = new ArrayList<>();
    for (Long id : memberIds) {
      if (hub.isOnline(id)) {
        online.add(id);
      }
    }
    online.sort(null);
    return Frames.presence(roomId, online);
  }
}
