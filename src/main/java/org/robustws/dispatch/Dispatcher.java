package org.robustws.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.robustws.auth.AccessControl;
import org.robustws.config.WsSettings;
import org.robustws.connection.Admission;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionClosed;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionOpened;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.PublishExecutor;
import org.robustws.connection.TrafficListener;
import org.robustws.connection.Transport;
import org.robustws.fanout.Fanout;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ServerMessage;
import org.robustws.session.SessionStore;
import org.robustws.session.Tokens;

/**
 * Where both endpoints hand every container callback: it opens and registers connections, gives
 * each frame to {@link IncomingFrames} (size and rate checks, decoding, the endpoint's protocol),
 * and closes. It never blocks on a client: every frame goes out through the connection's bounded
 * queue.
 */
@ApplicationScoped
public class Dispatcher {

  private final Tokens ids = new Tokens();
  private final AtomicLong opens = new AtomicLong();
  private final Supplier<Dispatcher> direct = () -> this;
  private WsSettings settings;
  private Clock clock;
  private ConnectionManager connections;
  private ConnectionEvents events;
  private TrafficListener traffic;
  private PublishExecutor publishExecutor;
  private WsProtocol ws;
  private IncomingFrames frames;

  /** For the CDI proxy only. */
  protected Dispatcher() {}

  @Inject
  public Dispatcher(
      WsSettings settings,
      Clock clock,
      ConnectionManager connections,
      SessionStore sessions,
      Fanout fanout,
      MessageCodec codec,
      ConnectionEvents events,
      TrafficListener traffic,
      PublishExecutor publishExecutor,
      AccessControl access) {
    this.settings = settings;
    this.clock = clock;
    this.connections = connections;
    this.events = events;
    this.traffic = traffic;
    this.publishExecutor = publishExecutor;
    WsSettings.Reconnect r = settings.reconnect();
    ServerMessage.ClientConfig clientConfig =
        new ServerMessage.ClientConfig(
            settings.heartbeatIntervalMs(),
            settings.heartbeatTimeoutMs(),
            settings.maxMessageBytes(),
            new ServerMessage.ReconnectStrategy(
                r.initialDelayMs(), r.maxDelayMs(), r.multiplier(), r.jitter(), r.maxAttempts()));
    this.ws =
        new WsProtocol(
            codec,
            sessions,
            fanout,
            events,
            traffic,
            access,
            clientConfig,
            settings.maxSubscriptions());
    this.frames =
        new IncomingFrames(settings, clock, codec, events, traffic, ws, new LegacyProtocol(codec));
  }

  /**
   * This instance, not its CDI client proxy. Endpoints call the dispatcher for every frame, and
   * each call through the proxy costs a context lookup (bench/RESULTS.md). Safe: the
   * application-scoped instance lives as long as the deployment, longer than any of its
   * connections. A supplier, because Weld's client proxy hands back itself from a method that
   * returns its instance.
   */
  public Supplier<Dispatcher> direct() {
    return direct;
  }

  /**
   * A new connection, not yet open: the endpoint keeps it before it calls {@link #open}, so that a
   * close the container reports while the open still runs finds it.
   */
  public Connection connection(EndpointKind endpoint, ConnectionInfo info, Transport transport) {
    long now = clock.millis();
    return new Connection(
        ids.next("c-", 9),
        // ordered across restarts too: a resume never moves a session to an older connection
        opens.updateAndGet(previous -> Math.max(previous + 1, now * 1_000)),
        endpoint,
        info,
        now,
        transport,
        traffic,
        settings,
        publishExecutor);
  }

  /**
   * Opens a connection: admitted and registered, or closed with 1013 (full) or 1012 (draining). On
   * {@code /ws} it gets a fresh session, announced by {@code system/connected} first. A close that
   * comes while this runs (Undertow reports one at once when a send fails) leaves nothing
   * registered.
   */
  public void open(Connection connection) {
    long now = clock.millis();
    EndpointKind endpoint = connection.endpoint();
    if (connection.state() != ConnectionState.CONNECTING) {
      return; // closed before it opened
    }
    Admission admission = connections.register(connection);
    if (admission != Admission.OPEN) {
      // the handshake filter refuses most of these with an HTTP status; this closes the rest
      traffic.rejected(endpoint, "capacity");
      connection.close(
          admission == Admission.DRAINING ? CloseCodes.SERVICE_RESTART : CloseCodes.TRY_AGAIN_LATER,
          admission.reason());
      return;
    }
    try {
      if (endpoint == EndpointKind.WS) {
        ws.opened(connection, now);
      }
      if (!connection.moveTo(ConnectionState.CONNECTED)) {
        // closed meanwhile: its close may have run before it was registered or had its session
        connections.unregister(connection);
        ws.closed(connection, now);
        return;
      }
      traffic.opened(endpoint);
      events.opened(new ConnectionOpened(connection.snapshot()));
      if (endpoint == EndpointKind.WS) {
        ws.admitted(connection);
      }
    } catch (RuntimeException e) {
      // give back what this connection took, or its place would be lost until a restart
      try (LogFields f = connection.logFields("RWS0009")) {
        WsLog.LOG.serverError(connection.id(), e);
      }
      connections.unregister(connection);
      ws.closed(connection, now);
      connection.close(CloseCodes.SERVER_ERROR, "internal error");
    }
  }

  /**
   * A part of a text message; its size is checked part by part.
   *
   * @see IncomingFrames#onTextPart
   */
  public void onTextPart(Connection connection, String part, boolean last) {
    frames.onTextPart(connection, part, last);
  }

  /** A whole text message from the client. */
  public void onText(Connection connection, String text) {
    frames.onText(connection, text);
  }

  /** A binary frame: echoed on {@code /ws-legacy}, refused on {@code /ws}. */
  public void onBinary(Connection connection, ByteBuffer data) {
    frames.onBinary(connection, data);
  }

  /** A pong, normally the answer to a heartbeat ping. */
  public void onPong(Connection connection, ByteBuffer payload) {
    frames.onPong(connection, payload);
  }

  /** A failure the container reported; a close normally follows. */
  public void onError(Connection connection, Throwable failure) {
    if (connection == null) {
      WsLog.LOG.serverError("(not yet registered)", failure);
      return;
    }
    connection.moveTo(ConnectionState.ERROR);
    // a client that vanishes is normal life; anything else is ours to fix
    boolean io = failure instanceof java.io.IOException;
    try (LogFields f = connection.logFields(io ? "RWS0017" : "RWS0009")) {
      if (io) {
        WsLog.LOG.ioFailure(connection.id(), failure);
      } else {
        WsLog.LOG.serverError(connection.id(), failure);
      }
    }
  }

  /**
   * The socket closed, whoever closed it. Runs once per connection however often called; for a
   * connection that is not registered (yet), it only marks it closed, so that {@link #open} lets it
   * go.
   */
  public void onClose(Connection connection, int code, String reason) {
    if (connection == null) {
      return;
    }
    if (!connections.unregister(connection)) {
      connection.moveTo(ConnectionState.DISCONNECTED);
      return;
    }
    long now = clock.millis();
    connection.moveTo(ConnectionState.DISCONNECTED);
    try {
      if (connection.endpoint() == EndpointKind.WS) {
        ws.closed(connection, now); // may fail to write the session's record: the caller logs it
      }
    } finally {
      ConnectionSnapshot snapshot = connection.snapshot();
      traffic.closed(connection.endpoint(), code, now - snapshot.connectedAt());
      events.closed(new ConnectionClosed(snapshot, code, reason, now - snapshot.connectedAt()));
    }
  }
}
