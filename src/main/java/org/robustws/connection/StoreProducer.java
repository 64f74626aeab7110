package org.robustws.connection;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;
import org.robustws.channel.ChannelRegistry;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.session.InMemorySessionStore;
import org.robustws.session.SessionStore;

/** Chooses the channel and session stores (in memory, on this node) and the publish threads. */
@ApplicationScoped
public class StoreProducer {

  // the global name: java:comp/ resolves only on a thread of a component, and the manager (which
  // takes this executor) may first be made on a management thread, for a health check
  @Resource(lookup = "java:jboss/ee/concurrency/executor/default")
  Executor managedExecutor;

  @Produces
  @Singleton
  PublishExecutor publishExecutor() {
    return managedExecutor::execute;
  }

  @Produces
  @Singleton
  SessionStore sessionStore(WsSettings settings) {
    return new InMemorySessionStore(
        settings.resumeBufferEvents(), settings.resumeBufferBytes(), settings.resumeGraceMs());
  }

  @Produces
  @Singleton
  ChannelRegistry channelRegistry() {
    return new InMemoryChannelRegistry();
  }
}
