package org.robustws.connection;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.infinispan.Cache;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.HistoryLimits;

/**
 * The stores, on the server's cache container {@code ws} (wildfly-config/configure-infinispan.cli):
 * it outlives the deployment, so a redeploy keeps every stream and session; and the publish
 * threads.
 */
@ApplicationScoped
public class StoreProducer {

  // global names: java:comp/ resolves only on a thread of a component, and the manager (which
  // takes these) may first be made on a management thread, for a health check
  @Resource(lookup = "java:jboss/ee/concurrency/executor/default")
  Executor managedExecutor;

  @Resource(lookup = "java:jboss/infinispan/cache/ws/streams")
  Cache<String, String> streamCache;

  @Resource(lookup = "java:jboss/infinispan/cache/ws/sessions")
  Cache<String, String> sessionCache;

  @Produces
  @Singleton
  PublishExecutor publishExecutor() {
    return managedExecutor::execute;
  }

  @Produces
  @Singleton
  ChannelStreams channelStreams(WsSettings settings, Clock clock) {
    return new ChannelStreams(
        streamCache,
        new HistoryLimits(
            settings.historyEvents(), settings.historyBytes(), settings.historyAgeMs()),
        clock);
  }

  @Produces
  @Singleton
  SessionStore sessionStore(WsSettings settings, ChannelStreams streams) {
    return new SessionStore(
        sessionCache,
        new InMemoryChannelRegistry(),
        streams,
        settings.resumeGraceMs(),
        settings.historyEvents(),
        settings.maxSubscriptions());
  }
}
