package org.robustws.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.robustws.auth.Identity;
import org.robustws.config.WsSettings;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.CloseCodes;

/**
 * One open WebSocket: its metadata, state, counters and outbound queue; what arrives from its
 * client is its {@link Inbound}. Thread-safe; every mutable field is atomic or volatile because the
 * container, the heartbeat timer and publishers touch it from different threads.
 */
public final class Connection implements Outbound {
  private final String id;
  private final long openOrder;
  private final EndpointKind endpoint;
  private final ConnectionInfo info;
  private final long connectedAt;
  private final Transport transport;
  private final OutboundQueue outbound;
  private final Inbound inbound;
  private final AtomicReference<ConnectionState> state =
      new AtomicReference<>(ConnectionState.CONNECTING);
  private final Outgoing outgoing;
  // who the connection is, from its last valid token; null until it authenticates
  private volatile Identity identity;
  // what the layer above tells about this connection's session, for the snapshot
  private volatile String sessionId;
  private volatile Set<String> subscriptions = Set.of();
  // only the heartbeat touches this, and its ticks never overlap (the timer singleton's lock)
  private long nextPingAt;

  public Connection(
      String id,
      long openOrder,
      EndpointKind endpoint,
      ConnectionInfo info,
      long connectedAt,
      Transport transport,
      TrafficListener traffic,
      WsSettings settings,
      Executor publishExecutor) {
    this.id = id;
    this.openOrder = openOrder;
    this.endpoint = endpoint;
    this.info = info;
    this.connectedAt = connectedAt;
    this.inbound =
        new Inbound(
            settings,
            connectedAt,
            publishExecutor,
            failure -> {
              try (LogFields f = logFields("RWS0009")) {
                WsLog.LOG.serverError(id, failure);
              }
            });
    // the first ping is due half an interval to an interval after the open, spread by the (random)
    // id: connections that opened together, as after a redeploy, are not all pinged in one tick
    long interval = settings.heartbeatIntervalMs();
    this.nextPingAt = connectedAt + interval - Math.floorMod(id.hashCode(), interval / 2 + 1);
    this.transport = transport;
    this.outgoing = new Outgoing(id, endpoint, traffic, this::logFields);
    this.outbound =
        new OutboundQueue(
            transport, outgoing, settings.outboundMaxMessages(), settings.outboundMaxBytes());
  }

  @Override
  public String id() {
    return id;
  }

  public EndpointKind endpoint() {
    return endpoint;
  }

  public String remoteAddress() {
    return info.remoteAddress();
  }

  /** What arrives from the client: its frames' leftovers, rate limit, liveness, publications. */
  public Inbound inbound() {
    return inbound;
  }

  public ConnectionState state() {
    return state.get();
  }

  /** When a frame from the client last arrived (or the connection opened), in epoch ms. */
  public long lastSeenAt() {
    return inbound.lastSeenAt();
  }

  public long connectedAt() {
    return connectedAt;
  }

  /** Who this connection is, or {@code null} if it has not authenticated. */
  public Identity identity() {
    return identity;
  }

  /** Records a verified identity: the first, or a refresh of the same subject. */
  public void authenticate(Identity verified) {
    this.identity = verified;
  }

  /** Records which session this connection holds and its channels, for its snapshot. */
  public void describeSession(String id, Set<String> channels) {
    this.sessionId = id;
    this.subscriptions = Set.copyOf(channels);
  }

  /**
   * Moves to {@code next} if the state machine allows it from the current state.
   *
   * @return false, changing nothing, for an illegal transition
   */
  public boolean moveTo(ConnectionState next) {
    ConnectionState current;
    do {
      current = state.get();
      if (!current.canMoveTo(next)) {
        return false;
      }
    } while (!state.compareAndSet(current, next));
    return true;
  }

  /** Queues a frame that is not a session's event, and starts sending. */
  public void offer(String type, String frame) {
    if (!outbound.offerText(type, frame)) {
      slowConsumer();
    }
  }

  @Override
  public boolean enqueue(String type, String frame, int bytes, boolean forced) {
    return outbound.enqueueText(type, frame, bytes, forced);
  }

  @Override
  public void flush() {
    outbound.drain();
  }

  @Override
  public void closeAsSlowConsumer() {
    slowConsumer();
  }

  @Override
  public void closeAsTakenOver() {
    close(CloseCodes.SESSION_TAKEN_OVER, "session resumed by a newer connection");
  }

  @Override
  public long openOrder() {
    return openOrder;
  }

  public void offerBinary(ByteBuffer data) {
    if (!outbound.offerBinary(data)) {
      slowConsumer();
    }
  }

  private void slowConsumer() {
    if (close(CloseCodes.SLOW_CONSUMER, "slow consumer: resume to catch up")) {
      try (LogFields f = logFields("RWS0012")) {
        WsLog.LOG.slowConsumer(id, outbound.queuedFrames());
      }
    }
  }

  /** Fields that identify this connection in the log lines written while they are open. */
  public LogFields logFields(String event) {
    return LogFields.of(
        "event",
        event,
        "connectionId",
        id,
        "endpoint",
        endpoint.label(),
        "remoteAddress",
        info.remoteAddress());
  }

  /** Whether the heartbeat pings this connection now; if so, the next ping is an interval later. */
  public boolean pingDue(long now, long interval) {
    if (now < nextPingAt) {
      return false;
    }
    nextPingAt += interval;
    if (nextPingAt <= now) {
      // the heartbeat fell behind (a paused server): start a new period
      nextPingAt = now + interval;
    }
    return true;
  }

  @Override
  public Executor writer() {
    return transport.writer();
  }

  /** Sends a ping frame whose payload is its send time in µs, which the pong brings back. */
  public void ping(Instant now) throws IOException {
    transport.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, micros(now)));
  }

  static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
  }

  /**
   * Starts closing with this code, once: later calls do nothing.
   *
   * @return true if this call started the close
   */
  public boolean close(int code, String reason) {
    if (!moveTo(ConnectionState.DISCONNECTING)) {
      return false;
    }
    transport.close(code, reason);
    return true;
  }

  /**
   * Like {@link #close}, but only after the frames already queued (a goodbye message, say) are
   * sent.
   */
  public boolean closeAfterQueued(int code, String reason) {
    if (!moveTo(ConnectionState.DISCONNECTING)) {
      return false;
    }
    outbound.closeAfterQueued(code, reason);
    return true;
  }

  /** An immutable view of this connection, for the API and administration. */
  public ConnectionSnapshot snapshot() {
    return new ConnectionSnapshot(
        id,
        endpoint.label(),
        state.get().label(),
        info.remoteAddress(),
        info.userAgent(),
        info.origin(),
        info.subprotocol(),
        connectedAt,
        inbound.lastSeenAt(),
        inbound.messagesIn(),
        inbound.bytesIn(),
        outgoing.messages(),
        outgoing.bytes(),
        outgoing.failures(),
        outbound.queuedFrames(),
        sessionId,
        subscriptions,
        inbound.lastRttMillis(),
        identity == null ? null : identity.subject(),
        null);
  }
}
