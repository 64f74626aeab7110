package org.robustws.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.robustws.stream.Catchup;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamPosition;

/**
 * What a resume sends: the events after the client's {@code lastSeq}, oldest first, or the channels
 * whose history is gone ({@code entries} null, and every channel lost, if where the client stands
 * is unknown).
 */
record ReplayPlan(List<StreamEntry> entries, List<String> lost) {

  /**
   * The {@code seq}s after {@code lastSeq} that the session already gave out are replayed from the
   * record's runs, so they keep their numbers; then what each channel got since the record's
   * positions, merged by append time. A client that sends its own positions resumes from them when
   * the runs no longer reach back to its {@code lastSeq}.
   */
  static ReplayPlan of(SessionRecord record, ResumeRequest request, ChannelStreams streams) {
    long lastSeq = request.lastSeq();
    Map<String, StreamPosition> from = new TreeMap<>(record.positions());
    List<StreamEntry> entries = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    if (lastSeq >= record.replayableFrom()) {
      for (SessionRecord.Run run : record.runs()) {
        if (run.lastSeq() <= lastSeq) {
          continue;
        }
        long skip = Math.max(0, lastSeq + 1 - run.firstSeq());
        StreamPosition before = new StreamPosition(run.epoch(), run.firstOffset() + skip - 1);
        long upTo = run.firstOffset() + run.count() - 1;
        Optional<List<StreamEntry>> part = streams.readAfter(run.channel(), before, upTo);
        if (part.isEmpty() || part.get().size() != upTo - before.offset()) {
          addOnce(lost, run.channel());
        } else {
          entries.addAll(part.get());
        }
      }
    } else if (!request.positions().isEmpty()) {
      // the client knows where it stands in each channel it listed
      for (Map.Entry<String, StreamPosition> own : request.positions().entrySet()) {
        if (from.containsKey(own.getKey())) {
          from.put(own.getKey(), own.getValue());
        }
      }
      if (!request.positions().keySet().containsAll(from.keySet())) {
        from.keySet().stream().filter(c -> !request.positions().containsKey(c)).forEach(lost::add);
      }
    } else {
      // acknowledged beyond lastSeq, and no positions: where it stands in each channel is unknown
      return new ReplayPlan(null, List.copyOf(from.keySet()));
    }
    Catchup since = streams.readAfterEach(from);
    since.lost().forEach(channel -> addOnce(lost, channel));
    entries.addAll(since.entries());
    return new ReplayPlan(entries, lost);
  }

  /** Whether the client's events are all there to send. */
  boolean complete() {
    return entries != null && lost.isEmpty();
  }

  private static void addOnce(List<String> list, String channel) {
    if (!list.contains(channel)) {
      list.add(channel);
    }
  }
}
