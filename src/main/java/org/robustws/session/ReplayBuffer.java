package org.robustws.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent events of one session, bounded by count and bytes; the oldest go first. Holds a
 * contiguous range of {@code seq} values. Not thread-safe: its session guards it.
 */
final class ReplayBuffer {
  private record Entry(long seq, String frame, int bytes) {}

  // starts small (the default is 16 slots): many sessions never get an event, and heap per
  // connection is a figure users size servers by
  private final ArrayDeque<Entry> entries = new ArrayDeque<>(1);
  private final int maxEvents;
  private final long maxBytes;
  private long bytes;

  ReplayBuffer(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  void add(long seq, String frame, int frameBytes) {
    entries.addLast(new Entry(seq, frame, frameBytes));
    bytes += frameBytes;
    while (!entries.isEmpty() && (entries.size() > maxEvents || bytes > maxBytes)) {
      bytes -= entries.removeFirst().bytes();
    }
  }

  /** Drops the events the client confirmed. */
  void acknowledge(long seq) {
    while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
      bytes -= entries.removeFirst().bytes();
    }
  }

  /** Whether every event in {@code (lastSeq, currentSeq]} is still here. */
  boolean covers(long lastSeq, long currentSeq) {
    if (lastSeq >= currentSeq) {
      return lastSeq == currentSeq;
    }
    return !entries.isEmpty() && entries.peekFirst().seq() <= lastSeq + 1;
  }

  List<String> framesAfter(long lastSeq) {
    List<String> frames = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.seq() > lastSeq) {
        frames.add(entry.frame());
      }
    }
    return frames;
  }

  int size() {
    return entries.size();
  }

  long bytes() {
    return bytes;
  }
}
