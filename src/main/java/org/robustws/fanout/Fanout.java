package org.robustws.fanout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;

/**
 * A publication's way: appended once to its channel's stream (committed before anyone gets it),
 * then given to every session of this node subscribed to the channel. A session that no connection
 * holds gets it from the stream when it resumes.
 */
@ApplicationScoped
public class Fanout {
  private ChannelStreams streams;
  private SessionStore sessions;

  /** For the CDI proxy only. */
  protected Fanout() {}

  @Inject
  public Fanout(ChannelStreams streams, SessionStore sessions) {
    this.streams = streams;
    this.sessions = sessions;
  }

  /**
   * @param id the publisher's id, or {@code null}
   * @return the number of sessions of this node it was given to
   * @throws IllegalArgumentException if the channel name is not valid
   */
  public int publish(String channel, JsonValue data, JsonValue id) {
    StreamEntry entry = streams.append(channel, data, id);
    return sessions.deliver(entry);
  }
}
