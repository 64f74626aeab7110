package org.robustws.stream;

/**
 * One event of a channel stream, as stored once for all its subscribers. Every subscriber's {@code
 * event} frame differs only in {@code seq}, so the rest is kept as ready-made JSON: {@code tail}
 * starts after the {@code seq} value and ends the object.
 *
 * @param tailBytes UTF-8 bytes of {@code tail}
 * @param appendedAt epoch ms of the append, for the history's age bound and the order of a replay
 *     across channels
 */
public record StreamEntry(
    String channel, String epoch, long offset, String tail, int tailBytes, long appendedAt) {

  private static final String PREFIX = "{\"type\":\"event\",\"seq\":";

  /** The most digits a {@code seq} can have: a frame is never larger than {@link #maxBytes()}. */
  private static final int MAX_SEQ_DIGITS = 19;

  /** The {@code event} frame for one subscriber. */
  public String frame(long seq) {
    return PREFIX + seq + tail;
  }

  /** UTF-8 bytes of {@link #frame(long)} for this {@code seq}. */
  public int frameBytes(long seq) {
    return PREFIX.length() + digits(seq) + tailBytes;
  }

  /**
   * UTF-8 bytes of this entry's frame for any {@code seq}: what the history's byte bound counts.
   */
  public int maxBytes() {
    return PREFIX.length() + MAX_SEQ_DIGITS + tailBytes;
  }

  private static int digits(long seq) {
    int digits = 1;
    for (long rest = seq / 10; rest > 0; rest /= 10) {
      digits++;
    }
    return digits;
  }

  public StreamPosition position() {
    return new StreamPosition(epoch, offset);
  }
}
