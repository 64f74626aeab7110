package org.robustws.stream;

import jakarta.json.JsonValue;
import java.util.concurrent.ThreadLocalRandom;
import org.robustws.protocol.Utf8;

/**
 * How {@link ChannelStreams} lays a channel's stream out in its cache: strings only, so no
 * marshalling schema. Keys: {@code h:<channel>} the channel's head, {@code e:<offset>:<channel>}
 * one event, {@code p:<channel>:<key>} where the publication with that idempotency key went, and on
 * a cluster {@code k:<offset>:<channel>} that event's {@code p:} key ({@link HeadCopies}). Values:
 * a head is {@code epoch|first|last|bytes}, an event {@code epoch|appendedAt|tail}, a publication's
 * place {@code epoch|offset}. Channel names and epochs never contain {@code |}.
 */
final class StreamFormat {
  private static final char SEP = '|';

  private StreamFormat() {}

  /** The event as stored and sent: its frame's tail after {@code "seq"}. */
  static StreamEntry entry(
      String channel, String epoch, long offset, JsonValue data, JsonValue id, long now) {
    // channel names and epochs need no escaping: both are made of [A-Za-z0-9._:-]
    String tail =
        ",\"channel\":\""
            + channel
            + "\",\"offset\":"
            + offset
            + ",\"epoch\":\""
            + epoch
            + "\",\"data\":"
            + (data == null ? JsonValue.NULL : data)
            + (id == null ? "" : ",\"id\":" + id)
            + "}";
    return new StreamEntry(channel, epoch, offset, tail, Utf8.length(tail), now);
  }

  /** Different for every stream ever started (it tells a client that a history was lost). */
  static String newEpoch(long now) {
    return Long.toString(now, 36)
        + "-"
        + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

  static String headKey(String channel) {
    return "h:" + channel;
  }

  static String idKey(String channel, String key) {
    return "p:" + channel + ":" + key;
  }

  static String entryKey(long offset, String channel) {
    return "e:" + offset + ":" + channel;
  }

  static String idKeyOf(long offset, String channel) {
    return "k:" + offset + ":" + channel;
  }

  static String encode(StreamHead head) {
    return head.epoch() + SEP + head.first() + SEP + head.last() + SEP + head.bytes();
  }

  static StreamHead parseHead(String value) {
    if (value == null) {
      return null;
    }
    String[] parts = value.split("\\|", 4);
    return new StreamHead(
        parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
  }

  static String encodePlace(StreamEntry entry) {
    return entry.epoch() + SEP + entry.offset();
  }

  /** Where a publication went, or null for none. */
  static StreamPosition parsePlace(String value) {
    if (value == null) {
      return null;
    }
    int sep = value.indexOf(SEP);
    return new StreamPosition(value.substring(0, sep), Long.parseLong(value.substring(sep + 1)));
  }

  static String encode(StreamEntry entry) {
    return entry.epoch() + SEP + entry.appendedAt() + SEP + entry.tail();
  }

  static StreamEntry decode(String channel, long offset, String value) {
    if (value == null) {
      return null;
    }
    int a = value.indexOf(SEP);
    int b = value.indexOf(SEP, a + 1);
    String tail = value.substring(b + 1);
    return new StreamEntry(
        channel,
        value.substring(0, a),
        offset,
        tail,
        Utf8.length(tail),
        Long.parseLong(value.substring(a + 1, b)));
  }
}
