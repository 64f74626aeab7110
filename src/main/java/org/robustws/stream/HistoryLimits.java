package org.robustws.stream;

/**
 * How much of each channel's history is kept: at most {@code events} events and {@code bytes} UTF-8
 * bytes of their frames; an event older than {@code ageMs} is dropped, and the stream of a channel
 * without an event for that long is forgotten (its next event starts a new epoch).
 */
public record HistoryLimits(int events, long bytes, long ageMs) {
  public HistoryLimits {
    if (events <= 0 || bytes <= 0 || ageMs <= 0) {
      throw new IllegalArgumentException("history limits must be positive");
    }
  }
}
