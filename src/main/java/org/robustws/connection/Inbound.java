package org.robustws.connection;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.robustws.config.WsSettings;

/**
 * One connection's inbound side: what arrives from its client and what its frames leave behind for
 * the next one (a text message still in parts, whether a message came yet, the rate limit's
 * tokens), when the client was last heard from, and the lane its publications run in, in order.
 * Only frames received from the client prove it is alive, so they alone move {@link #lastSeenAt}.
 *
 * <p>The container delivers one connection's frames one at a time, in order, and only that delivery
 * writes the unguarded fields here; what other threads read (the heartbeat, snapshots) is atomic or
 * volatile.
 */
public final class Inbound {
  // one array rather than a LongAdder each: rarely contended, and held per connection
  private static final int MESSAGES_IN = 0;
  private static final int BYTES_IN = 1;
  private final AtomicLongArray counts = new AtomicLongArray(2);
  private final RateLimiter rateLimiter;
  private final Executor publishExecutor;
  private final int maxWaitingPublications;
  private final Consumer<RuntimeException> publicationFailures;
  private volatile long lastSeenAt;
  private volatile double lastRttMillis = -1;
  private volatile boolean receivedMessage;
  // parts of a fragmented text message; only the container's ordered delivery touches these
  private StringBuilder partial;
  private int partialBytes;
  // made on the first publication, since most connections never publish; ordered delivery only
  private SerialLane publications;

  /**
   * @param publicationFailures told of a publication that failed on the publish executor
   */
  Inbound(
      WsSettings settings,
      long connectedAt,
      Executor publishExecutor,
      Consumer<RuntimeException> publicationFailures) {
    this.rateLimiter =
        new RateLimiter(
            settings.rateLimitPerSecond(),
            settings.rateBurst(),
            settings.rateAbuseLimit(),
            connectedAt);
    this.publishExecutor = publishExecutor;
    this.maxWaitingPublications = settings.rateBurst();
    this.publicationFailures = publicationFailures;
    this.lastSeenAt = connectedAt;
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
      publications = new SerialLane(publishExecutor, maxWaitingPublications, publicationFailures);
    }
    return publications.submit(publication);
  }

  /** Takes a token for one message from the client. */
  public RateLimiter.Verdict acquire(long now) {
    return rateLimiter.acquire(now);
  }

  /** When a frame from the client last arrived (or the connection opened), in epoch ms. */
  public long lastSeenAt() {
    return lastSeenAt;
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
   * Records a pong: the client is alive, and if it answers one of {@link Connection#ping}'s, how
   * long the round trip took.
   *
   * @return the round trip in ms, or -1 if the payload is not one of ours
   */
  public double ponged(Instant now, ByteBuffer payload) {
    lastSeenAt = now.toEpochMilli();
    if (payload.remaining() != Long.BYTES) {
      return -1;
    }
    double rttMillis = (Connection.micros(now) - payload.getLong(payload.position())) / 1000.0;
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

  long messagesIn() {
    return counts.get(MESSAGES_IN);
  }

  long bytesIn() {
    return counts.get(BYTES_IN);
  }

  /** The last round trip a pong measured, or {@code null} if none did yet. */
  Double lastRttMillis() {
    double rtt = lastRttMillis;
    return rtt < 0 ? null : rtt;
  }
}
