package org.robustws.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the items of this node waiting for the same channel as one batch. A batch's first step holds
 * the channel's turn (its append holds the channel's head lock for the transaction's time, a few
 * milliseconds on a cluster: one transaction per publication would cap a channel at a few hundred
 * publications per second); its second step runs after the turn passed on, so the next batch
 * appends while this one waits for its deliveries. While a batch holds the turn, the items that
 * arrive for its channel wait; the first of them then runs all that waited. Channels never wait for
 * each other.
 *
 * @param <P> what a caller submits
 * @param <R> what it gets back
 */
final class GroupCommit<P, R> {
  /** What a batch does. */
  @FunctionalInterface
  interface Step<P, R> {
    /**
     * Runs while the channel's turn is held.
     *
     * @return the second step, run after the turn passed on: one result per item, in their order
     */
    Supplier<List<R>> start(String channel, List<P> batch);
  }

  private final Step<P, R> step;
  private final Map<String, Lane<P, R>> lanes = new ConcurrentHashMap<>();

  GroupCommit(Step<P, R> step) {
    this.step = step;
  }

  /**
   * @return the item's result once its batch has run both steps
   * @throws RuntimeException what either step of its batch threw
   */
  R submit(String channel, P item) {
    Waiting<P, R> mine = new Waiting<>(item);
    Lane<P, R> lane = join(channel, mine);
    if (mine.turn.join()) {
      runWaiting(channel, lane);
    }
    try {
      return mine.done.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /**
   * Adds {@code mine} to the channel's lane; completes its turn with true if it leads. A lane its
   * last leader removed between this thread's lookup and its lock is not joined: a second lane
   * would make a second leader.
   */
  private Lane<P, R> join(String channel, Waiting<P, R> mine) {
    while (true) {
      Lane<P, R> lane = lanes.computeIfAbsent(channel, c -> new Lane<>());
      synchronized (lane) {
        if (lanes.get(channel) != lane) {
          continue; // removed under this lock since the lookup
        }
        lane.waiting.add(mine);
        if (!lane.busy) {
          lane.busy = true;
          mine.turn.complete(true);
        }
        return lane;
      }
    }
  }

  /** Starts what waits for the lane, gives the turn to the next, then finishes the batch. */
  private void runWaiting(String channel, Lane<P, R> lane) {
    List<Waiting<P, R>> batch;
    synchronized (lane) {
      batch = new ArrayList<>(lane.waiting);
      lane.waiting.clear();
    }
    Supplier<List<R>> finish = null;
    try {
      finish = step.start(channel, batch.stream().map(Waiting::item).toList());
    } catch (RuntimeException | Error e) { // an Error too: the turn must pass on, or the lane hangs
      batch.forEach(waiting -> waiting.done.completeExceptionally(e));
    }
    for (Waiting<P, R> waiting : batch) {
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
    if (finish != null) {
      try {
        List<R> results = finish.get();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).done.complete(results.get(i));
        }
      } catch (RuntimeException | Error e) {
        batch.forEach(waiting -> waiting.done.completeExceptionally(e));
      }
    }
  }

  /** One channel's items waiting for their batch, and whether one holds the turn. */
  private static final class Lane<P, R> {
    private final List<Waiting<P, R>> waiting = new ArrayList<>();
    private boolean busy;
  }

  /**
   * An item waiting: {@code turn} completes with true when it must run those waiting, with false
   * once another has started its batch; {@code done} with its result.
   */
  private record Waiting<P, R>(P item, CompletableFuture<Boolean> turn, CompletableFuture<R> done) {
    Waiting(P item) {
      this(item, new CompletableFuture<>(), new CompletableFuture<>());
    }
  }
}
