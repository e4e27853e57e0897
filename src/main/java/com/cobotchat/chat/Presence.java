package com.cobotchat.chat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected: sockets per member on this node, plus the members other nodes reported online
 * through {@link ChatSignal.PresenceChanged}.
 */
final class Presence {
  private final String nodeId;
  private final ConcurrentHashMap<Long, Integer> local = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Set<String>> remote = new ConcurrentHashMap<>();

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
    if (online) {
      remote.computeIfAbsent(memberId, k -> ConcurrentHashMap.newKeySet()).add(node);
    } else {
      remote.computeIfPresent(memberId, (k, nodes) -> {
        nodes.remove(node);
        return nodes.isEmpty() ? null : nodes;
      });
    }
  }

  boolean isOnline(long memberId) {
    return local.containsKey(memberId) || remote.containsKey(memberId);
  }
}
