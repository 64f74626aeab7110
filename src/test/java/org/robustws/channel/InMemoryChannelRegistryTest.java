package org.robustws.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryChannelRegistryTest {
  private final InMemoryChannelRegistry registry = new InMemoryChannelRegistry();

  @Test
  void subscribersCanBeIteratedWhileTheyChange() {
    registry.subscribe("news", "s-1");
    registry.subscribe("news", "s-2");
    int seen = 0;
    for (String session : registry.subscribers("news")) {
      registry.unsubscribe("news", session); // as fan-out does for an expired session
      registry.subscribe("other", session);
      seen++;
    }
    assertEquals(2, seen);
    assertEquals(Set.of(), registry.subscribers("news"));
  }

  @Test
  void subscribesOnceAndRemovesEmptyChannels() {
    assertTrue(registry.subscribe("news", "s-1"));
    assertFalse(registry.subscribe("news", "s-1"));
    registry.subscribe("news", "s-2");
    assertEquals(Set.of("s-1", "s-2"), registry.subscribers("news"));

    assertTrue(registry.unsubscribe("news", "s-1"));
    assertFalse(registry.unsubscribe("news", "s-1"));
    assertTrue(registry.unsubscribe("news", "s-2"));
    assertEquals(0, registry.channelCount(), "an empty channel takes no memory");
    assertEquals(Set.of(), registry.subscribers("news"));
  }

  @Test
  void loosesNoSubscriptionToConcurrentChurn() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      String keeper = "keeper-" + t;
      String churner = "churn-" + t;
      pool.execute(
          () -> {
            registry.subscribe("hot", keeper);
            for (int i = 0; i < 10_000; i++) {
              registry.subscribe("hot", churner);
              registry.unsubscribe("hot", churner);
            }
            done.countDown();
          });
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    pool.shutdown();
    assertEquals(
        Set.of("keeper-0", "keeper-1", "keeper-2", "keeper-3"), registry.subscribers("hot"));
  }
}
