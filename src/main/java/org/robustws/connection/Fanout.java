package org.robustws.connection;

import org.robustws.channel.ChannelRegistry;
import org.robustws.protocol.Publication;
import org.robustws.session.SessionStore;

/**
 * Delivers a publication to every session subscribed to its channel. Each session numbers and
 * queues its own copy, so a slow or detached subscriber never holds up the publisher or the others.
 */
final class Fanout {
  private final ChannelRegistry channels;
  private final SessionStore sessions;

  Fanout(ChannelRegistry channels, SessionStore sessions) {
    this.channels = channels;
    this.sessions = sessions;
  }

  /**
   * @return the number of sessions the publication went to
   */
  int publish(Publication publication) {
    int delivered = 0;
    for (String sessionId : channels.subscribers(publication.channel())) {
      var session = sessions.find(sessionId);
      if (session.isPresent()) {
        session.get().deliver(publication);
        delivered++;
      } else {
        // the session expired between the snapshot and now
        channels.unsubscribe(publication.channel(), sessionId);
      }
    }
    return delivered;
  }
}
