package org.robustws.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.robustws.auth.Identity;
import org.robustws.config.WsSettings;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.CloseCodes;

/**
 * One open WebSocket: its metadata, state, counters and outbound queue. Thread-safe; every mutable
 * field is atomic or volatile because the container, the heartbeat timer and publishers touch it
 * from different threads.
 */
public final class Connection implements Outbound {
  private final String id;
  private final long openOrder;
  private final EndpointKind endpoint;
  private final ConnectionInfo info;
  private final long connectedAt;
  private final Transport transport;
  private final OutboundQueue outbound;
  private final RateLimiter rateLimiter;
  private final Executor publishExecutor;
  private final int maxWaitingPublications;
  private final AtomicReference<ConnectionState> state =
      new AtomicReference<>(ConnectionState.CONNECTING);
  // one array rather than a LongAdder each (5 x 32 bytes): rarely contended, and held per
  // connection
  private static final int MESSAGES_IN = 0;
  private static final int BYTES_IN = 1;
  private static final int MESSAGES_OUT = 2;
  private static final int BYTES_OUT = 3;
  private static final int SEND_FAILURES = 4;
  private final AtomicLongArray counts = new AtomicLongArray(5);
  private volatile long lastSeenAt;
  private volatile double lastRttMillis = -1;
  private volatile boolean receivedMessage;
  // who the connection is, from its last valid token; null until it authenticates
  private volatile Identity identity;
  // what the layer above tells about this connection's session, for the snapshot
  private volatile String sessionId;
  private volatile Set<String> subscriptions = Set.of();
  // only the heartbeat touches this, and its ticks never overlap (the timer singleton's lock)
  private long nextPingAt;
  // parts of a fragmented text message; only the container's ordered delivery touches these
  private StringBuilder partial;
  private int partialBytes;
  // made on the first publication, since most connections never publish; ordered delivery only
  private SerialLane publications;

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
    this.publishExecutor = publishExecutor;
    this.maxWaitingPublications = settings.rateBurst();
    this.rateLimiter =
        new RateLimiter(
            settings.rateLimitPerSecond(),
            settings.rateBurst(),
            settings.rateAbuseLimit(),
            connectedAt);
    this.endpoint = endpoint;
    this.info = info;
    this.connectedAt = connectedAt;
    this.lastSeenAt = connectedAt;
    // the first ping is due half an interval to an interval after the open, spread by the (random)
    // id: connections that opened together, as after a redeploy, are not all pinged in one tick
    long interval = settings.heartbeatIntervalMs();
    this.nextPingAt = connectedAt + interval - Math.floorMod(id.hashCode(), interval / 2 + 1);
    this.transport = transport;
    this.outbound =
        new OutboundQueue(
            transport,
            new OutboundQueue.Listener() {
              @Override
              public void sent(String type, int bytes) {
                counts.incrementAndGet(MESSAGES_OUT);
                counts.addAndGet(BYTES_OUT, bytes);
                traffic.sent(endpoint, type, bytes);
                if (WsLog.LOG.isDebugEnabled()) {
                  try (LogFields f = logFields("RWS0011")) {
                    WsLog.LOG.messageOut(id, type, bytes);
                  }
                }
              }

              @Override
              public void failed(Throwable failure) {
                // only the first failure: a dead socket fails every frame still queued. A client
                // that vanished (I/O failure) is normal life, and thousands of them at once (a
                // network blip) must not serialise every thread on the log formatter with stack
                // traces (bench/RESULTS.md, resume storm); anything else is ours to fix.
                if (counts.get(SEND_FAILURES) == 0) {
                  boolean io = failure instanceof IOException;
                  try (LogFields f = logFields(io ? "RWS0017" : "RWS0008")) {
                    if (io) {
                      WsLog.LOG.ioFailure(id, failure);
                    } else {
                      WsLog.LOG.sendFailed(id, failure);
                    }
                  }
                }
                counts.incrementAndGet(SEND_FAILURES);
                traffic.sendFailed(endpoint);
              }
            },
            settings.outboundMaxMessages(),
            settings.outboundMaxBytes());
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

  /**
   * Runs {@code publication} (its fan-out and answer) after this connection's earlier ones, on the
   * publish executor: a fan-out to thousands of sessions must not hold the io thread that this
   * connection shares with many others.
   *
   * @return false, running nothing, if {@code ws.rate.burst} publications are waiting already
   */
  public boolean publishInOrder(Runnable publication) {
    if (publications == null) {
      publications =
          new SerialLane(
              publishExecutor,
              maxWaitingPublications,
              failure -> {
                try (LogFields f = logFields("RWS0009")) {
                  WsLog.LOG.serverError(id, failure);
                }
              });
    }
    return publications.submit(publication);
  }

  /** Takes a token for one message from the client. */
  public RateLimiter.Verdict acquire(long now) {
    return rateLimiter.acquire(now);
  }

  public ConnectionState state() {
    return state.get();
  }

  public long lastSeenAt() {
    return lastSeenAt;
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

  /** Records a frame received from the client: the only proof that it is alive. */
  public void received(long now, int bytes) {
    lastSeenAt = now;
    counts.incrementAndGet(MESSAGES_IN);
    counts.addAndGet(BYTES_IN, bytes);
  }

  /** A part of a text message arrived: the client is alive. */
  public void seen(long now) {
    lastSeenAt = now;
  }

  public int partialBytes() {
    return partialBytes;
  }

  public void addPart(String part, int bytesSoFar) {
    if (partial == null) {
      partial = new StringBuilder(part.length() * 2);
    }
    partial.append(part);
    partialBytes = bytesSoFar;
  }

  /** Ends a message with its last part; a message in one part is not copied. */
  public String completeMessage(String lastPart) {
    if (partial == null) {
      return lastPart;
    }
    String message = partial.append(lastPart).toString();
    discardPartial();
    return message;
  }

  public void discardPartial() {
    partial = null;
    partialBytes = 0;
  }

  /**
   * Records a pong: the client is alive, and if it answers one of {@link #ping}'s, how long the
   * round trip took.
   *
   * @return the round trip in ms, or -1 if the payload is not one of ours
   */
  public double ponged(Instant now, ByteBuffer payload) {
    lastSeenAt = now.toEpochMilli();
    if (payload.remaining() != Long.BYTES) {
      return -1;
    }
    double rttMillis = (micros(now) - payload.getLong(payload.position())) / 1000.0;
    lastRttMillis = rttMillis;
    return rttMillis;
  }

  /**
   * @return true the first time only: {@code resume} is allowed as the first message alone
   */
  public boolean firstMessage() {
    if (receivedMessage) {
      return false;
    }
    receivedMessage = true;
    return true;
  }

  /** An {@code auth} that was the first message leaves the next one first: it may be a resume. */
  public void keepNextFirst() {
    receivedMessage = false;
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

  private static long micros(Instant instant) {
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
        lastSeenAt,
        counts.get(MESSAGES_IN),
        counts.get(BYTES_IN),
        counts.get(MESSAGES_OUT),
        counts.get(BYTES_OUT),
        counts.get(SEND_FAILURES),
        outbound.queuedFrames(),
        sessionId,
        subscriptions,
        lastRttMillis < 0 ? null : lastRttMillis,
        identity == null ? null : identity.subject(),
        null);
  }
}
