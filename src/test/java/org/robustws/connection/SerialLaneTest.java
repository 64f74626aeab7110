package org.robustws.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SerialLaneTest {
  /** An executor that runs nothing until told, like a busy pool. */
  private final List<Runnable> pool = new ArrayList<>();

  private final List<String> ran = new ArrayList<>();
  private final List<RuntimeException> failures = new ArrayList<>();

  private void runPool() {
    while (!pool.isEmpty()) {
      pool.remove(0).run();
    }
  }

  @Test
  void runsTasksOnTheExecutorOneAfterAnotherInOrder() {
    SerialLane lane = new SerialLane(pool::add, 10, failures::add);
    assertTrue(lane.submit(() -> ran.add("a")));
    assertTrue(lane.submit(() -> ran.add("b")));
    assertTrue(ran.isEmpty(), "not on the caller's thread");
    assertEquals(1, pool.size(), "one task drains the lane, so two never overlap");
    runPool();
    assertTrue(lane.submit(() -> ran.add("c")));
    runPool();
    assertEquals(List.of("a", "b", "c"), ran);
  }

  @Test
  void handsTheRestToANewExecutorTaskAfterABatch() {
    SerialLane lane = new SerialLane(pool::add, 100, failures::add);
    for (int i = 0; i < SerialLane.BATCH + 1; i++) {
      lane.submit(() -> ran.add("t"));
    }
    pool.remove(0).run();
    assertEquals(SerialLane.BATCH, ran.size());
    assertEquals(1, pool.size(), "the last one waits for the next executor task");
    runPool();
    assertEquals(SerialLane.BATCH + 1, ran.size());
    assertTrue(pool.isEmpty());
  }

  @Test
  void refusesATaskBeyondItsCapacityUntilTheWaitingOnesRan() {
    SerialLane lane = new SerialLane(pool::add, 2, failures::add);
    assertTrue(lane.submit(() -> ran.add("a")));
    assertTrue(lane.submit(() -> ran.add("b")));
    assertFalse(lane.submit(() -> ran.add("c")));
    runPool();
    assertTrue(lane.submit(() -> ran.add("d")));
    runPool();
    assertEquals(List.of("a", "b", "d"), ran);
  }

  @Test
  void aFailingTaskIsReportedAndTheNextOneStillRuns() {
    SerialLane lane = new SerialLane(pool::add, 10, failures::add);
    IllegalStateException boom = new IllegalStateException("boom");
    lane.submit(
        () -> {
          throw boom;
        });
    lane.submit(() -> ran.add("after"));
    runPool();
    assertEquals(List.of(boom), failures);
    assertEquals(List.of("after"), ran);
  }

  @Test
  void anExecutorThatTakesNoMoreWorkRefusesAndTheLaneRecovers() {
    boolean[] stopping = {true};
    SerialLane lane =
        new SerialLane(
            task -> {
              if (stopping[0]) {
                throw new RejectedExecutionException("stopping");
              }
              pool.add(task);
            },
            10,
            failures::add);
    assertFalse(lane.submit(() -> ran.add("lost")));
    stopping[0] = false;
    assertTrue(lane.submit(() -> ran.add("next")));
    runPool();
    assertEquals(List.of("next"), ran);
  }
}
