package org.robustws.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.robustws.config.WsSettings;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.ClientMessage;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.ErrorCode;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ProtocolException;
import org.robustws.protocol.ServerMessage;
import org.robustws.protocol.Utf8;
import org.robustws.session.ClientSession;
import org.robustws.session.SessionStore;
import org.robustws.session.Tokens;
import org.robustws.stream.ChannelStreams;

/**
 * The one registry of open connections on both endpoints. Endpoints hand it every container
 * callback; the heartbeat timer and the server-side API call it too. It never blocks on a client:
 * every frame goes through the connection's bounded outbound queue.
 */
@ApplicationScoped
public class ConnectionManager {

  /** The type label of messages that could not be read as a protocol type. */
  private static final String OTHER = "other";

  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private volatile boolean draining;
  private volatile long lastHeartbeatAt;
  private final Tokens ids = new Tokens();
  private final AtomicLong opens = new AtomicLong();
  private final Supplier<ConnectionManager> direct = () -> this;
  private WsSettings settings;
  private Clock clock;
  private SessionStore sessions;
  private MessageCodec codec;
  private ConnectionEvents events;
  private TrafficListener traffic;
  private Fanout fanout;
  private AdmissionControl admissions;
  private WsProtocol protocol;
  private ServerMessage.ClientConfig clientConfig;
  private PublishExecutor publishExecutor;

  /** For the CDI proxy only. */
  protected ConnectionManager() {}

  @Inject
  public ConnectionManager(
      WsSettings settings,
      Clock clock,
      SessionStore sessions,
      ChannelStreams streams,
      MessageCodec codec,
      ConnectionEvents events,
      TrafficListener traffic,
      PublishExecutor publishExecutor) {
    this.settings = settings;
    this.publishExecutor = publishExecutor;
    this.traffic = traffic;
    this.clock = clock;
    this.sessions = sessions;
    this.codec = codec;
    this.events = events;
    this.lastHeartbeatAt = clock.millis();
    this.fanout = new Fanout(streams, sessions);
    this.admissions =
        new AdmissionControl(settings.maxConnections(), settings.maxConnectionsPerAddress());
    this.protocol =
        new WsProtocol(codec, sessions, fanout, events, traffic, settings.maxSubscriptions());
    WsSettings.Reconnect r = settings.reconnect();
    this.clientConfig =
        new ServerMessage.ClientConfig(
            settings.heartbeatIntervalMs(),
            settings.heartbeatTimeoutMs(),
            settings.maxMessageBytes(),
            new ServerMessage.ReconnectStrategy(
                r.initialDelayMs(), r.maxDelayMs(), r.multiplier(), r.jitter(), r.maxAttempts()));
  }

  /**
   * This instance, not its CDI client proxy. Endpoints call the manager for every frame, and each
   * call through the proxy costs a context lookup (bench/RESULTS.md). Safe: the application-scoped
   * instance lives as long as the deployment, longer than any of its connections.
   *
   * <p>A supplier, because Weld's client proxy hands back itself from a method that returns its
   * instance: until 2026-11-26 this returned {@code this}, and jstacks still showed every frame
   * going through the proxy.
   */
  public Supplier<ConnectionManager> direct() {
    return direct;
  }

  /**
   * Registers a new connection. On {@code /ws} it gets a fresh session, announced by {@code
   * system/connected} before any other frame.
   */
  public Connection open(EndpointKind endpoint, ConnectionInfo info, Transport transport) {
    long now = clock.millis();
    Connection connection =
        new Connection(
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
    Admission admission = draining ? Admission.DRAINING : admissions.admit(info.remoteAddress());
    if (admission != Admission.OPEN) {
      // the handshake filter refuses most of these with an HTTP status; this closes the rest
      traffic.rejected(endpoint, "capacity");
      connection.close(
          admission == Admission.DRAINING ? CloseCodes.SERVICE_RESTART : CloseCodes.TRY_AGAIN_LATER,
          admission.reason());
      return connection;
    }
    try {
      if (endpoint == EndpointKind.WS) {
        SessionStore.Created created = sessions.create(connection);
        connection.session(created.session());
        send(
            connection,
            ServerMessage.Connected.of(
                connection.id(), created.session().id(), created.resumeToken(), now, clientConfig));
      }
      connections.put(connection.id(), connection);
      connection.moveTo(ConnectionState.CONNECTED);
      traffic.opened(endpoint);
      events.opened(new ConnectionOpened(connection.snapshot()));
    } catch (RuntimeException e) {
      // give back what this connection took, or its place would be lost until a restart
      try (LogFields f = connection.logFields("RWS0009")) {
        WsLog.LOG.serverError(connection.id(), e);
      }
      connections.remove(connection.id(), connection);
      admissions.release(connection.remoteAddress());
      if (connection.session() != null) {
        sessions.discard(connection.session());
      }
      connection.close(CloseCodes.SERVER_ERROR, "internal error");
    }
    return connection;
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
      onLegacyText(connection, text, bytes, now);
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
      protocol.handle(connection, message, first, now);
    } catch (ProtocolException e) {
      timedLater = false;
      try (LogFields f = connection.logFields("RWS0007")) {
        WsLog.LOG.rejected(connection.id(), e.code().wireValue(), e.getMessage());
      }
      traffic.rejected(connection.endpoint(), e.code().wireValue());
      send(connection, e.toMessage());
    } catch (RuntimeException e) {
      try (LogFields f = connection.logFields("RWS0009")) {
        WsLog.LOG.serverError(connection.id(), e);
      }
      protocol.internalError(connection, ref);
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

  private void send(Connection connection, ServerMessage message) {
    connection.offer(message.type(), codec.encode(message));
  }

  private void onLegacyText(Connection connection, String text, int bytes, long now) {
    JsonObject object = codec.tryParseObject(text);
    boolean ping =
        object != null
            && object.get("type") instanceof JsonString type
            && "ping".equals(type.getString());
    String type = ping ? "ping" : "text";
    traffic.received(connection.endpoint(), type, bytes);
    logIn(connection, type, bytes);
    events.received(new MessageReceived(connection.id(), connection.endpoint(), type, bytes, text));
    if (ping) {
      connection.offer("pong", codec.legacyPong(now));
    } else {
      connection.offer("text", text);
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
    if (data.remaining() > settings.maxMessageBytes()) {
      tooBig(connection);
    } else if (connection.endpoint() == EndpointKind.LEGACY) {
      connection.firstMessage();
      connection.offerBinary(data);
    } else {
      connection.firstMessage();
      traffic.rejected(connection.endpoint(), ErrorCode.INVALID_FORMAT.wireValue());
      send(
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
      send(
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

  /** A pong, normally the answer to a heartbeat ping, which carries its send time. */
  public void onPong(Connection connection, ByteBuffer payload) {
    Instant now = clock.instant();
    double rttMillis = -1;
    if (payload.remaining() == Long.BYTES) {
      rttMillis = (micros(now) - payload.getLong(payload.position())) / 1000.0;
      traffic.roundTrip(rttMillis);
    }
    connection.ponged(now.toEpochMilli(), rttMillis);
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

  /** The socket closed, whoever closed it. Runs once per connection however often called. */
  public void onClose(Connection connection, int code, String reason) {
    if (connection == null || !connections.remove(connection.id(), connection)) {
      return;
    }
    admissions.release(connection.remoteAddress());
    long now = clock.millis();
    connection.moveTo(ConnectionState.DISCONNECTED);
    ClientSession session = connection.session();
    if (session != null) {
      sessions.detach(session, connection, now);
    }
    ConnectionSnapshot snapshot = connection.snapshot();
    traffic.closed(connection.endpoint(), code, now - snapshot.connectedAt());
    events.closed(new ConnectionClosed(snapshot, code, reason, now - snapshot.connectedAt()));
  }

  /**
   * One heartbeat tick: pings the connections whose ping is due (and sends {@code heartbeat} on
   * {@code /ws-legacy}) and closes with 4000 those that sent nothing within the timeout (sessions
   * expire in their cache on their own). Ticks come several times per interval (see {@link
   * WsSettings#heartbeatTickMs()}), so each one pings a slice of the connections: a single burst of
   * pings to all of them took 240 ms at 19,000 connections and delayed everything else meanwhile.
   */
  public HeartbeatResult heartbeat() {
    long start = System.nanoTime();
    Instant instant = clock.instant();
    long now = instant.toEpochMilli();
    int pinged = 0;
    int timedOut = 0;
    for (Connection connection : connections.values()) {
      if (now - connection.lastSeenAt() > settings.heartbeatTimeoutMs()) {
        timedOut++;
        try (LogFields f = connection.logFields("RWS0004")) {
          WsLog.LOG.heartbeatTimeout(connection.id(), now - connection.lastSeenAt());
        }
        connection.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
        // a dead peer may never complete the close handshake: remove it now
        onClose(connection, CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
      } else if (connection.state() == ConnectionState.CONNECTED
          && connection.pingDue(now, settings.heartbeatIntervalMs())) {
        pinged++;
        ping(connection, instant);
        if (connection.endpoint() == EndpointKind.LEGACY) {
          connection.offer("heartbeat", codec.legacyHeartbeat(now));
        }
      }
    }
    traffic.heartbeat(System.nanoTime() - start, timedOut);
    // only a heartbeat that completed counts for liveness: one that fails every time is dead
    lastHeartbeatAt = now;
    return new HeartbeatResult(pinged, timedOut);
  }

  private static void ping(Connection connection, Instant now) {
    try {
      connection.ping(ByteBuffer.allocate(Long.BYTES).putLong(0, micros(now)));
    } catch (java.io.IOException | RuntimeException e) {
      // the close callback will follow; the timeout catches it otherwise
      try (LogFields f = connection.logFields("RWS0017")) {
        WsLog.LOG.ioFailure(connection.id(), e);
      }
    }
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
  }

  /** Publishes to a channel; @return the number of sessions it went to. */
  public int publish(String channel, JsonValue data, JsonValue id) {
    return fanout.publish(channel, data, id);
  }

  /** Sends {@code broadcast} to every open connection of both endpoints. */
  public int broadcast(JsonValue data) {
    String frame = codec.encode(ServerMessage.Broadcast.of(data, clock.millis()));
    int sent = 0;
    for (Connection connection : connections.values()) {
      if (connection.state() == ConnectionState.CONNECTED) {
        connection.offer("broadcast", frame);
        sent++;
      }
    }
    return sent;
  }

  /** Sends {@code direct} to one connection. @return false if it is not open */
  public boolean sendTo(String connectionId, JsonValue data) {
    Connection connection = connections.get(connectionId);
    if (connection == null || connection.state() != ConnectionState.CONNECTED) {
      return false;
    }
    send(connection, ServerMessage.Direct.of(data, clock.millis()));
    return true;
  }

  /** Closes one connection. @return false if it is not open */
  public boolean close(String connectionId, int code, String reason) {
    Connection connection = connections.get(connectionId);
    return connection != null && connection.close(code, reason);
  }

  public Optional<ConnectionSnapshot> find(String connectionId) {
    return Optional.ofNullable(connections.get(connectionId)).map(Connection::snapshot);
  }

  /** Every open connection, oldest first. */
  public List<ConnectionSnapshot> snapshots() {
    return connections.values().stream()
        .map(Connection::snapshot)
        .sorted(Comparator.comparingLong(ConnectionSnapshot::connectedAt))
        .toList();
  }

  public int size() {
    return connections.size();
  }

  /** Open connections of one endpoint. */
  public int count(EndpointKind endpoint) {
    int count = 0;
    for (Connection connection : connections.values()) {
      if (connection.endpoint() == endpoint) {
        count++;
      }
    }
    return count;
  }

  /** Would a connection from this address be admitted now? Reserves nothing. */
  public Admission check(String remoteAddress) {
    return draining ? Admission.DRAINING : admissions.check(remoteAddress);
  }

  /** When the heartbeat last ran (epoch ms); the start time before the first one. */
  public long lastHeartbeatAt() {
    return lastHeartbeatAt;
  }

  /** Whether the server is shutting down and takes no new clients. */
  public boolean isDraining() {
    return draining;
  }

  /**
   * Tells every client to come back after a random delay in {@code ws.shutdown.reconnect-min-ms} to
   * {@code -max-ms} (0.5-5 s), so they do not return all at once, closes each with 1012, and waits
   * until they are gone or {@code ws.shutdown.drain-ms} has passed. Must run before the container
   * closes the sockets with a bare 1001.
   */
  public void shutdown() {
    startDrain();
    awaitDrained();
  }

  /**
   * Writes what a resume needs of every session still held by a connection (their records are
   * otherwise written when the connection closes), for a stop that may not wait for every close.
   */
  public void saveSessions() {
    sessions.saveAll();
  }

  /**
   * The first half of {@link #shutdown()}, which never waits: refuses new connections, and queues
   * {@code system/shutdown} and the 1012 close to every open connection. Idempotent.
   */
  public void startDrain() {
    draining = true;
    int told = 0;
    for (Connection connection : connections.values()) {
      if (connection.state() != ConnectionState.CONNECTED) {
        continue;
      }
      if (connection.endpoint() == EndpointKind.WS) {
        long delay =
            ThreadLocalRandom.current()
                .nextLong(settings.shutdownReconnectMinMs(), settings.shutdownReconnectMaxMs() + 1);
        send(connection, ServerMessage.Shutdown.of(delay));
      }
      connection.closeAfterQueued(CloseCodes.SERVICE_RESTART, "server restart");
      told++;
    }
    if (told > 0) {
      WsLog.LOG.shuttingDown(told);
    }
  }

  /** The second half of {@link #shutdown()}: waits until every connection has gone, bounded. */
  public void awaitDrained() {
    long deadline = System.nanoTime() + settings.shutdownDrainMs() * 1_000_000;
    while (!connections.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // the clients' close frames complete asynchronously
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (!connections.isEmpty()) {
      WsLog.LOG.drainIncomplete(connections.size(), settings.shutdownDrainMs());
    }
    saveSessions();
  }

  /** What one heartbeat did. */
  public record HeartbeatResult(int pinged, int timedOut) {}
}
