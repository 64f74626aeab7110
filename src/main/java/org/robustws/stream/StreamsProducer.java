package org.robustws.stream;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.infinispan.Cache;
import org.robustws.config.WsSettings;

/**
 * The channel streams on the server's cache {@code ws/streams}
 * (wildfly-config/configure-infinispan.cli), which outlives the deployment.
 */
@ApplicationScoped
public class StreamsProducer {

  // the global name: java:comp/ resolves only on a thread of a component, and the streams may
  // first be needed on a management thread, for a health check
  @Resource(lookup = "java:jboss/infinispan/cache/ws/streams")
  Cache<String, String> cache;

  @Produces
  @Singleton
  ChannelStreams channelStreams(WsSettings settings, Clock clock) {
    return new ChannelStreams(
        cache,
        new HistoryLimits(
            settings.historyEvents(), settings.historyBytes(), settings.historyAgeMs()),
        settings.resumeGraceMs(),
        clock);
  }
}
