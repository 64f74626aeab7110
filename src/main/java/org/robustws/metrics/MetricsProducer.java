package org.robustws.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.robustws.connection.TrafficListener;

/** Makes the one {@link WsMetrics} the {@link TrafficListener} of the whole application. */
@ApplicationScoped
public class MetricsProducer {

  @Produces
  @Singleton
  TrafficListener traffic(WsMetrics metrics) {
    return metrics.direct().get();
  }
}
