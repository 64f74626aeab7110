package org.robustws.session;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The locks of this node that serialise the writes and resumes of one session id: a fixed set of
 * stripes, so nothing grows with the sessions; two ids may share one.
 */
final class SessionLocks {
  private static final int STRIPES = 64;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  SessionLocks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  ReentrantLock of(String sessionId) {
    return stripes[Math.floorMod(sessionId.hashCode(), STRIPES)];
  }

  /** What {@code action} returns, run under the lock of {@code sessionId}. */
  <T> T get(String sessionId, Supplier<T> action) {
    ReentrantLock lock = of(sessionId);
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} under the lock of {@code sessionId}. */
  void run(String sessionId, Runnable action) {
    get(
        sessionId,
        () -> {
          action.run();
          return null;
        });
  }
}
