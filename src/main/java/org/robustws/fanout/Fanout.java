package org.robustws.fanout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.StreamEntry;

/**
 * Where everything sent to more than one connection goes out: a publication, a broadcast, and a
 * direct message to a connection that may be on another node.
 *
 * <p>A publication's way: appended once to its channel's stream, committed on every node before
 * anyone gets it, together with the publications of this node waiting for the same channel ({@link
 * GroupCommit}); then the other nodes of a cluster are told with one command per batch ({@link
 * ToSubscribers}) and give the batch to their sessions while this node gives it to its own ({@link
 * LocalFanout}). Each session takes a channel's offsets in order, once, reading back from the
 * stream any it has not had: so notices that cross or get lost cost no event (the next one repairs
 * it), and a session that no connection holds gets it from the stream when it resumes.
 */
@ApplicationScoped
public class Fanout {
  private ChannelStreams streams;
  private GroupCommit<Publication, Integer> appends;
  private LocalFanout local;
  private ConnectionManager connections;
  private Peers peers;

  /** For the CDI proxy only. */
  protected Fanout() {}

  @Inject
  public Fanout(
      ChannelStreams streams, LocalFanout local, ConnectionManager connections, Peers peers) {
    this.streams = streams;
    this.appends = new GroupCommit<>(this::appendAndTell);
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
    return appends.submit(channel, new Publication(data, id));
  }

  /**
   * Appends a batch and sends it to the other nodes while the channel's turn is held (so this
   * node's notices of one channel leave in offset order); gives it to this node's sessions and
   * waits for the others' counts after.
   */
  private Supplier<List<Integer>> appendAndTell(String channel, List<Publication> batch) {
    List<StreamEntry> entries = streams.appendAll(channel, batch);
    Peers.Answers<int[]> others = peers.ask(ToSubscribers.of(entries));
    return () -> {
      int[] delivered = local.deliverAll(entries);
      for (int[] there : others.await()) {
        for (int i = 0; i < delivered.length; i++) {
          delivered[i] += there[i];
        }
      }
      return Arrays.stream(delivered).boxed().toList();
    };
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
