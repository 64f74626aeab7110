package org.robustws.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;

/** Logs the life of every connection from the CDI events the dispatcher fires. */
@ApplicationScoped
public class ConnectionLog {
  /**
   * Only a peer that vanished without a close frame is a warning here. Every other close is logged
   * at INFO with the code both sides saw and its reason (for a protocol error, Undertow's); the
   * causes that need attention have their own warnings (heartbeat timeout, slow consumer, server
   * error).
   */
  private static final int VANISHED = 1006;

  void opened(@Observes ConnectionOpened event) {
    ConnectionSnapshot c = event.connection();
    try (LogFields f = fields("RWS0001", c)) {
      WsLog.LOG.opened(c.id(), c.endpoint(), c.remoteAddress());
    }
  }

  void closed(@Observes ConnectionClosed event) {
    ConnectionSnapshot c = event.connection();
    boolean normal = event.code() != VANISHED;
    try (LogFields f = fields(normal ? "RWS0002" : "RWS0003", c);
        LogFields more =
            LogFields.of(
                "closeCode", event.code(),
                "closeReason", event.reason(),
                "durationMs", event.durationMillis())) {
      if (normal) {
        WsLog.LOG.closed(c.id(), event.code(), event.reason(), event.durationMillis());
      } else {
        WsLog.LOG.closedAbnormally(c.id(), event.code(), event.reason(), event.durationMillis());
      }
    }
  }

  void resumed(@Observes ResumeAttempted event) {
    try (LogFields f =
        LogFields.of(
            "event",
            "ok".equals(event.result()) ? "RWS0005" : "RWS0006",
            "connectionId",
            event.connectionId(),
            "endpoint",
            "ws",
            "resumeResult",
            event.result())) {
      if ("ok".equals(event.result())) {
        WsLog.LOG.resumed(event.connectionId(), event.sessionId(), event.replayed());
      } else {
        WsLog.LOG.resumeFailed(event.connectionId(), event.sessionId(), event.result());
      }
    }
  }

  private static LogFields fields(String eventId, ConnectionSnapshot c) {
    return LogFields.of(
        "event", eventId,
        "connectionId", c.id(),
        "endpoint", c.endpoint(),
        "remoteAddress", c.remoteAddress());
  }
}
