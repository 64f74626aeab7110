package org.robustws.health;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.infinispan.Cache;
import org.robustws.cluster.Peers;

/**
 * Ready only while the streams and the sessions can be read and written here. The caches start with
 * the deployment, after they received their state from the other nodes, so a node that joins a
 * cluster is not ready before it holds that state. On a split, the side without a majority degrades
 * them ({@code DENY_READ_WRITES}): its nodes turn DOWN and a balancer stops sending them clients. A
 * lone server's local caches are always available.
 */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {
  @Resource(lookup = "java:jboss/infinispan/cache/ws/streams")
  Cache<String, String> streams;

  @Resource(lookup = "java:jboss/infinispan/cache/ws/sessions")
  Cache<String, String> sessions;

  @Inject Peers peers;

  private static final String AVAILABLE = "AVAILABLE";

  @Override
  public HealthCheckResponse call() {
    String streamsMode = availability(streams);
    String sessionsMode = availability(sessions);
    boolean up = AVAILABLE.equals(streamsMode) && AVAILABLE.equals(sessionsMode);
    return new HealthCheckResponse(
        "cluster-state",
        up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
        Optional.of(
            Map.of(
                "node",
                peers.localName(),
                "members",
                (long) peers.members().size(),
                "view",
                String.join(",", peers.members()),
                "coordinator",
                peers.coordinator(),
                "streams",
                streamsMode,
                "sessions",
                sessionsMode)));
  }

  /**
   * The cache's {@code AvailabilityMode} by name: WildFly's {@code org.infinispan} module does not
   * export that enum's package to deployments, so it is never named here.
   */
  private static String availability(Cache<String, String> cache) {
    return String.valueOf(cache.getAdvancedCache().getAvailability());
  }
}
