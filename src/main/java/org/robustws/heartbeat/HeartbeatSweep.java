package org.robustws.heartbeat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import org.robustws.auth.AccessControl;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.TrafficListener;
import org.robustws.dispatch.Dispatcher;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.MessageCodec;

/**
 * One heartbeat tick over the open connections: pings those whose ping is due (and sends {@code
 * heartbeat} on {@code /ws-legacy}), closes with 4000 those that sent nothing within the timeout,
 * and with 4005 or 4004 those of {@code /ws} whose authentication is overdue. Ticks come several
 * times per interval (see {@link WsSettings#heartbeatTickMs()}), so each one pings a slice of the
 * connections: a single burst of pings to all of them took 240 ms at 19,000 connections and delayed
 * everything else meanwhile. Sessions need no sweep: their records expire in their cache.
 */
@ApplicationScoped
public class HeartbeatSweep {
  private WsSettings settings;
  private Clock clock;
  private ConnectionManager connections;
  private Dispatcher dispatcher;
  private MessageCodec codec;
  private TrafficListener traffic;
  private AccessControl access;
  private volatile long lastTickAt;

  /** For the CDI proxy only. */
  protected HeartbeatSweep() {}

  @Inject
  public HeartbeatSweep(
      WsSettings settings,
      Clock clock,
      ConnectionManager connections,
      Dispatcher dispatcher,
      MessageCodec codec,
      TrafficListener traffic,
      AccessControl access) {
    this.settings = settings;
    this.clock = clock;
    this.connections = connections;
    this.dispatcher = dispatcher;
    this.codec = codec;
    this.traffic = traffic;
    this.access = access;
    this.lastTickAt = clock.millis();
  }

  /** What one tick did. */
  public record Result(int pinged, int timedOut) {}

  public Result tick() {
    long start = System.nanoTime();
    Instant instant = clock.instant();
    long now = instant.toEpochMilli();
    int pinged = 0;
    int timedOut = 0;
    for (Connection connection : connections.connections()) {
      if (now - connection.lastSeenAt() > settings.heartbeatTimeoutMs()) {
        timedOut++;
        try (LogFields f = connection.logFields("RWS0004")) {
          WsLog.LOG.heartbeatTimeout(connection.id(), now - connection.lastSeenAt());
        }
        connection.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
        // a dead peer may never complete the close handshake: remove it now
        dispatcher.onClose(connection, CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
      } else if (connection.endpoint() == EndpointKind.WS
          && connection.state() == ConnectionState.CONNECTED
          && closedForToken(connection, now)) {
        continue;
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
    // only a tick that completed counts for liveness: one that fails every time is dead
    lastTickAt = now;
    return new Result(pinged, timedOut);
  }

  /**
   * Closes a connection that did not authenticate in time (4005) or whose token expired without a
   * refresh (4004); the client is alive, so its close completes as usual.
   */
  private boolean closedForToken(Connection connection, long now) {
    int code = access.overdue(connection.identity(), connection.connectedAt(), now);
    if (code == 0) {
      return false;
    }
    connection.close(
        code, code == CloseCodes.AUTH_TIMEOUT ? "authentication timeout" : "token expired");
    return true;
  }

  /** When the heartbeat last completed a tick (epoch ms); the start time before the first. */
  public long lastTickAt() {
    return lastTickAt;
  }

  private static void ping(Connection connection, Instant now) {
    try {
      connection.ping(now);
    } catch (java.io.IOException | RuntimeException e) {
      // the close callback will follow; the timeout catches it otherwise
      try (LogFields f = connection.logFields("RWS0017")) {
        WsLog.LOG.ioFailure(connection.id(), e);
      }
    }
  }
}
