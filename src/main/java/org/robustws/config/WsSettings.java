package org.robustws.config;

import java.util.List;

/**
 * Every {@code ws.*} setting, read once at startup by {@link SettingsProducer}. Immutable, so unit
 * tests build one directly.
 *
 * @param heartbeatIntervalMs how often every connection is pinged
 * @param heartbeatTimeoutMs a connection that sent nothing for longer is closed with 4000
 * @param maxMessageBytes larger client messages are closed with 1009
 * @param historyEvents events kept per channel for resume
 * @param historyBytes UTF-8 bytes of event frames kept per channel for resume
 * @param resumeGraceMs how long a disconnected session may be resumed
 * @param trustedProxies addresses or CIDR ranges whose X-Forwarded-For is believed
 * @param outboundMaxMessages frames queued per connection before it counts as a slow consumer
 * @param outboundMaxBytes bytes queued per connection before it counts as a slow consumer
 * @param reconnect the backoff advice sent to clients
 * @param shutdownDrainMs how long a stop waits for clients to take their 1012 close
 * @param shutdownReconnectMinMs earliest {@code reconnectAfter} sent with {@code system/shutdown}
 * @param shutdownReconnectMaxMs latest {@code reconnectAfter}: clients spread over the window
 * @param maxConnections open connections (both endpoints) beyond which handshakes are refused
 * @param maxConnectionsPerAddress open connections from one client address beyond which its
 *     handshakes are refused
 * @param rateLimitPerSecond messages per second a connection may send on average
 * @param rateBurst messages a connection may send at once above the average
 * @param rateAbuseLimit strikes: refused messages a connection may accumulate (refilled at a tenth
 *     of the rate) before it is closed with 1008
 * @param allowedOrigins origins allowed besides the server's own host; {@code *} allows any
 * @param allowMissingOrigin whether handshakes without Origin (non-browser clients) are allowed
 * @param maxSubscriptions channels one session may be subscribed to
 * @param maxSessions sessions a node keeps (held and detached); beyond it the oldest detached
 *     sessions expire first
 */
public record WsSettings(
    long heartbeatIntervalMs,
    long heartbeatTimeoutMs,
    int maxMessageBytes,
    int historyEvents,
    long historyBytes,
    long resumeGraceMs,
    List<String> trustedProxies,
    int outboundMaxMessages,
    long outboundMaxBytes,
    Reconnect reconnect,
    long shutdownDrainMs,
    long shutdownReconnectMinMs,
    long shutdownReconnectMaxMs,
    int maxConnections,
    int maxConnectionsPerAddress,
    double rateLimitPerSecond,
    int rateBurst,
    int rateAbuseLimit,
    List<String> allowedOrigins,
    boolean allowMissingOrigin,
    int maxSubscriptions,
    int maxSessions) {

  private static final long MAX_HEARTBEAT_TICK_MS = 1_000;

  public WsSettings {
    trustedProxies = List.copyOf(trustedProxies);
    allowedOrigins = List.copyOf(allowedOrigins);
    if (heartbeatIntervalMs <= 0 || heartbeatTimeoutMs <= 0) {
      throw new IllegalArgumentException("heartbeat interval and timeout must be positive");
    }
    if (maxMessageBytes <= 0 || outboundMaxMessages <= 0 || outboundMaxBytes <= 0) {
      throw new IllegalArgumentException("message and queue limits must be positive");
    }
    // a client closed as a slow consumer resumes from what it got: the events still queued for it
    // must all be in their channel's history. Both bounds count UTF-8 bytes; the history counts
    // each event frame at its largest (a seq of 19 digits), the queue at its real size.
    if (outboundMaxMessages > historyEvents
        || outboundMaxBytes + 19L * outboundMaxMessages > historyBytes) {
      throw new IllegalArgumentException(
          "ws.outbound.max-messages must not exceed ws.history.events, and ws.outbound.max-bytes"
              + " plus 19 bytes per ws.outbound.max-messages must not exceed ws.history.bytes");
    }
    if (maxSubscriptions <= 0) {
      throw new IllegalArgumentException("ws.max-subscriptions must be positive");
    }
    if (maxSessions < maxConnections) {
      throw new IllegalArgumentException("ws.max-sessions must be at least ws.max-connections");
    }
    if (shutdownReconnectMinMs < 0 || shutdownReconnectMaxMs < shutdownReconnectMinMs) {
      throw new IllegalArgumentException("the reconnect window after a shutdown is empty");
    }
  }

  /**
   * How often the heartbeat runs: every second, or every interval if that is shorter. Each tick
   * pings the connections whose interval has passed, which spreads the pings over the interval.
   */
  public long heartbeatTickMs() {
    return Math.min(heartbeatIntervalMs, MAX_HEARTBEAT_TICK_MS);
  }

  /**
   * How long a channel keeps an event at most: the resume grace period plus the heartbeat timeout,
   * so that a client whose connection vanished unnoticed still finds the events queued for it when
   * it resumes within the grace period.
   */
  public long historyAgeMs() {
    return resumeGraceMs + heartbeatTimeoutMs;
  }

  /** Reconnect advice: exponential backoff with jitter, as sent in {@code system/connected}. */
  public record Reconnect(
      long initialDelayMs, long maxDelayMs, double multiplier, double jitter, int maxAttempts) {}

  /** The documented defaults. */
  public static WsSettings defaults() {
    return new WsSettings(
        25_000,
        60_000,
        65_536,
        1_000,
        1_048_576,
        120_000,
        List.of(),
        500,
        524_288,
        new Reconnect(1_000, 30_000, 1.5, 0.5, 10),
        5_000,
        500,
        5_000,
        19_000,
        1_000,
        100,
        200,
        200,
        List.of(),
        true,
        100,
        38_000);
  }
}
