package org.robustws.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.robustws.connection.Outbound;
import org.robustws.stream.StreamPosition;

/** The outcome of a {@code resume} request. */
public sealed interface ResumeResult {

  /** How metrics and logs name this outcome: {@code ok}, {@code superseded} or the reason. */
  String label();

  /** Every {@link #label()} an outcome can have. */
  static List<String> labels() {
    List<String> labels = new ArrayList<>(List.of(Resumed.LABEL, Superseded.LABEL));
    for (Reason reason : Reason.values()) {
      labels.add(reason.wireValue());
    }
    return labels;
  }

  /**
   * The new connection holds the session; {@code replayed} events were queued to it, then the
   * {@code resumed} frame. {@code previous} is the sink that held it before, if any, which the
   * caller must close. {@code revoked}: channels the session was subscribed to that its identity
   * may no longer read, now unsubscribed; their events were left out of the replay.
   */
  record Resumed(
      ClientSession session,
      int replayed,
      Outbound previous,
      Map<String, StreamPosition> positions,
      List<String> revoked)
      implements ResumeResult {
    static final String LABEL = "ok";

    @Override
    public String label() {
      return LABEL;
    }
  }

  /**
   * @param channels for {@code gap}: the channels whose history no longer holds what is needed
   */
  record Failed(Reason reason, List<String> channels) implements ResumeResult {
    public Failed(Reason reason) {
      this(reason, List.of());
    }

    @Override
    public String label() {
      return reason.wireValue();
    }
  }

  /**
   * Another connection holds the session: a newer one (this request is a late one from an older
   * connection of the same client), or one on another node whose resume of the session at the same
   * moment wrote its record first (this one may have queued its replay and {@code resumed}
   * already). The caller must close the requesting connection as taken over, and {@code previous},
   * the sink of this node that held the session before, if any.
   */
  record Superseded(Outbound previous) implements ResumeResult {
    static final String LABEL = "superseded";

    @Override
    public String label() {
      return LABEL;
    }
  }

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
