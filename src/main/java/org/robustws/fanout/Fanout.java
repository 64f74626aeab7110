package org.robustws.fanout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;

/**
 * Where everything sent to more than one connection goes out: a publication, a broadcast, and a
 * direct message to a connection that may be on another node.
 *
 * <p>A publication's way: appended once to its channel's stream, committed on every node before
 * anyone gets it (with the publications of this node waiting for the same channel: {@link
 * GroupCommit}); then given to the subscribed sessions of this node ({@link LocalFanout}) while the
 * other nodes of a cluster are told ({@link ToSubscribers}) and give it to theirs. Each session
 * takes a channel's offsets in order, once, reading back from the stream any it has not had: so
 * notices that cross or get lost cost no event (the next one repairs it), and a session that no
 * connection holds gets it from the stream when it resumes.
 */
@ApplicationScoped
public class Fanout {
  private GroupCommit appends;
  private LocalFanout local;
  private ConnectionManager connections;
  private Peers peers;

  /** For the CDI proxy only. */
  protected Fanout() {}

  @Inject
  public Fanout(
      ChannelStreams streams, LocalFanout local, ConnectionManager connections, Peers peers) {
    this.appends = new GroupCommit(streams);
    this.local = local;
    this.connections = connections;
    this.peers = peers;
  }

  /**
   * @param id the publisher's id, or {@code null}
   * @return the sessions it was given to on every node that answered within 2 s
   * @throws IllegalArgumentException if the channel name is not valid
   */
  public int publish(String channel, JsonValue data, JsonValue id) {
    StreamEntry entry = appends.append(channel, data, id);
    Peers.Answers<Integer> others = peers.ask(ToSubscribers.of(entry));
    return plusOthers(local.deliver(entry), others);
  }

  /**
   * Sends {@code broadcast} to every open connection of both endpoints, on every node.
   *
   * @return the connections it went to, on every node that answered within 2 s
   */
  public int broadcast(JsonValue data) {
    Peers.Answers<Integer> others = peers.ask(new ToEveryone(data.toString()));
    return plusOthers(connections.broadcast(data), others);
  }

  /** This node's count plus the other nodes' that answered in time. */
  private static int plusOthers(int here, Peers.Answers<Integer> others) {
    int total = here;
    for (int there : others.await()) {
      total += there;
    }
    return total;
  }

  /**
   * Sends {@code direct} to one connection, on whichever node holds it.
   *
   * @return false if no node that answered holds it open
   */
  public boolean sendTo(String connectionId, JsonValue data) {
    return connections.sendTo(connectionId, data)
        || peers.ask(new ToConnection(connectionId, data.toString())).await().contains(true);
  }
}
