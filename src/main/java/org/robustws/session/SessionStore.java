package org.robustws.session;

import java.util.List;
import java.util.Optional;

/**
 * Where sessions live between connections. In memory on one node today; a clustered implementation
 * can replace it without touching the connection layer.
 */
public interface SessionStore {

  ClientSession create(long now);

  Optional<ClientSession> find(String sessionId);

  void remove(String sessionId);

  /** Whether the session existed and expired recently, to answer {@code expired}. */
  boolean recentlyExpired(String sessionId);

  /**
   * Removes the sessions detached for longer than the grace period.
   *
   * @return the removed sessions, so that their subscriptions can be dropped
   */
  List<ClientSession> expire(long now);

  /**
   * Resumes a session for a new connection, or says why not.
   *
   * @see ClientSession#resume
   */
  default ResumeResult resume(
      String sessionId,
      String token,
      long lastSeq,
      EventSink newSink,
      long now,
      ClientSession.ResumedFrame resumedFrame) {
    return find(sessionId)
        .map(session -> session.resume(token, lastSeq, newSink, now, graceMillis(), resumedFrame))
        .orElseGet(
            () ->
                new ResumeResult.Failed(
                    recentlyExpired(sessionId)
                        ? ResumeResult.Reason.EXPIRED
                        : ResumeResult.Reason.UNKNOWN));
  }

  long graceMillis();

  int size();
}
