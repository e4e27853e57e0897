package com.cobotchat.simulator;

import java.util.ArrayDeque;
import java.util.List;

/** An append-only log that keeps the newest {@code capacity} entries, so a long demo run stays small. */
final class BoundedLog<T> {
  private final ArrayDeque<T> entries = new ArrayDeque<>();
  private final int capacity;

  BoundedLog(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(T entry) {
    if (entries.size() == capacity) {
      entries.pollFirst();
    }
    entries.addLast(entry);
  }

  synchronized List<T> snapshot() {
    return List.copyOf(entries);
  }

  synchronized void clear() {
    entries.clear();
  }
}
