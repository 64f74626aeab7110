package org.robustws.testing;

import java.nio.file.Path;
import java.time.Clock;
import org.infinispan.Cache;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.fanout.LocalFanout;
import org.robustws.session.OtherNodes;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.HistoryLimits;
import org.robustws.stream.TopologyFence;

/**
 * The streams and sessions on a real embedded Infinispan, as the server wires them; {@code dir}
 * holds their file stores ({@code null}: in memory only). Close it to stop the caches, as a server
 * stop does.
 */
public final class TestStores implements AutoCloseable {
  public final ChannelStreams streams;
  public final SessionStore sessions;
  public final LocalFanout fanout;

  /** The cache of the session records, to look at what the store wrote. */
  public final Cache<String, String> sessionCache;

  private final LocalCaches caches;

  public TestStores(WsSettings settings, Clock clock, Path dir) {
    this(
        settings,
        new HistoryLimits(
            settings.historyEvents(), settings.historyBytes(), settings.historyAgeMs()),
        clock,
        dir);
  }

  public TestStores(WsSettings settings, HistoryLimits history, Clock clock, Path dir) {
    caches = new LocalCaches(dir);
    streams =
        new ChannelStreams(
            caches.cache("streams"),
            TopologyFence.none(),
            history,
            settings.resumeGraceMs(),
            clock);
    InMemoryChannelRegistry channels = new InMemoryChannelRegistry();
    sessionCache = caches.cache("sessions");
    sessions = new SessionStore(sessionCache, channels, streams, OtherNodes.NONE, settings);
    fanout = new LocalFanout(streams, sessions, channels, clock);
  }

  @Override
  public void close() {
    caches.close();
  }
}
