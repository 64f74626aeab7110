package org.robustws.stream;

import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

/**
 * Keeps the appends of different topologies of the streams cache apart: an append starts only once
 * no node has one under way from an earlier topology, and one that waited for its channel's head
 * lock while the topology changed gives the lock back and starts again.
 *
 * <p>Why: when a channel head's primary owner leaves (a stop or a crash), Infinispan 16.0.5 can
 * grant the head's lock on the new primary owner to a second transaction while the transaction that
 * held it on the old one has not committed: both read the same head and append at the same offset
 * (a lost update, ISPN-7140's family; {@code TopologyFenceTest} builds that situation). The backup
 * locks that should prevent it are given up when the new primary is the first transaction's own
 * node ({@code PessimisticLockingInterceptor.acquireLocalLock} removes the backup lock before
 * locking). With the fence, a lock granted in a later topology than the append started in is never
 * used, and the appends of a new topology wait until those of the old ones have finished on every
 * node, so only one transaction holding a head's lock is ever in flight.
 *
 * <p>On a lone server (a local cache) the topology never changes and the fence costs nothing.
 */
public final class TopologyFence {
  /**
   * The other nodes: whether each of them (those still in the view) answered that it has no append
   * under way from a topology before the one given ({@link #awaitNoneBefore}).
   */
  @FunctionalInterface
  public interface Others {
    boolean noneBefore(int topology);
  }

  /** How long a node waits for its own appends of earlier topologies to finish. */
  static final long WAIT_MS = 10_000;

  /** How long a node waits for the others' answers: their own wait, and the way there and back. */
  public static final long ANSWER_WAIT_MS = WAIT_MS + 2_000;

  private final IntSupplier topology;
  private final Others others;

  /** The appends under way on this node, counted by the topology they started in. */
  private final TreeMap<Integer, Integer> underWay = new TreeMap<>();

  /** No node has an append under way from a topology before this one. */
  private int cleared;

  /** The round asking every node about topology {@code clearingFor}, if one is under way. */
  private CompletableFuture<Boolean> clearing;

  private int clearingFor;

  /** Set once the node stops answering the others: no append starts after it. */
  private boolean closed;

  /**
   * @param topology the streams cache's current topology id, as this node has installed it
   */
  public TopologyFence(IntSupplier topology, Others others) {
    this.topology = topology;
    this.others = others;
    this.cleared = Integer.MIN_VALUE;
  }

  /** For a cache whose topology never changes. */
  public static TopologyFence none() {
    TopologyFence fence = new TopologyFence(() -> 0, t -> true);
    fence.cleared = 0;
    return fence;
  }

  /**
   * Waits until no node has an append under way from an earlier topology, then counts this one.
   *
   * @return the topology it started in, for {@link #current} and {@link #exit}
   * @throws IllegalStateException if a node did not answer in time
   */
  public int enter() {
    while (true) {
      int now = topology.getAsInt();
      clear(now);
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the application is stopping on this node");
        }
        if (topology.getAsInt() == now) {
          underWay.merge(now, 1, Integer::sum);
          return now;
        }
      }
    }
  }

  /** Whether the topology is still the one the append started in. */
  public boolean current(int started) {
    return topology.getAsInt() == started;
  }

  /** The append that started in that topology has committed or rolled back. */
  public synchronized void exit(int started) {
    underWay.computeIfPresent(started, (t, n) -> n == 1 ? null : n - 1);
    notifyAll();
  }

  /**
   * Before this node stops answering the others (their commands then come back cancelled, counted
   * as a node without appends): no append starts any more, and those under way get up to {@link
   * #WAIT_MS} to finish.
   */
  public synchronized void close() {
    closed = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    try {
      for (long left = WAIT_MS; !underWay.isEmpty() && left > 0; ) {
        wait(left);
        left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * What another node asks: waits until this node has installed that topology (so its new appends
   * start in it or later) and has no append under way from an earlier one.
   *
   * @return whether that came within {@link #WAIT_MS}
   */
  public synchronized boolean awaitNoneBefore(int later) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    IntPredicate done = t -> topology.getAsInt() >= t && underWay.headMap(t).isEmpty();
    try {
      while (!done.test(later)) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        wait(Math.min(left, 1)); // an append's exit wakes it; a topology change does not
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One round per topology asks this node and the others; the appends starting meanwhile wait. */
  private void clear(int now) {
    CompletableFuture<Boolean> round;
    boolean lead;
    synchronized (this) {
      if (now <= cleared) {
        return;
      }
      lead = clearing == null || clearingFor < now;
      if (lead) {
        clearing = new CompletableFuture<>();
        clearingFor = now;
      }
      round = clearing;
    }
    if (lead) {
      boolean none = false;
      try {
        none = awaitNoneBefore(now) && others.noneBefore(now);
      } finally {
        synchronized (this) {
          if (none) {
            cleared = Math.max(cleared, now);
          }
          if (clearing == round) {
            clearing = null; // a failed round is asked again by the next append
          }
        }
        round.complete(none);
      }
    }
    if (!round.join()) {
      throw new IllegalStateException(
          "appends of an earlier cache topology still under way on some node");
    }
  }
}
