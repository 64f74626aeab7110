package org.robustws.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.config.WsSettings;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.TrafficListener;
import org.robustws.protocol.MessageCodec;
import org.robustws.testing.MutableClock;
import org.robustws.testing.NoEvents;
import org.robustws.testing.RecordingTransport;
import org.robustws.testing.TestSettings;
import org.robustws.testing.TestStores;

/** Liveness and readiness go DOWN and back UP with the manager's state, on a clock of ours. */
class HealthChecksTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final WsSettings settings = WsSettings.defaults();
  private final MessageCodec codec = new MessageCodec();
  private final TestStores stores = new TestStores(settings, clock, null);
  private final ConnectionManager manager = manager(settings);

  private ConnectionManager manager(WsSettings with) {
    return new ConnectionManager(
        with,
        clock,
        stores.sessions,
        stores.streams,
        codec,
        new NoEvents(),
        TrafficListener.NONE,
        Runnable::run);
  }

  @AfterEach
  void close() {
    codec.close();
    stores.close();
  }

  @Test
  void livenessIsDownAfterThreeMissedHeartbeatsAndUpAfterTheNextOne() {
    HeartbeatLiveness liveness = new HeartbeatLiveness();
    liveness.manager = manager;
    liveness.settings = settings;
    liveness.clock = clock;
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());

    clock.advance(Duration.ofMillis(3 * settings.heartbeatIntervalMs()));
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());
    clock.advance(Duration.ofMillis(1));
    assertEquals(HealthCheckResponse.Status.DOWN, liveness.call().getStatus(), "timer stopped");

    manager.heartbeat();
    assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());
  }

  @Test
  void readinessIsDownWhenFullOrDraining() {
    WsSettings two = TestSettings.defaultsWith(10, 2);
    ConnectionManager small = manager(two);
    CapacityReadiness readiness = new CapacityReadiness();
    readiness.manager = small;
    readiness.settings = two;
    ConnectionInfo info = new ConnectionInfo("127.0.0.1", "test", null, "");

    small.open(EndpointKind.WS, info, new RecordingTransport());
    assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
    var second = small.open(EndpointKind.LEGACY, info, new RecordingTransport());
    assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus(), "at capacity");
    small.onClose(second, 1000, "");
    assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus(), "room again");

    small.shutdown();
    assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus(), "draining");
  }
}
