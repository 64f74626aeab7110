package org.robustws.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.robustws.channel.ChannelRegistry;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.session.InMemorySessionStore;
import org.robustws.session.SessionStore;

/** Chooses the channel and session stores: in memory, on this node. */
@ApplicationScoped
public class StoreProducer {

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
