package org.robustws.session;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The sessions detached on this node, oldest first, with when: the first to expire at {@code
 * ws.max-sessions}. It counts the sessions detached since this node started: those detached before
 * a restart expire on their own within twice the grace period, uncounted (iterating a cache of
 * WildFly's PROTOSTREAM container fails on its values' transcoding).
 */
final class DetachedSessions {
  private final LinkedHashMap<String, Detached> detached = new LinkedHashMap<>();
  private final long lifespanMillis;
  private final int maxSessions;
  private final IntSupplier held;

  /**
   * @param held how many sessions this node's connections hold: they count towards the cap
   */
  DetachedSessions(long graceMillis, int maxSessions, IntSupplier held) {
    this.lifespanMillis = 2 * graceMillis;
    this.maxSessions = maxSessions;
    this.held = held;
  }

  /**
   * A session detached here, and the hash of the token it had then: a resume (here or on another
   * node) gives it another, and then it is no longer this node's to expire.
   */
  record Detached(String sessionId, String tokenHash, long at) {}

  /**
   * Counts a detached session, forgets those whose records have expired by now, and says which
   * sessions, oldest first, exceed the cap and must expire.
   */
  synchronized List<Detached> add(String sessionId, String tokenHash, long now) {
    List<Detached> over = new ArrayList<>();
    detached.remove(sessionId);
    detached.put(sessionId, new Detached(sessionId, tokenHash, now));
    Iterator<Detached> oldest = detached.values().iterator();
    while (oldest.hasNext()) {
      Detached next = oldest.next();
      boolean gone = now - next.at() > lifespanMillis;
      if (!gone && held.getAsInt() + detached.size() <= maxSessions) {
        break;
      }
      oldest.remove();
      if (!gone) {
        over.add(next);
      }
    }
    return over;
  }

  /** A resume took the session: no longer detached. */
  synchronized void remove(String sessionId) {
    detached.remove(sessionId);
  }
}
