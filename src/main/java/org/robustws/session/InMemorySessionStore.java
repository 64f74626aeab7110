package org.robustws.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions of this node, in a concurrent map. Expired ids are remembered for one more grace. */
public final class InMemorySessionStore implements SessionStore {
  /** Caps the memory of expired ids if clients churn faster than they expire. */
  private static final int MAX_TOMBSTONES = 100_000;

  private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, Long> expiredAt = new ConcurrentHashMap<>();
  private final Tokens tokens = new Tokens();
  private final int bufferEvents;
  private final long bufferBytes;
  private final long graceMillis;

  public InMemorySessionStore(int bufferEvents, long bufferBytes, long graceMillis) {
    this.bufferEvents = bufferEvents;
    this.bufferBytes = bufferBytes;
    this.graceMillis = graceMillis;
  }

  @Override
  public ClientSession create(long now) {
    ClientSession session =
        new ClientSession(tokens.next("s-", 12), tokens, bufferEvents, bufferBytes, now);
    sessions.put(session.id(), session);
    return session;
  }

  @Override
  public Optional<ClientSession> find(String sessionId) {
    return sessionId == null ? Optional.empty() : Optional.ofNullable(sessions.get(sessionId));
  }

  @Override
  public void remove(String sessionId) {
    sessions.remove(sessionId);
  }

  @Override
  public boolean recentlyExpired(String sessionId) {
    return sessionId != null && expiredAt.containsKey(sessionId);
  }

  @Override
  public List<ClientSession> expire(long now) {
    expiredAt.values().removeIf(at -> now - at > graceMillis);
    List<ClientSession> expired = new ArrayList<>();
    for (ClientSession session : sessions.values()) {
      // remove(key, value) so that a session resumed meanwhile is not lost
      if (session.isExpired(now, graceMillis) && sessions.remove(session.id(), session)) {
        expired.add(session);
        if (expiredAt.size() < MAX_TOMBSTONES) {
          expiredAt.put(session.id(), now);
        }
      }
    }
    return expired;
  }

  @Override
  public long graceMillis() {
    return graceMillis;
  }

  @Override
  public int size() {
    return sessions.size();
  }
}
