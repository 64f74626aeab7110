package org.robustws.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.robustws.connection.ConnectionSnapshot;

class StatsCollectorTest {
  private final List<ConnectionSnapshot> open = new ArrayList<>();
  private final StatsCollector collector = new StatsCollector(10_000, 1_000);

  /**
   * The close observer runs on the thread that closes a connection (an io thread): it once waited
   * for a stats call that held the collector's lock while it took and sorted every snapshot.
   */
  @Test
  void aCloseIsCountedWhileAStatsCallTakesItsSnapshots() throws Exception {
    StatsCollector collector = new StatsCollector(0, 1_000);
    CountDownLatch taking = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread stats =
        new Thread(
            () ->
                collector.collect(
                    2_000,
                    () -> {
                      taking.countDown();
                      try {
                        release.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return List.of();
                    },
                    false));
    stats.start();
    assertTrue(taking.await(10, TimeUnit.SECONDS));
    Thread close =
        new Thread(() -> collector.closed(Snapshots.of("c-1", "ws", "connected", 5, 7, null)));
    close.start();
    close.join(5_000);
    boolean blocked = close.isAlive();
    release.countDown();
    stats.join(10_000);
    assertFalse(blocked, "the close waited for the stats call");
    assertEquals(5, collector.collect(3_000, List::of, false).messages().in());
  }

  @Test
  void countsByEndpointAndStateWithZeros() {
    open.add(Snapshots.of("c-1", "ws", "connected", 0, 0, null));
    open.add(Snapshots.of("c-2", "legacy", "connected", 0, 0, null));
    open.add(Snapshots.of("c-3", "ws", "disconnecting", 0, 0, null));
    Stats stats = collector.collect(12_000, () -> open, false);
    assertEquals(3, stats.connections().total());
    assertEquals(Map.of("ws", 2, "legacy", 1), stats.connections().byEndpoint());
    assertEquals(
        Map.of("connecting", 0, "connected", 2, "disconnecting", 1, "disconnected", 0, "error", 0),
        stats.connections().byState());
    assertEquals(10_000, stats.startedAt());
    assertEquals(2_000, stats.uptimeMillis());
    assertFalse(stats.draining());
    assertTrue(collector.collect(12_000, () -> open, true).draining());
  }

  @Test
  void ratesComeFromTheDeltaBetweenSamples() {
    open.add(Snapshots.of("c-1", "ws", "connected", 20, 40, null));
    Stats.Messages first = collector.collect(12_000, () -> open, false).messages();
    assertEquals(20, first.in());
    assertEquals(40, first.out());
    assertEquals(10.0, first.inPerSecond()); // since the start, 2 s ago
    assertEquals(20.0, first.outPerSecond());
    assertEquals(2_000, first.windowMillis());

    open.set(0, Snapshots.of("c-1", "ws", "connected", 25, 40, null));
    Stats.Messages tooSoon = collector.collect(12_500, () -> open, false).messages();
    assertEquals(25, tooSoon.in());
    assertEquals(10.0, tooSoon.inPerSecond(), "the previous window's rate until 1 s has passed");

    open.set(0, Snapshots.of("c-1", "ws", "connected", 50, 41, null));
    Stats.Messages next = collector.collect(16_000, () -> open, false).messages();
    assertEquals(7.5, next.inPerSecond());
    assertEquals(0.25, next.outPerSecond());
    assertEquals(4_000, next.windowMillis());
  }

  @Test
  void closedConnectionsStayInTheTotalsWhichNeverGoDown() {
    ConnectionSnapshot c1 = Snapshots.of("c-1", "ws", "connected", 5, 7, null);
    open.add(c1);
    open.add(Snapshots.of("c-2", "legacy", "connected", 1, 1, null));
    assertEquals(6, collector.collect(11_000, () -> open, false).messages().in());

    open.remove(c1); // left the registry, its close event not counted yet
    Stats.Messages meanwhile = collector.collect(12_000, () -> open, false).messages();
    assertEquals(6, meanwhile.in());
    assertEquals(8, meanwhile.out());
    assertEquals(0.0, meanwhile.inPerSecond());

    collector.closed(c1);
    Stats.Messages after = collector.collect(13_000, () -> open, false).messages();
    assertEquals(6, after.in());
    assertEquals(8, after.out());
  }

  /** Two nodes' figures, as StatsResource gets them from ClusterAdmin, and their sum. */
  @Test
  void theClusterTotalsAddEveryNodesFigures() {
    open.add(Snapshots.of("c-1", "ws", "connected", 20, 40, 2.0));
    open.add(Snapshots.of("c-2", "legacy", "disconnecting", 1, 3, null));
    Stats one = collector.collect(12_000, () -> open, false);
    Stats other =
        new StatsCollector(10_000, 1_000)
            .collect(
                14_000, () -> List.of(Snapshots.of("c-3", "ws", "connected", 8, 4, 9.0)), true);
    Map<String, Stats> byNode = new java.util.TreeMap<>(Map.of("node-1", one, "node-2", other));

    Stats answer = one.withNodes(byNode);

    Stats.Totals cluster = answer.cluster();
    assertEquals(2, cluster.nodes());
    assertEquals(1, cluster.draining());
    assertEquals(3, cluster.connections().total());
    assertEquals(Map.of("ws", 2, "legacy", 1), cluster.connections().byEndpoint());
    assertEquals(2, cluster.connections().byState().get("connected"));
    assertEquals(1, cluster.connections().byState().get("disconnecting"));
    assertEquals(0, cluster.connections().byState().get("error"));
    assertEquals(29, cluster.messagesIn());
    assertEquals(47, cluster.messagesOut());
    assertEquals(10.5 + 2.0, cluster.inPerSecond()); // 21 in 2 s, 8 in 4 s
    assertEquals(one.connections(), answer.connections(), "the node's own figures stay its own");
    assertNull(answer.nodes().get("node-2").cluster());
  }

  @Test
  void rttPercentilesOverConnectionsThatAnsweredAPing() {
    assertEquals(new Stats.Rtt(0, null, null), StatsCollector.rtt(open));
    for (int i = 1; i <= 100; i++) {
      open.add(Snapshots.of("c-" + i, "ws", "connected", 0, 0, (double) i));
    }
    open.add(Snapshots.of("c-x", "legacy", "connected", 0, 0, null));
    Stats.Rtt rtt = collector.collect(11_000, () -> open, false).rtt();
    assertEquals(100, rtt.samples());
    assertEquals(50.0, rtt.p50Millis());
    assertEquals(99.0, rtt.p99Millis());

    Stats.Rtt one = StatsCollector.rtt(List.of(Snapshots.of("c-1", "ws", "connected", 0, 0, 3.5)));
    assertEquals(3.5, one.p50Millis());
    assertEquals(3.5, one.p99Millis());
    assertNull(StatsCollector.rtt(List.of()).p99Millis());
  }
}
