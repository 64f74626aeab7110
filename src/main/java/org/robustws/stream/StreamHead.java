package org.robustws.stream;

/**
 * Where a channel's stream stands: its {@code epoch}, the offsets it still holds ({@code first} to
 * {@code last}; none when {@code first > last}) and their frames' UTF-8 bytes.
 */
public record StreamHead(String epoch, long first, long last, long bytes) {

  /** The number of events held. */
  public long events() {
    return last - first + 1;
  }

  public StreamPosition position() {
    return new StreamPosition(epoch, last);
  }
}
