package org.robustws.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.fanout.Fanout;
import org.robustws.protocol.Channels;
import org.robustws.stream.ChannelStreams.Publication;

/**
 * The server-side API for other beans of the application: push to a channel, to everybody or to one
 * connection, without touching WebSocket sessions. Observe {@code ConnectionOpened}, {@code
 * ConnectionClosed} and {@code MessageReceived} CDI events to react to clients.
 *
 * <pre>{@code
 * @Inject WebSocketPush push;
 * push.publish("orders", Json.createObjectBuilder().add("id", 42).build());
 * }</pre>
 */
@ApplicationScoped
public class WebSocketPush {

  @Inject ConnectionManager manager;
  @Inject Fanout fanout;

  /**
   * Publishes an {@code event} to every session subscribed to the channel; sessions whose client is
   * reconnecting get it from the channel's history on resume.
   *
   * @return the number of connected sessions it went to, on every node of a cluster that answered
   *     within 2 s
   * @throws IllegalArgumentException if the channel name is not valid
   */
  public int publish(String channel, JsonValue data) {
    if (!Channels.isValid(channel)) {
      throw new IllegalArgumentException("invalid channel name: " + channel);
    }
    return fanout.publish(channel, new Publication(data, null)).delivered();
  }

  /**
   * Sends a {@code broadcast} message to every open connection of both endpoints. Not kept for
   * resume: use a channel for what must not be lost. On a cluster it goes to every node.
   *
   * @return the number of connections it went to
   */
  public int broadcast(JsonValue data) {
    return fanout.broadcast(data);
  }

  /**
   * Sends a {@code direct} message to one connection, on whichever node of a cluster holds it.
   *
   * @return false if that connection is not open
   */
  public boolean sendTo(String connectionId, JsonValue data) {
    return fanout.sendTo(connectionId, data);
  }

  /**
   * This node's open connections; on a cluster, the admin API's {@code GET /api/connections} lists
   * every node's.
   */
  public List<ConnectionSnapshot> connections() {
    return manager.snapshots();
  }

  /** The open connection {@code connectionId} if this node holds it. */
  public Optional<ConnectionSnapshot> connection(String connectionId) {
    return manager.find(connectionId);
  }
}
