package org.robustws.fanout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Appended;
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
  private GroupCommit<Publication, Published> appends;
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

  /** Where a publication went ({@link Appended}), and the sessions it was given to. */
  public record Published(String epoch, long offset, boolean repeated, int delivered) {}

  /**
   * @return where it went, and the sessions it was given to on every node that answered within 2 s;
   *     none if it {@link Appended#repeated repeated} an earlier publication
   * @throws IllegalArgumentException if the channel name is not valid
   */
  public Published publish(String channel, Publication publication) {
    return appends.submit(channel, publication);
  }

  /**
   * Appends a batch and sends what it stored to the other nodes while the channel's turn is held
   * (so this node's notices of one channel leave in offset order); gives it to this node's sessions
   * and waits for the others' counts after.
   */
  private Supplier<List<Published>> appendAndTell(String channel, List<Publication> batch) {
    List<Appended> appended = streams.appendAll(channel, batch);
    List<StreamEntry> stored =
        appended.stream().map(Appended::entry).filter(Objects::nonNull).toList();
    Peers.Answers<int[]> others = stored.isEmpty() ? null : peers.ask(ToSubscribers.of(stored));
    return () -> {
      int[] delivered = stored.isEmpty() ? new int[0] : local.deliverAll(stored);
      if (others != null) {
        for (int[] there : others.await()) {
          for (int i = 0; i < delivered.length; i++) {
            delivered[i] += there[i];
          }
        }
      }
      List<Published> published = new ArrayList<>(appended.size());
      int next = 0;
      for (Appended a : appended) {
        int sessions = a.repeated() ? 0 : delivered[next++];
        published.add(new Published(a.epoch(), a.offset(), a.repeated(), sessions));
      }
      return published;
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
