package org.robustws.stream;

import static org.robustws.stream.StreamFormat.decode;
import static org.robustws.stream.StreamFormat.entryKey;
import static org.robustws.stream.StreamFormat.headKey;
import static org.robustws.stream.StreamFormat.parseHead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;

/**
 * Reads of the channels' streams ({@link ChannelStreams}): what a stream holds after a position.
 *
 * <p>Read without a lock. An append's keys (its entries, the entries its trim removes, the head)
 * become visible one at a time as it commits, on each node of a cluster in its own time, so a read
 * in between sees either the head without an entry it counts, or an entry the head does not count
 * yet. The second reads the stream as it was before the append (the event then arrives live, after
 * the commit). The first, an entry missing between the head's first and last, is read again under
 * the head's lock (on one node an append holds it until it has committed) and then after pauses of
 * 1, 2, 4 … {@value #MISSING_PAUSES_MS} ms (on a cluster a node applies a commit after the head's
 * owner has released the lock); still missing, it is lost. Other reads take no lock: the resumes of
 * one channel would otherwise wait on each other and on its appends.
 */
final class StreamReads {
  /** The longest pause before an entry the head counts is given up as lost (ms; 127 in all). */
  private static final long MISSING_PAUSES_MS = 64;

  private final Cache<String, String> cache;

  StreamReads(Cache<String, String> cache) {
    this.cache = cache;
  }

  /** As {@link ChannelStreams#readAfter}. */
  Optional<List<StreamEntry>> readAfter(String channel, StreamPosition from, long upTo) {
    Found found = readUnlocked(channel, from, upTo);
    if (found.entryMissing()) {
      found = readLocked(channel, from, upTo);
    }
    for (long pause = 1; found.entryMissing() && pause <= MISSING_PAUSES_MS; pause *= 2) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause)); // an interrupt ends it early
      found = readUnlocked(channel, from, upTo);
    }
    return Optional.ofNullable(found.entries());
  }

  /** As {@link ChannelStreams#readAfterEach}. */
  Catchup readAfterEach(Map<String, StreamPosition> positions) {
    Map<String, List<StreamEntry>> byChannel = new LinkedHashMap<>();
    List<String> lost = new ArrayList<>();
    positions.forEach(
        (channel, from) ->
            readAfter(channel, from, Long.MAX_VALUE)
                .ifPresentOrElse(
                    entries -> byChannel.put(channel, entries), () -> lost.add(channel)));
    return Catchup.merge(byChannel, lost);
  }

  private Found readUnlocked(String channel, StreamPosition from, long upTo) {
    AdvancedCache<String, String> unlocked = cache.getAdvancedCache();
    return read(unlocked, channel, parseHead(unlocked.get(headKey(channel))), from, upTo);
  }

  private Found readLocked(String channel, StreamPosition from, long upTo) {
    String headKey = headKey(channel);
    cache.startBatch();
    try {
      AdvancedCache<String, String> batch = cache.getAdvancedCache();
      batch.lock(headKey);
      return read(batch, channel, parseHead(batch.get(headKey)), from, upTo);
    } finally {
      cache.endBatch(true);
    }
  }

  /**
   * What a read found: the entries, or {@code null} if the stream does not hold them all; {@code
   * entryMissing} if that is because an entry between the head's first and last was not there (or
   * was still an older epoch's).
   */
  private record Found(List<StreamEntry> entries, boolean entryMissing) {
    static final Found LOST = new Found(null, false);
    static final Found MISSING = new Found(null, true);
  }

  private static Found read(
      AdvancedCache<String, String> batch,
      String channel,
      StreamHead head,
      StreamPosition from,
      long upTo) {
    if (head == null) {
      return from.offset() == 0 ? new Found(List.of(), false) : Found.LOST;
    }
    if (!from.sameHistory(head.epoch()) || from.offset() > head.last()) {
      return Found.LOST;
    }
    long last = Math.min(upTo, head.last());
    if (from.offset() >= last) {
      return new Found(List.of(), false);
    }
    if (from.offset() + 1 < head.first()) {
      return Found.LOST;
    }
    List<StreamEntry> entries = new ArrayList<>((int) (last - from.offset()));
    for (long offset = from.offset() + 1; offset <= last; offset++) {
      StreamEntry entry = decode(channel, offset, batch.get(entryKey(offset, channel)));
      if (entry == null || !entry.epoch().equals(head.epoch())) {
        return Found.MISSING; // or an older epoch's, which this epoch's append is overwriting
      }
      entries.add(entry);
    }
    return new Found(entries, false);
  }
}
