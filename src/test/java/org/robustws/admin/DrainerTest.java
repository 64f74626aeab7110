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
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.TrafficListener;
import org.robustws.protocol.MessageCodec;
import org.robustws.testing.MutableClock;
import org.robustws.testing.NoEvents;
import org.robustws.testing.TestStores;

/** The drain runs on the executor, never on the caller's thread, and only once. */
class DrainerTest {
  private final MessageCodec codec = new MessageCodec();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final TestStores stores = new TestStores(WsSettings.defaults(), clock, null);
  private final ConnectionManager manager =
      new ConnectionManager(
          WsSettings.defaults(),
          clock,
          stores.sessions,
          stores.streams,
          codec,
          new NoEvents(),
          TrafficListener.NONE,
          Runnable::run);
  private final List<Runnable> tasks = new ArrayList<>();
  private final Drainer drainer = new Drainer();

  @AfterEach
  void close() {
    codec.close();
    stores.close();
  }

  @Test
  void handsTheDrainToTheExecutorOnce() {
    drainer.manager = manager;
    drainer.executor = tasks::add;

    assertTrue(drainer.start());
    assertFalse(manager.isDraining(), "the caller's thread must not drain");
    assertFalse(drainer.start());
    assertEquals(1, tasks.size());

    tasks.get(0).run();
    assertTrue(manager.isDraining());
  }

  @Test
  void mayBeTriedAgainIfNoThreadTookIt() {
    drainer.manager = manager;
    drainer.executor =
        task -> {
          throw new RejectedExecutionException("busy");
        };
    assertThrows(RejectedExecutionException.class, drainer::start);
    drainer.executor = tasks::add;
    assertTrue(drainer.start());
  }
}
