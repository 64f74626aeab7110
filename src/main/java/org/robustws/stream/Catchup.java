package org.robustws.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a resume replays: the events after each channel's position, merged across channels, and the
 * channels whose stream no longer holds all of them ({@link ChannelStreams#readAfterEach}).
 */
public record Catchup(List<StreamEntry> entries, List<String> lost) {
  /**
   * Merges the channels' events by append time, each channel's in its offset order: an event counts
   * as appended at the latest time of its channel up to it. Appends to one channel on different
   * nodes take their times from different clocks, so a later offset may carry an earlier time.
   *
   * @param byChannel each channel's events in offset order
   */
  static Catchup merge(Map<String, List<StreamEntry>> byChannel, List<String> lost) {
    List<Timed> timed = new ArrayList<>();
    byChannel.forEach(
        (channel, entries) -> {
          long at = Long.MIN_VALUE;
          for (StreamEntry entry : entries) {
            at = Math.max(at, entry.appendedAt());
            timed.add(new Timed(at, entry));
          }
        });
    timed.sort(Timed.ORDER);
    return new Catchup(timed.stream().map(Timed::entry).toList(), List.copyOf(lost));
  }

  private record Timed(long at, StreamEntry entry) {
    static final Comparator<Timed> ORDER =
        Comparator.comparingLong(Timed::at)
            .thenComparing(timed -> timed.entry().channel())
            .thenComparingLong(timed -> timed.entry().offset());
  }
}
