package org.robustws.stream;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.robustws.cluster.Peers;
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
  TopologyFence topologyFence(Peers peers) {
    if (!cache.getCacheConfiguration().clustering().cacheMode().isClustered()) {
      return TopologyFence.none();
    }
    AdvancedCache<String, String> streams = cache.getAdvancedCache();
    return new TopologyFence(
        () -> streams.getDistributionManager().getCacheTopology().getTopologyId(),
        topology ->
            peers.allAnswerTrue(new NoAppendsBefore(topology), TopologyFence.ANSWER_WAIT_MS));
  }

  @Produces
  @Singleton
  ChannelStreams channelStreams(WsSettings settings, TopologyFence fence, Clock clock) {
    return new ChannelStreams(
        cache,
        fence,
        new HistoryLimits(
            settings.historyEvents(), settings.historyBytes(), settings.historyAgeMs()),
        settings.resumeGraceMs(),
        clock);
  }
}
