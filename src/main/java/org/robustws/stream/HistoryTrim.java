package org.robustws.stream;

import static org.robustws.stream.StreamFormat.decode;
import static org.robustws.stream.StreamFormat.entryKey;

import org.infinispan.AdvancedCache;

/** Keeps a channel's stream within its {@link HistoryLimits}, inside an append's transaction. */
final class HistoryTrim {
  private final HistoryLimits limits;

  HistoryTrim(HistoryLimits limits) {
    this.limits = limits;
  }

  long ageMs() {
    return limits.ageMs();
  }

  /**
   * Drops the oldest events while the stream holds more than the bounds allow or they are older
   * than the age bound; the newest event always stays.
   *
   * @param batch reads the events
   * @param writes removes them
   */
  StreamHead trim(
      AdvancedCache<String, String> batch,
      AdvancedCache<String, String> writes,
      String channel,
      StreamHead head,
      long now) {
    long first = head.first();
    long bytes = head.bytes();
    boolean recount = false;
    while (first < head.last()) {
      StreamEntry oldest = decode(channel, first, batch.get(entryKey(first, channel)));
      boolean over = head.last() - first + 1 > limits.events() || bytes > limits.bytes();
      if (oldest != null && !over && now - oldest.appendedAt() <= limits.ageMs()) {
        break;
      }
      writes.remove(entryKey(first, channel));
      if (oldest == null) {
        recount = true; // expired by its lifespan: its size is unknown now
      } else {
        bytes -= oldest.maxBytes();
      }
      first++;
    }
    if (recount) {
      bytes = 0;
      for (long offset = first; offset <= head.last(); offset++) {
        StreamEntry entry = decode(channel, offset, batch.get(entryKey(offset, channel)));
        bytes += entry == null ? 0 : entry.maxBytes();
      }
    }
    return new StreamHead(head.epoch(), first, head.last(), bytes);
  }
}
