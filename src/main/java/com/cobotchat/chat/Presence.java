package com.cobotchat.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected: sockets per member on this node, plus the members other nodes reported online
 * through {@link ChatSignal.PresenceChanged} or the {@code chat_presence} table.
 *
 * <p>Loading the table's snapshot ({@link #beginLoad()} … {@link #finishLoad(Map)}) replaces what
 * is known of other nodes, then replays the signals that arrived while the query ran, so a change
 * newer than the snapshot is not undone by it.
 */
final class Presence {
  private record Change(String node, long memberId, boolean online) {
  }

  private final String nodeId;
  private final ConcurrentHashMap<Long, Integer> local = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Set<String>> remote = new ConcurrentHashMap<>();
  private List<Change> replay;

  Presence(String nodeId) {
    this.nodeId = nodeId;
  }

  String nodeId() {
    return nodeId;
  }

  /** Counts a new socket; true when it is the member's first on this node. */
  boolean opened(long memberId) {
    return local.merge(memberId, 1, Integer::sum) == 1;
  }

  /** Counts a closed socket; true when it was the member's last on this node. */
  boolean closed(long memberId) {
    Integer left = local.computeIfPresent(memberId, (k, n) -> n > 1 ? n - 1 : null);
    return left == null;
  }

  void remote(String node, long memberId, boolean online) {
    if (nodeId.equals(node)) {
      return;
    }
    synchronized (this) {
      if (replay != null) {
        replay.add(new Change(node, memberId, online));
      }
      apply(node, memberId, online);
    }
  }

  private void apply(String node, long memberId, boolean online) {
    if (online) {
      remote.computeIfAbsent(memberId, k -> ConcurrentHashMap.newKeySet()).add(node);
    } else {
      remote.computeIfPresent(memberId, (k, nodes) -> {
        nodes.remove(node);
        return nodes.isEmpty() ? null : nodes;
      });
    }
  }

  /** Starts recording remote changes; call before querying the snapshot. */
  synchronized void beginLoad() {
    replay = new ArrayList<>();
  }

  /**
   * Replaces what is known of other nodes with {@code snapshot} (node id → members online there),
   * then re-applies the changes recorded since {@link #beginLoad()}. Returns the members whose
   * online state on some other node changed.
   */
  synchronized Set<Long> finishLoad(Map<String, Set<Long>> snapshot) {
    Map<Long, Set<String>> before = copy();
    remote.clear();
    snapshot.forEach((node, members) -> {
      if (!nodeId.equals(node)) {
        members.forEach(m -> apply(node, m, true));
      }
    });
    if (replay != null) {
      replay.forEach(c -> apply(c.node(), c.memberId(), c.online()));
      replay = null;
    }
    Set<Long> changed = new HashSet<>();
    before.forEach((m, nodes) -> {
      if (!nodes.equals(remote.getOrDefault(m, Set.of()))) {
        changed.add(m);
      }
    });
    remote.keySet().stream().filter(m -> !before.containsKey(m)).forEach(changed::add);
    return changed;
  }

  /** Stops a load that failed, keeping what was known. */
  synchronized void abandonLoad() {
    replay = null;
  }

  /** Forgets what dead nodes had online; returns the members concerned. */
  synchronized Set<Long> forgetNodes(Collection<String> nodes) {
    Set<Long> changed = new HashSet<>();
    for (Map.Entry<Long, Set<String>> e : new ArrayList<>(remote.entrySet())) {
      if (e.getValue().removeIf(nodes::contains)) {
        changed.add(e.getKey());
        remote.computeIfPresent(e.getKey(), (k, v) -> v.isEmpty() ? null : v);
      }
    }
    return changed;
  }

  private Map<Long, Set<String>> copy() {
    Map<Long, Set<String>> out = new HashMap<>();
    remote.forEach((m, nodes) -> out.put(m, new HashSet<>(nodes)));
    return out;
  }

  boolean isOnline(long memberId) {
    return local.containsKey(memberId) || remote.containsKey(memberId);
  }

  boolean isLocal(long memberId) {
    return local.containsKey(memberId);
  }

  /** The other nodes that have members online, as far as this node knows. */
  synchronized Set<String> remoteNodes() {
    Set<String> out = new HashSet<>();
    remote.values().forEach(out::addAll);
    return out;
  }

  /** The members with a socket on this node. */
  Set<Long> localMembers() {
    return new HashSet<>(local.keySet());
  }

  /** On how many nodes the member has sockets (at least 1): the share of the send limit each node grants. */
  int nodesOnline(long memberId) {
    Set<String> others = remote.get(memberId);
    return Math.max(1, (local.containsKey(memberId) ? 1 : 0) + (others == null ? 0 : others.size()));
  }
}
