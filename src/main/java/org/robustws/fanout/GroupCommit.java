package org.robustws.fanout;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.StreamEntry;

/**
 * Appends the publications of this node waiting for the same channel in one transaction. An append
 * holds its channel's head lock for the transaction's time, a few milliseconds on a cluster: one
 * transaction per publication would cap a channel at a few hundred publications per second. While
 * one append to a channel runs, the publications that arrive for it wait; the first of them then
 * appends all that waited, and hands the turn on. Channels never wait for each other.
 */
final class GroupCommit {
  private final ChannelStreams streams;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  GroupCommit(ChannelStreams streams) {
    this.streams = streams;
  }

  /**
   * @return the stored entry, committed
   * @throws IllegalArgumentException if the channel name is not valid
   */
  StreamEntry append(String channel, JsonValue data, JsonValue id) {
    Lane lane = lanes.computeIfAbsent(channel, c -> new Lane());
    Waiting mine = new Waiting(new Publication(data, id));
    boolean lead;
    synchronized (lane) {
      lane.waiting.add(mine);
      lead = !lane.busy;
      lane.busy = true;
    }
    if (lead || mine.turn.join()) {
      appendWaiting(channel, lane);
    }
    try {
      return mine.done.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /** Appends what waits for the lane in one transaction, then gives the turn to the next. */
  private void appendWaiting(String channel, Lane lane) {
    List<Waiting> batch;
    synchronized (lane) {
      batch = new ArrayList<>(lane.waiting);
      lane.waiting.clear();
    }
    try {
      List<StreamEntry> entries =
          streams.appendAll(channel, batch.stream().map(Waiting::publication).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done.complete(entries.get(i));
      }
    } catch (RuntimeException e) {
      batch.forEach(waiting -> waiting.done.completeExceptionally(e));
    }
    for (Waiting waiting : batch) {
      waiting.turn.complete(false);
    }
    synchronized (lane) {
      if (lane.waiting.isEmpty()) {
        lane.busy = false;
        lanes.remove(channel, lane);
      } else {
        lane.waiting.get(0).turn.complete(true);
      }
    }
  }

  /** One channel's publications waiting for their append, and whether one runs. */
  private static final class Lane {
    private final List<Waiting> waiting = new ArrayList<>();
    private boolean busy;
  }

  /**
   * A publication waiting: {@code turn} completes with true when it must append those waiting, with
   * false once appended by another; {@code done} with its entry.
   */
  private record Waiting(
      Publication publication,
      CompletableFuture<Boolean> turn,
      CompletableFuture<StreamEntry> done) {
    Waiting(Publication publication) {
      this(publication, new CompletableFuture<>(), new CompletableFuture<>());
    }
  }
}
