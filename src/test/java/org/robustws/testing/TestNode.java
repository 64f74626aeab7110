package org.robustws.testing;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.robustws.auth.AccessControl;
import org.robustws.auth.AuthSettings;
import org.robustws.auth.ChannelPermissions;
import org.robustws.auth.ChannelRule;
import org.robustws.cluster.Peers;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.PublishExecutor;
import org.robustws.connection.TrafficListener;
import org.robustws.connection.Transport;
import org.robustws.dispatch.Dispatcher;
import org.robustws.fanout.Fanout;
import org.robustws.heartbeat.HeartbeatSweep;
import org.robustws.lifecycle.Drain;
import org.robustws.protocol.MessageCodec;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;

/**
 * One server's worth of the application, wired as CDI wires it, on real embedded caches (in
 * memory): for unit tests that drive it with recording transports and a clock of their own.
 */
public final class TestNode implements AutoCloseable {
  public final MessageCodec codec = new MessageCodec();
  public final TestStores stores;
  public final ChannelStreams streams;
  public final SessionStore sessions;
  public final ConnectionManager connections;
  public final Fanout fanout;
  public final Dispatcher dispatcher;
  public final HeartbeatSweep heartbeat;
  public final Drain drain;

  public TestNode(WsSettings settings, Clock clock) {
    this(settings, clock, new NoEvents(), Runnable::run);
  }

  public TestNode(
      WsSettings settings, Clock clock, ConnectionEvents events, PublishExecutor publishing) {
    this(settings, clock, events, publishing, openAccess());
  }

  /** Without a token verifier: every channel open to anyone, as a server configured with none. */
  public static AccessControl openAccess() {
    ChannelPermissions.Rules anyone =
        new ChannelPermissions.Rules(new ChannelRule.Anyone(), new ChannelRule.Anyone());
    return new AccessControl(
        AuthSettings.off(), Optional.empty(), new ChannelPermissions(Map.of(), anyone, List.of()));
  }

  public TestNode(
      WsSettings settings,
      Clock clock,
      ConnectionEvents events,
      PublishExecutor publishing,
      AccessControl access) {
    stores = new TestStores(settings, clock, null);
    streams = stores.streams;
    sessions = stores.sessions;
    connections = new ConnectionManager(settings, codec, clock);
    fanout = new Fanout(streams, stores.fanout, connections, new Peers()); // never started: alone
    dispatcher =
        new Dispatcher(
            settings,
            clock,
            connections,
            sessions,
            fanout,
            codec,
            events,
            TrafficListener.NONE,
            publishing,
            access);
    heartbeat =
        new HeartbeatSweep(
            settings, clock, connections, dispatcher, codec, TrafficListener.NONE, access);
    drain = new Drain(settings, connections, sessions, codec);
  }

  /** Opens a connection as an endpoint does: created, then opened. */
  public Connection open(EndpointKind endpoint, ConnectionInfo info, Transport transport) {
    Connection connection = dispatcher.connection(endpoint, info, transport);
    dispatcher.open(connection);
    return connection;
  }

  @Override
  public void close() {
    codec.close();
    stores.close();
  }
}
