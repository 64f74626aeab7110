package org.robustws.stream;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * How long an append that compares the copies ({@link HeadCopies}) waits for the other nodes'
   * answers, holding its channel's head lock: one that is silent this long fails it, and its
   * publishers get {@code internal} (they may send it again).
   */
  private static final long COPIES_WAIT_MS = 5_000;

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
  ChannelStreams channelStreams(
      WsSettings settings, TopologyFence fence, Peers peers, Clock clock) {
    return new ChannelStreams(
        cache,
        fence,
        keys -> {
          Map<String, List<String>> byNode = new HashMap<>();
          for (CopiesOf.Copies copies :
              peers.ask(new CopiesOf(keys.toArray(String[]::new))).each(COPIES_WAIT_MS)) {
            byNode.put(copies.node(), Arrays.asList(copies.values()));
          }
          return byNode;
        },
        new HistoryLimits(
            settings.historyEvents(), settings.historyBytes(), settings.historyAgeMs()),
        settings.resumeGraceMs(),
        clock);
  }
}
