package org.robustws.connection;

import jakarta.json.JsonValue;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;

/**
 * A publication's way: appended once to its channel's stream (committed before anyone gets it),
 * then given to every session of this node subscribed to the channel. A session that is not held by
 * a connection gets it from the stream when it resumes.
 */
final class Fanout {
  private final ChannelStreams streams;
  private final SessionStore sessions;

  Fanout(ChannelStreams streams, SessionStore sessions) {
    this.streams = streams;
    this.sessions = sessions;
  }

  /**
   * @return the number of sessions of this node it went to
   */
  int publish(String channel, JsonValue data, JsonValue id) {
    StreamEntry entry = streams.append(channel, data, id);
    return sessions.deliver(entry);
  }
}
