package org.robustws.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.config.WsSettings;
import org.robustws.testing.MutableClock;
import org.robustws.testing.TestNode;

/** The drain runs on the executor, never on the caller's thread, and only once. */
class DrainerTest {
  private final TestNode node =
      new TestNode(WsSettings.defaults(), new MutableClock(Instant.parse("2026-11-25T12:00:00Z")));
  private final List<Runnable> tasks = new ArrayList<>();
  private final Drainer drainer = new Drainer();

  @AfterEach
  void close() {
    node.close();
  }

  @Test
  void handsTheDrainToTheExecutorOnce() {
    drainer.drain = node.drain;
    drainer.connections = node.connections;
    drainer.executor = tasks::add;

    assertTrue(drainer.start());
    assertFalse(node.connections.isDraining(), "the caller's thread must not drain");
    assertFalse(drainer.start());
    assertEquals(1, tasks.size());

    tasks.get(0).run();
    assertTrue(node.connections.isDraining());
  }

  @Test
  void mayBeTriedAgainIfNoThreadTookIt() {
    drainer.drain = node.drain;
    drainer.connections = node.connections;
    drainer.executor =
        task -> {
          throw new RejectedExecutionException("busy");
        };
    assertThrows(RejectedExecutionException.class, drainer::start);
    drainer.executor = tasks::add;
    assertTrue(drainer.start());
  }
}
