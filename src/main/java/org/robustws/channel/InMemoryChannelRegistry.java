package org.robustws.channel;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Channels of this node. Buckets are created and removed atomically with {@code compute*}, so a
 * channel without subscribers takes no memory and no subscription is lost to a race.
 */
public final class InMemoryChannelRegistry implements ChannelRegistry {
  private final Map<String, Set<String>> channels = new ConcurrentHashMap<>();

  @Override
  public boolean subscribe(String channel, String sessionId) {
    AtomicBoolean added = new AtomicBoolean();
    channels.compute(
        channel,
        (name, sessions) -> {
          Set<String> bucket = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
          added.set(bucket.add(sessionId));
          return bucket;
        });
    return added.get();
  }

  @Override
  public boolean unsubscribe(String channel, String sessionId) {
    AtomicBoolean removed = new AtomicBoolean();
    channels.computeIfPresent(
        channel,
        (name, sessions) -> {
          removed.set(sessions.remove(sessionId));
          return sessions.isEmpty() ? null : sessions;
        });
    return removed.get();
  }

  @Override
  public Set<String> subscribers(String channel) {
    Set<String> sessions = channels.get(channel);
    return sessions == null ? Set.of() : Collections.unmodifiableSet(sessions);
  }

  @Override
  public int channelCount() {
    return channels.size();
  }

  @Override
  public Set<String> channels() {
    return Collections.unmodifiableSet(channels.keySet());
  }
}
