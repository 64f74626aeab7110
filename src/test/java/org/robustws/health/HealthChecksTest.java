package org.robustws.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.cluster.Peers;
import org.robustws.config.WsSettings;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.EndpointKind;
import org.robustws.testing.LocalCaches;
import org.robustws.testing.MutableClock;
import org.robustws.testing.RecordingTransport;
import org.robustws.testing.TestNode;
import org.robustws.testing.TestSettings;

/** Liveness and readiness go DOWN and back UP with the manager's state, on a clock of ours. */
class HealthChecksTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final WsSettings settings = WsSettings.defaults();
  private final List<TestNode> nodes = new ArrayList<>();
  private final TestNode node = node(settings);

  private TestNode node(WsSettings with) {
    TestNode created = new TestNode(with, clock);
    nodes.add(created);
    return created;
  }

  @AfterEach
  void close() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void livenessIsDownAfterThreeMissedHeartbeatsAndUpAfterTheNextOne() {
    HeartbeatLiveness liveness = new HeartbeatLiveness();
    liveness.manager = node.connections;
    liveness.heartbeat = node.heartbeat;
    liveness.settings = settings;
    liveness.clock = clock;
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());

    clock.advance(Duration.ofMillis(3 * settings.heartbeatIntervalMs()));
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());
    clock.advance(Duration.ofMillis(1));
    assertEquals(HealthCheckResponse.Status.DOWN, liveness.call().getStatus(), "timer stopped");

    node.heartbeat.tick();
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());
  }

  @Test
  void readinessIsDownWhenFullOrDraining() {
    WsSettings two = TestSettings.defaultsWith(10, 2);
    TestNode small = node(two);
    CapacityReadiness readiness = new CapacityReadiness();
    readiness.manager = small.connections;
    ConnectionInfo info = new ConnectionInfo("127.0.0.1", "test", null, "");

    small.open(EndpointKind.WS, info, new RecordingTransport());
    assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
    var second = small.open(EndpointKind.LEGACY, info, new RecordingTransport());
    assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus(), "at capacity");
    small.dispatcher.onClose(second, 1000, "");
    assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus(), "room again");

    small.drain.shutdown();
    assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus(), "draining");
  }

  /**
   * docs/deployment.md, a split: readiness reports each cache's availability. A lone server's real
   * local caches are {@code AVAILABLE} (Infinispan lets no local cache be set otherwise), so this
   * shows the UP side and the data only; ClusterIT degrades the caches of a node without a
   * majority.
   */
  @Test
  void readinessReportsBothCachesAvailableOnALoneServer() {
    try (LocalCaches caches = new LocalCaches(null)) {
      ClusterReadiness readiness = new ClusterReadiness();
      readiness.streams = caches.cache("streams");
      readiness.sessions = caches.cache("sessions");
      readiness.peers =
          new Peers() {
            @Override
            public String localName() {
              return "node-1";
            }

            @Override
            public List<String> members() {
              return List.of("node-1");
            }

            @Override
            public boolean coordinator() {
              return true;
            }
          };
      HealthCheckResponse response = readiness.call();
      assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
      assertEquals("cluster-state", response.getName());
      Map<String, Object> data = response.getData().orElseThrow();
      assertEquals("AVAILABLE", data.get("streams"));
      assertEquals("AVAILABLE", data.get("sessions"));
      assertEquals("node-1", data.get("node"));
      assertEquals(1L, data.get("members"));
      assertEquals("node-1", data.get("view"));
      assertEquals(true, data.get("coordinator"));
    }
  }
}
