package org.robustws.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.robustws.config.WsSettings;
import org.robustws.connection.ConnectionManager;

/**
 * Ready for new clients unless draining for a stop or full, so a load balancer sends them
 * elsewhere. Existing connections are not affected by this answer.
 */
@Readiness
@ApplicationScoped
public class CapacityReadiness implements HealthCheck {
  @Inject ConnectionManager manager;
  @Inject WsSettings settings;

  @Override
  public HealthCheckResponse call() {
    int active = manager.size();
    boolean draining = manager.isDraining();
    return new HealthCheckResponse(
        "websocket-capacity",
        !draining && active < settings.maxConnections()
            ? HealthCheckResponse.Status.UP
            : HealthCheckResponse.Status.DOWN,
        Optional.of(
            Map.of(
                "activeConnections", (long) active,
                "capacity", (long) settings.maxConnections(),
                "draining", draining)));
  }
}
