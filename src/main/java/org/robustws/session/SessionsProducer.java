package org.robustws.session;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.infinispan.Cache;
import org.robustws.channel.ChannelRegistry;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.cluster.Peers;
import org.robustws.config.WsSettings;
import org.robustws.stream.ChannelStreams;

/**
 * The sessions, their records on the server's cache {@code ws/sessions}
 * (wildfly-config/configure-infinispan.cli), which outlives the deployment.
 */
@ApplicationScoped
public class SessionsProducer {

  @Resource(lookup = "java:jboss/infinispan/cache/ws/sessions")
  Cache<String, String> cache;

  /** Which sessions of this node listen on which channel: the sessions' and the fan-out's. */
  @Produces
  @Singleton
  ChannelRegistry channelRegistry() {
    return new InMemoryChannelRegistry();
  }

  @Produces
  @Singleton
  SessionStore sessionStore(
      WsSettings settings, ChannelStreams streams, Peers peers, ChannelRegistry channels) {
    return new SessionStore(cache, channels, streams, HandOver.across(peers), settings);
  }
}
