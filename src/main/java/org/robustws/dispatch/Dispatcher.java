package org.robustws.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
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
import org.robustws.connection.MessageReceived;
import org.robustws.connection.PublishExecutor;
import org.robustws.connection.RateLimiter;
import org.robustws.connection.TrafficListener;
import org.robustws.connection.Transport;
import org.robustws.fanout.Fanout;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.ClientMessage;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.ErrorCode;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ProtocolException;
import org.robustws.protocol.ServerMessage;
import org.robustws.protocol.Utf8;
import org.robustws.session.SessionStore;
import org.robustws.session.Tokens;

/**
 * Where both endpoints hand every container callback: it opens and registers connections, checks
 * each frame's size and rate, decodes it and gives it to the endpoint's protocol, and closes. It
 * never blocks on a client: every frame goes out through the connection's bounded queue.
 */
@ApplicationScoped
public class Dispatcher {

  /** The type label of messages that could not be read as a protocol type. */
  private static final String OTHER = "other";

  private final Tokens ids = new Tokens();
  private final AtomicLong opens = new AtomicLong();
  private final Supplier<Dispatcher> direct = () -> this;
  private WsSettings settings;
  private Clock clock;
  private ConnectionManager connections;
  private MessageCodec codec;
  private ConnectionEvents events;
  private TrafficListener traffic;
  private PublishExecutor publishExecutor;
  private WsProtocol ws;
  private LegacyProtocol legacy;

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
    this.codec = codec;
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
    this.legacy = new LegacyProtocol(codec);
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
   * A part of a text message. The size limit is enforced here, part by part, because Undertow 2.3
   * does not enforce its own limit on messages that arrive in several reads (UNDERTOW-2770).
   */
  public void onTextPart(Connection connection, String part, boolean last) {
    if (connection.state() != ConnectionState.CONNECTED) {
      // we are closing it (perhaps for a message too big), or closed it: a frame still in flight
      // must not act, above all a resume that would take its session from a newer connection
      return;
    }
    int bytes = connection.partialBytes() + Utf8.length(part);
    if (bytes > settings.maxMessageBytes()) {
      connection.discardPartial();
      traffic.received(connection.endpoint(), OTHER, bytes);
      tooBig(connection);
    } else if (last) {
      onText(connection, connection.completeMessage(part), bytes);
    } else {
      connection.seen(clock.millis());
      connection.addPart(part, bytes);
    }
  }

  /** A whole text message from the client. */
  public void onText(Connection connection, String text) {
    if (connection.state() == ConnectionState.CONNECTED) { // as in onTextPart
      onText(connection, text, Utf8.length(text));
    }
  }

  private void onText(Connection connection, String text, int bytes) {
    long now = clock.millis();
    connection.received(now, bytes);
    if (bytes > settings.maxMessageBytes()) {
      traffic.received(connection.endpoint(), OTHER, bytes);
      tooBig(connection);
      return;
    }
    if (!withinRate(connection, now, bytes)) {
      return;
    }
    boolean first = connection.firstMessage();
    if (connection.endpoint() == EndpointKind.LEGACY) {
      String type = legacy.typeOf(text);
      traffic.received(connection.endpoint(), type, bytes);
      logIn(connection, type, bytes);
      events.received(
          new MessageReceived(connection.id(), connection.endpoint(), type, bytes, text));
      legacy.handleText(connection, text, type, now);
      return;
    }
    long start = System.nanoTime();
    String type = OTHER;
    JsonValue ref = null;
    boolean timedLater = false;
    try {
      ClientMessage message = codec.decode(text);
      type = message.type();
      // a publication's fan-out runs later, on the publish executor, and is timed there
      timedLater = message instanceof ClientMessage.Publish;
      if (message instanceof ClientMessage.Message body) {
        ref = body.body().get("id");
      }
      events.received(
          new MessageReceived(connection.id(), connection.endpoint(), type, bytes, text));
      ws.handle(connection, message, first, now);
    } catch (ProtocolException e) {
      timedLater = false;
      try (LogFields f = connection.logFields("RWS0007")) {
        WsLog.LOG.rejected(connection.id(), e.code().wireValue(), e.getMessage());
      }
      traffic.rejected(connection.endpoint(), e.code().wireValue());
      ws.reply(connection, e.toMessage());
    } catch (RuntimeException e) {
      try (LogFields f = connection.logFields("RWS0009")) {
        WsLog.LOG.serverError(connection.id(), e);
      }
      ws.internalError(connection, ref);
    }
    traffic.received(connection.endpoint(), type, bytes);
    if (!timedLater) {
      traffic.handled(type, System.nanoTime() - start);
    }
    logIn(connection, type, bytes);
  }

  private static void logIn(Connection connection, String type, int bytes) {
    if (WsLog.LOG.isDebugEnabled()) {
      try (LogFields f = connection.logFields("RWS0010")) {
        WsLog.LOG.messageIn(connection.id(), type, bytes);
      }
    }
  }

  /** A binary frame: echoed on {@code /ws-legacy}, refused on {@code /ws}. */
  public void onBinary(Connection connection, ByteBuffer data) {
    if (connection.state() != ConnectionState.CONNECTED) {
      return;
    }
    long now = clock.millis();
    connection.received(now, data.remaining());
    if (!withinRate(connection, now, data.remaining())) {
      return;
    }
    traffic.received(connection.endpoint(), "binary", data.remaining());
    logIn(connection, "binary", data.remaining());
    connection.firstMessage();
    if (data.remaining() > settings.maxMessageBytes()) {
      tooBig(connection);
    } else if (connection.endpoint() == EndpointKind.LEGACY) {
      legacy.handleBinary(connection, data);
    } else {
      traffic.rejected(connection.endpoint(), ErrorCode.INVALID_FORMAT.wireValue());
      ws.reply(
          connection,
          ServerMessage.Error.of(
              ErrorCode.INVALID_FORMAT.wireValue(),
              "binary frames are not part of the protocol; send JSON text",
              null));
    }
  }

  /**
   * Applies the connection's rate limit: a message over it gets {@code rate_limited}; a client that
   * keeps sending regardless is closed with 1008.
   */
  private boolean withinRate(Connection connection, long now, int bytes) {
    RateLimiter.Verdict verdict = connection.acquire(now);
    if (verdict == RateLimiter.Verdict.ALLOW) {
      return true;
    }
    traffic.received(connection.endpoint(), OTHER, bytes);
    traffic.rejected(connection.endpoint(), ErrorCode.RATE_LIMITED.wireValue());
    if (verdict == RateLimiter.Verdict.ABUSE) {
      connection.close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded repeatedly");
    } else {
      ws.reply(
          connection,
          ServerMessage.Error.of(
              ErrorCode.RATE_LIMITED.wireValue(),
              "more than " + settings.rateLimitPerSecond() + " messages per second; slow down",
              null));
    }
    return false;
  }

  private void tooBig(Connection connection) {
    traffic.rejected(connection.endpoint(), "too_big");
    connection.close(
        CloseCodes.TOO_BIG, "message larger than " + settings.maxMessageBytes() + " bytes");
  }

  /** A pong, normally the answer to a heartbeat ping. */
  public void onPong(Connection connection, ByteBuffer payload) {
    double rttMillis = connection.ponged(clock.instant(), payload);
    if (rttMillis >= 0) {
      traffic.roundTrip(rttMillis);
    }
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
    if (connection.endpoint() == EndpointKind.WS) {
      ws.closed(connection, now);
    }
    ConnectionSnapshot snapshot = connection.snapshot();
    traffic.closed(connection.endpoint(), code, now - snapshot.connectedAt());
    events.closed(new ConnectionClosed(snapshot, code, reason, now - snapshot.connectedAt()));
  }
}
