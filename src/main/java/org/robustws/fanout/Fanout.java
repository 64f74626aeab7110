package org.robustws.fanout;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.io.Serializable;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.protocol.Channels;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;

/**
 * Where everything sent to more than one connection goes out: a publication, a broadcast, and a
 * direct message to a connection that may be on another node.
 *
 * <p>A publication's way ({@link ChannelAppends}): it waits on its node with the others for the
 * same channel ({@link GroupCommit}); the batch goes to the node that appends the channel (the
 * owner of its head; {@link ToAppender}), joins the batch waiting there, and is appended once to
 * the channel's stream, committed on every node before anyone gets it; then the other nodes of a
 * cluster are told with one command per batch ({@link ToSubscribers}) and give the batch to their
 * sessions while the appending node gives it to its own ({@link LocalFanout}). Each session takes a
 * channel's offsets in order, once, reading back from the stream any it has not had: so notices
 * that cross or get lost cost no event (the next one repairs it), and a session that no connection
 * holds gets it from the stream when it resumes.
 */
@ApplicationScoped
public class Fanout {
  private ChannelAppends appends;
  private ConnectionManager connections;
  private Peers peers;

  /** For the CDI proxy only. */
  protected Fanout() {}

  @Inject
  public Fanout(
      ChannelStreams streams, LocalFanout local, ConnectionManager connections, Peers peers) {
    this.appends = new ChannelAppends(streams, local, peers);
    this.connections = connections;
    this.peers = peers;
  }

  /** Where a publication went ({@link Appended}), and the sessions it was given to. */
  public record Published(String epoch, long offset, boolean repeated, int delivered)
      implements Serializable {}

  /**
   * @return where it went, and the sessions it was given to on every node that answered within 2 s;
   *     none if it {@link Appended#repeated repeated} an earlier publication
   * @throws IllegalArgumentException if the channel name is not valid
   * @throws IllegalStateException if no node appended it within {@value
   *     ChannelAppends#APPENDER_WAIT_MS} ms, or the appending node did not answer within {@value
   *     ChannelAppends#APPENDER_ANSWER_MS} ms (then it may have been appended)
   */
  public Published publish(String channel, Publication publication) {
    if (!Channels.isValid(channel)) {
      throw new IllegalArgumentException("invalid channel name");
    }
    return appends.publish(channel, publication);
  }

  /**
   * Publications another node sent to this one, which appends their channel.
   *
   * @return null if this node has stopped appending
   */
  public Published[] appendSent(String channel, Publication[] batch) {
    return appends.appendSent(channel, batch);
  }

  /** Publications this node appended, its own and those other nodes sent it. */
  public long appended() {
    return appends.appended();
  }

  /** Publications this node sent to the node that appends their channel (each sending counted). */
  public long forwarded() {
    return appends.forwarded();
  }

  /** Stops appending when the application stops ({@link ChannelAppends}). */
  @PreDestroy
  void stop() {
    appends.stop();
  }

  /**
   * Sends {@code broadcast} to every open connection of both endpoints, on every node.
   *
   * @return the connections it went to, on every node that answered within 2 s
   */
  public int broadcast(JsonValue data) {
    Peers.Answers<Integer> others = peers.ask(new ToEveryone(data.toString()));
    int total = connections.broadcast(data);
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
