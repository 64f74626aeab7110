package org.robustws.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.robustws.config.WsSettings;
import org.robustws.connection.ConnectionManager;
import org.robustws.heartbeat.HeartbeatSweep;

/**
 * Alive while the heartbeat runs: without it dead connections pile up and nobody is pinged, which a
 * restart fixes. Three missed intervals are allowed before saying DOWN.
 */
@Liveness
@ApplicationScoped
public class HeartbeatLiveness implements HealthCheck {
  static final int MISSED_INTERVALS = 3;

  @Inject ConnectionManager manager;
  @Inject HeartbeatSweep heartbeat;
  @Inject WsSettings settings;
  @Inject Clock clock;

  @Override
  public HealthCheckResponse call() {
    long last = heartbeat.lastTickAt();
    long silence = clock.millis() - last;
    // built directly rather than through the builder, which needs the server's provider
    return new HealthCheckResponse(
        "websocket-heartbeat",
        silence <= MISSED_INTERVALS * settings.heartbeatIntervalMs()
            ? HealthCheckResponse.Status.UP
            : HealthCheckResponse.Status.DOWN,
        Optional.of(
            Map.of(
                "lastTick",
                Instant.ofEpochMilli(last).toString(),
                "millisSinceLastTick",
                silence,
                "connections",
                (long) manager.size())));
  }
}
