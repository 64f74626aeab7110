package org.robustws.connection;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs tasks one after another, in the order they were submitted, on an executor's threads, with at
 * most {@code capacity} waiting. A connection's publications go through one, so that their fan-out
 * keeps the publisher's order without holding the container's io thread, which serves hundreds of
 * other connections (bench/RESULTS.md, resume storm).
 */
final class SerialLane {
  /**
   * Tasks one executor task runs before it hands the rest to a new one: a publisher that never
   * stops must not hold a pool thread forever, which would keep other lanes waiting and which
   * WildFly reports as a hung task after the executor's hung-task-threshold (60 s by default).
   */
  static final int BATCH = 16;

  private final Executor executor;
  private final int capacity;
  private final Consumer<RuntimeException> failures;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(4);
  private boolean running;

  SerialLane(Executor executor, int capacity, Consumer<RuntimeException> failures) {
    this.executor = executor;
    this.capacity = capacity;
    this.failures = failures;
  }

  /**
   * @return false, running nothing, if {@code capacity} tasks are waiting already or the executor
   *     takes no more work (the server is stopping)
   */
  boolean submit(Runnable task) {
    synchronized (this) {
      if (waiting.size() >= capacity) {
        return false;
      }
      waiting.add(task);
      if (running) {
        return true;
      }
      running = true;
    }
    if (handOver()) {
      return true;
    }
    synchronized (this) {
      waiting.clear();
      running = false;
    }
    return false;
  }

  private void drain() {
    int ran = 0;
    while (true) {
      Runnable next;
      synchronized (this) {
        if (waiting.isEmpty()) {
          running = false;
          return;
        }
        next = ran < BATCH ? waiting.poll() : null;
      }
      if (next == null) {
        if (handOver()) {
          return;
        }
        ran = 0; // the executor takes no more work: this thread goes on
        continue;
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        failures.accept(e); // and go on: a lane that stopped here would never run again
      }
      ran++;
    }
  }

  private boolean handOver() {
    try {
      executor.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }
}
