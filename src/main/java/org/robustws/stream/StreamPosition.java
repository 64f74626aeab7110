package org.robustws.stream;

/**
 * A place in a channel's stream: the last {@code offset} processed in {@code epoch}. The epoch is
 * empty for a channel that held no event yet; offset 0 means "before the first event".
 */
public record StreamPosition(String epoch, long offset) {
  /** The start of a channel that held no event yet. */
  public static final StreamPosition START = new StreamPosition("", 0);

  public StreamPosition {
    if (epoch == null || offset < 0) {
      throw new IllegalArgumentException("epoch must be set and offset non-negative");
    }
  }

  /** Whether an entry of {@code entryEpoch} continues this position's history. */
  public boolean sameHistory(String entryEpoch) {
    return epoch.isEmpty() ? offset == 0 : epoch.equals(entryEpoch);
  }
}
