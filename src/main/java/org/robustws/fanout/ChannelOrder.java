package org.robustws.fanout;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamHead;
import org.robustws.stream.StreamPosition;

/**
 * Puts the committed events of each channel back in offset order before this node gives them out.
 * Appends to a channel are ordered cluster-wide, but their events reach a node in any order: its
 * own publications at once, the other nodes' when their notices arrive, from several threads.
 *
 * <p>Per channel with subscribers here, a lane knows the next offset to give out. An event that
 * comes before its turn waits for the ones before it; if they have not come within {@code
 * holdMillis} (a notice lost with a node that died after its commit), they are read from this
 * node's copy of the stream ({@code missing}), or skipped if the stream no longer has them: the
 * sessions behind then get {@code gap} on resume. Events are handed to the io threads one at a time
 * per channel, in order, by whichever thread brings the next one (an io thread runs its tasks in
 * the order they came, so each session gets them in order); the wait until they are queued happens
 * outside the lane, so the events of one channel fan out back to back. An event older than the
 * lane's next offset was given out already (a second notice) and is dropped.
 *
 * <p>A notice lost with the last event of a burst has no next event to repair it: {@link #catchUp}
 * runs every second and gives out what the stream holds beyond a lane that has waited for it longer
 * than {@code holdMillis}.
 */
final class ChannelOrder {
  private final Function<StreamEntry, Delivery> give;
  private final Function<String, Optional<StreamPosition>> startOf;
  private final Predicate<String> listened;
  private final Missing missing;
  private final Function<String, Optional<StreamHead>> heads;
  private final long holdMillis;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  /** Reads the events of a channel between two offsets from this node's copy of its stream. */
  @FunctionalInterface
  interface Missing {
    /** The events after {@code after} up to {@code upTo}, or empty if the stream lacks any. */
    Optional<List<StreamEntry>> read(String channel, StreamPosition after, long upTo);
  }

  /**
   * @param give hands one event to the io threads of this node's sessions, without waiting
   * @param startOf where the channel's subscribers of this node stand (the earliest of them), or
   *     empty if it has none here: then its events are not for this node
   * @param listened whether any session of this node listens to the channel
   * @param heads reads a channel's head from this node's copy of its stream
   */
  ChannelOrder(
      Function<StreamEntry, Delivery> give,
      Function<String, Optional<StreamPosition>> startOf,
      Predicate<String> listened,
      Missing missing,
      Function<String, Optional<StreamHead>> heads,
      long holdMillis) {
    this.give = give;
    this.startOf = startOf;
    this.listened = listened;
    this.missing = missing;
    this.heads = heads;
    this.holdMillis = holdMillis;
  }

  /**
   * Gives the event out in its turn, and with it any held ones that follow.
   *
   * @return the sessions of this node given it (0 if none listens here, or it came twice)
   */
  int offer(StreamEntry entry) {
    return offer(List.of(entry))[0];
  }

  /**
   * Gives events of one channel out, each in its turn: all are offered before the first wait, so a
   * batch fans out back to back.
   *
   * @return for each, the sessions of this node given it
   */
  int[] offer(List<StreamEntry> entries) {
    int[] sessions = new int[entries.size()];
    String channel = entries.get(0).channel();
    Lane lane = lane(channel);
    if (lane == null) {
      return sessions;
    }
    List<CompletableFuture<Delivery>> given = entries.stream().map(lane::offer).toList();
    Delivery[] deliveries = new Delivery[entries.size()];
    try {
      for (int i = 0; i < deliveries.length; i++) {
        deliveries[i] = inTurn(lane, entries.get(i), given.get(i));
      }
    } finally {
      if (!listened.test(channel)) {
        lanes.remove(channel, lane); // no subscriber here any more
      }
    }
    for (int i = 0; i < deliveries.length; i++) {
      deliveries[i].awaitQueued();
      sessions[i] = deliveries[i].sessions();
    }
    return sessions;
  }

  /**
   * Gives out, for each channel, the events its stream holds beyond where its lane stands that were
   * appended at least {@code holdMillis} before {@code now}: their notices have had their time.
   * Events given out here and noticed later are dropped as second notices. A channel whose stream
   * cannot be read is left for the next call; the others are caught up all the same.
   *
   * @throws RuntimeException the first failure of a channel, once every other one is caught up
   */
  void catchUp(Iterable<String> channels, long now) {
    RuntimeException failed = null;
    for (String channel : channels) {
      try {
        Lane lane = lane(channel);
        if (lane != null) {
          heads.apply(channel).ifPresent(head -> lane.catchUp(head, now - holdMillis));
        }
      } catch (RuntimeException e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    lanes.keySet().removeIf(channel -> !listened.test(channel));
    if (failed != null) {
      throw failed;
    }
  }

  /** The channel's lane, started where its subscribers here stand; null if it has none here. */
  private Lane lane(String channel) {
    Lane lane = lanes.get(channel);
    if (lane == null) {
      Optional<StreamPosition> start = startOf.apply(channel);
      if (start.isEmpty()) {
        return null;
      }
      lane = lanes.computeIfAbsent(channel, c -> new Lane(channel, start.get()));
    }
    return lane;
  }

  /** Waits for the event's turn, filling in what is missing before it once it waited too long. */
  private Delivery inTurn(Lane lane, StreamEntry entry, CompletableFuture<Delivery> given) {
    try {
      return given.get(holdMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException late) {
      lane.fill(entry);
      return given.getNow(Delivery.NONE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Delivery.NONE;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** One channel: the next offset to give out and the events waiting for their turn. */
  private final class Lane {
    private final String channel;
    private String epoch;
    private long next;
    private final TreeMap<Long, Held> held = new TreeMap<>();

    private record Held(StreamEntry entry, CompletableFuture<Delivery> given) {}

    Lane(String channel, StreamPosition start) {
      this.channel = channel;
      this.epoch = start.epoch();
      this.next = start.offset() + 1;
    }

    synchronized CompletableFuture<Delivery> offer(StreamEntry entry) {
      if (!entry.epoch().equals(epoch)) {
        if (epoch.isEmpty()) {
          epoch = entry.epoch(); // the channel's first stream
        } else if (entry.offset() == 1) {
          restart(entry.epoch());
        } else {
          return CompletableFuture.completedFuture(
              Delivery.NONE); // of a history this lane left behind
        }
      }
      if (entry.offset() < next || held.containsKey(entry.offset())) {
        return CompletableFuture.completedFuture(Delivery.NONE); // a second notice of it
      }
      Held waiting = new Held(entry, new CompletableFuture<>());
      held.put(entry.offset(), waiting);
      drain();
      return waiting.given();
    }

    /**
     * The turn of {@code entry} did not come in time: reads what is missing before it from the
     * stream, and skips what the stream no longer has.
     */
    synchronized void fill(StreamEntry entry) {
      while (held.containsKey(entry.offset()) && held.firstKey() > next) {
        missing
            .read(channel, new StreamPosition(epoch, next - 1), held.firstKey() - 1)
            .ifPresent(
                found ->
                    found.forEach(
                        e -> held.putIfAbsent(e.offset(), new Held(e, new CompletableFuture<>()))));
        next = held.firstKey();
        drain();
      }
    }

    /** Gives out the events of the stream after {@code next} appended up to {@code before}. */
    synchronized void catchUp(StreamHead head, long before) {
      if (epoch.isEmpty()) {
        epoch = head.epoch(); // the channel's first stream
      } else if (!head.epoch().equals(epoch) && head.first() == 1) {
        restart(head.epoch());
      }
      if (!head.epoch().equals(epoch) || head.last() < next) {
        return;
      }
      missing
          .read(channel, new StreamPosition(epoch, next - 1), head.last())
          .ifPresent(
              found -> {
                for (StreamEntry e : found) {
                  if (e.appendedAt() > before) {
                    break;
                  }
                  held.putIfAbsent(e.offset(), new Held(e, new CompletableFuture<>()));
                }
              });
      drain();
    }

    /** A new stream of the channel: the history before it is gone. */
    private void restart(String newEpoch) {
      epoch = newEpoch;
      next = 1;
      held.values().forEach(h -> h.given().complete(Delivery.NONE));
      held.clear();
    }

    private void drain() {
      Map.Entry<Long, Held> first = held.firstEntry();
      while (first != null && first.getKey() == next) {
        held.pollFirstEntry();
        first.getValue().given().complete(give.apply(first.getValue().entry()));
        next++;
        first = held.firstEntry();
      }
    }
  }
}
