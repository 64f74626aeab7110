package org.robustws.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  @Test
  void dropsTheOldestBeyondTheEventBound() {
    ReplayBuffer buffer = new ReplayBuffer(3, 1_000);
    for (long seq = 1; seq <= 5; seq++) {
      buffer.add(seq, "e" + seq, 10);
    }
    assertEquals(3, buffer.size());
    assertEquals(List.of("e4", "e5"), buffer.framesAfter(3));
    assertTrue(buffer.covers(2, 5));
    assertFalse(buffer.covers(1, 5), "event 2 was dropped");
  }

  @Test
  void dropsTheOldestBeyondTheByteBound() {
    ReplayBuffer buffer = new ReplayBuffer(1_000, 25);
    buffer.add(1, "a", 10);
    buffer.add(2, "b", 10);
    buffer.add(3, "c", 10);
    assertEquals(2, buffer.size());
    assertEquals(20, buffer.bytes());
  }

  @Test
  void acknowledgedEventsLeave() {
    ReplayBuffer buffer = new ReplayBuffer(10, 1_000);
    buffer.add(1, "a", 1);
    buffer.add(2, "b", 1);
    buffer.acknowledge(1);
    assertEquals(List.of("b"), buffer.framesAfter(0));
  }

  @Test
  void coversNothingMissingAndRefusesTheFuture() {
    ReplayBuffer buffer = new ReplayBuffer(10, 1_000);
    assertTrue(buffer.covers(0, 0));
    assertFalse(buffer.covers(1, 0), "a client cannot have seen more than was sent");
    buffer.add(1, "a", 1);
    assertTrue(buffer.covers(0, 1));
    assertTrue(buffer.covers(1, 1));
  }
}
