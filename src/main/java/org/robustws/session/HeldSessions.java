package org.robustws.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.robustws.channel.ChannelRegistry;

/**
 * The sessions connections of this node hold: by session id, by the connection holding each, and by
 * the channels each listens to (which the fan-out reads). {@link SessionStore} keeps the three in
 * step under its per-session locks.
 */
final class HeldSessions {
  private final ChannelRegistry channels;
  private final Map<String, ClientSession> byId = new ConcurrentHashMap<>();
  private final Map<String, ClientSession> byConnection = new ConcurrentHashMap<>();

  HeldSessions(ChannelRegistry channels) {
    this.channels = channels;
  }

  /** Held by {@code connectionId} from now on, listening to its channels. */
  void hold(ClientSession session, String connectionId) {
    byId.put(session.id(), session);
    byConnection.put(connectionId, session);
    session.channels().forEach(channel -> channels.subscribe(channel, session.id()));
  }

  ClientSession get(String sessionId) {
    return byId.get(sessionId);
  }

  boolean contains(String sessionId) {
    return byId.containsKey(sessionId);
  }

  int size() {
    return byId.size();
  }

  Collection<ClientSession> all() {
    return byId.values();
  }

  ClientSession ofConnection(String connectionId) {
    return byConnection.get(connectionId);
  }

  /** The connection no longer holds a session. @return the one it held, if any */
  ClientSession releaseConnection(String connectionId) {
    return byConnection.remove(connectionId);
  }

  /** The connection no longer holds {@code session} (if it still did). */
  void releaseConnection(String connectionId, ClientSession session) {
    byConnection.remove(connectionId, session);
  }

  void listen(ClientSession session, String channel) {
    channels.subscribe(channel, session.id());
  }

  void stopListening(ClientSession session, String channel) {
    channels.unsubscribe(channel, session.id());
  }

  /** No longer held here: out of its channels and of the ids (its connection's entry aside). */
  void forget(ClientSession session) {
    session.channels().forEach(channel -> channels.unsubscribe(channel, session.id()));
    byId.remove(session.id(), session);
  }

  boolean listened(String channel) {
    return !channels.subscribers(channel).isEmpty();
  }

  /** The held sessions subscribed to the channel. */
  List<ClientSession> subscribers(String channel) {
    List<ClientSession> subscribers = new ArrayList<>();
    for (String sessionId : channels.subscribers(channel)) {
      ClientSession session = byId.get(sessionId);
      if (session != null) {
        subscribers.add(session);
      }
    }
    return subscribers;
  }
}
