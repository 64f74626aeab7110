package org.robustws.session;

import java.util.ArrayDeque;
import java.util.List;
import org.robustws.stream.StreamEntry;

/**
 * Which of a session's recent {@code seq}s a resume can still replay, and which channel offsets
 * they were: {@link SessionRecord.Run}s, oldest first, covering every {@code seq} after {@link
 * #replayableFrom}. At most {@code maxRuns} are kept (a channel keeps no more events); an {@code
 * ack} drops what the client will not resume before.
 *
 * <p>Not thread-safe: part of a {@link ClientSession}, whose lock guards every call.
 */
final class ReplayWindow {
  private final int maxRuns;
  private long replayableFrom;
  private ArrayDeque<LiveRun> runs; // made on the first event

  /**
   * @param replayableFrom the lowest {@code lastSeq} a resume can start from: the session's last
   *     {@code seq} when it begins, since nothing before it is remembered
   */
  ReplayWindow(long replayableFrom, int maxRuns) {
    this.replayableFrom = replayableFrom;
    this.maxRuns = maxRuns;
  }

  long replayableFrom() {
    return replayableFrom;
  }

  /** Records that {@code entry} was given the session's {@code seq}. */
  void remember(StreamEntry entry, long seq) {
    if (runs == null) {
      runs = new ArrayDeque<>(2);
    }
    LiveRun last = runs.peekLast();
    if (last != null
        && last.channel.equals(entry.channel())
        && last.epoch.equals(entry.epoch())
        && last.lastSeq() + 1 == seq
        && last.firstOffset + last.count == entry.offset()) {
      last.count++; // one channel's consecutive events: no allocation per delivery
    } else {
      runs.addLast(new LiveRun(entry.channel(), entry.epoch(), seq, entry.offset(), 1));
      if (runs.size() > maxRuns) {
        replayableFrom = runs.pollFirst().lastSeq();
      }
    }
  }

  /**
   * The client confirmed every event up to {@code ackedSeq} (at most {@code seq}, the session's
   * last): it will not resume before it.
   */
  void acknowledge(long ackedSeq, long seq) {
    long upTo = Math.min(ackedSeq, seq);
    if (upTo <= replayableFrom) {
      return;
    }
    replayableFrom = upTo;
    while (runs != null && !runs.isEmpty() && runs.peekFirst().firstSeq <= upTo) {
      LiveRun first = runs.peekFirst();
      if (first.lastSeq() > upTo) {
        int drop = (int) (upTo - first.firstSeq + 1);
        first.firstSeq += drop;
        first.firstOffset += drop;
        first.count -= drop;
        return;
      }
      runs.pollFirst();
    }
  }

  /** The runs as the session's record stores them, oldest first. */
  List<SessionRecord.Run> stored() {
    return runs == null ? List.of() : runs.stream().map(LiveRun::stored).toList();
  }

  /** A run of this session as it grows; {@link SessionRecord.Run} is its stored form. */
  private static final class LiveRun {
    final String channel;
    final String epoch;
    long firstSeq;
    long firstOffset;
    int count;

    LiveRun(String channel, String epoch, long firstSeq, long firstOffset, int count) {
      this.channel = channel;
      this.epoch = epoch;
      this.firstSeq = firstSeq;
      this.firstOffset = firstOffset;
      this.count = count;
    }

    long lastSeq() {
      return firstSeq + count - 1;
    }

    SessionRecord.Run stored() {
      return new SessionRecord.Run(channel, epoch, firstSeq, firstOffset, count);
    }
  }
}
