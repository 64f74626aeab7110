package org.robustws.session;

/** The outcome of a {@code resume} request. */
public sealed interface ResumeResult {

  /**
   * The new connection is attached; {@code replayed} events were queued to it, followed by the
   * {@code resumed} frame. {@code previous} is the sink that was attached before, if any, which the
   * caller must close.
   */
  record Resumed(ClientSession session, int replayed, EventSink previous) implements ResumeResult {}

  record Failed(Reason reason) implements ResumeResult {}

  /**
   * A newer connection already holds the session: this request is a late one from an older
   * connection of the same client, which the caller must close as taken over.
   */
  record Superseded() implements ResumeResult {}

  /** Wire values of {@code resume_failed.reason}. */
  enum Reason {
    UNKNOWN("unknown"),
    EXPIRED("expired"),
    GAP("gap"),
    INVALID_TOKEN("invalid_token");

    private final String wireValue;

    Reason(String wireValue) {
      this.wireValue = wireValue;
    }

    public String wireValue() {
      return wireValue;
    }
  }
}
