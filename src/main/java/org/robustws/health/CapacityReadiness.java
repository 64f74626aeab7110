package org.robustws.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.robustws.connection.ConnectionManager;

/**
 * Ready for new clients unless draining for a stop or full, so a load balancer sends them
 * elsewhere. Existing connections are not affected by this answer.
 */
@Readiness
@ApplicationScoped
public class CapacityReadiness implements HealthCheck {
  @Inject ConnectionManager manager;

  @Override
  public HealthCheckResponse call() {
    return new HealthCheckResponse(
        "websocket-capacity",
        manager.admitsNewClients()
            ? HealthCheckResponse.Status.UP
            : HealthCheckResponse.Status.DOWN,
        Optional.of(
            Map.of(
                "activeConnections", (long) manager.size(),
                "capacity", (long) manager.capacity(),
                "draining", manager.isDraining())));
  }
}
