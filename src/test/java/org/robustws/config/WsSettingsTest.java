package org.robustws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bounds are checked against each other at startup: a client closed as a slow consumer must
 * find every event still queued for it in its channels' history when it resumes.
 */
class WsSettingsTest {

  private static WsSettings with(int outboundMessages, long outboundBytes, int events, long bytes) {
    WsSettings d = WsSettings.defaults();
    return new WsSettings(
        d.heartbeatIntervalMs(),
        d.heartbeatTimeoutMs(),
        d.maxMessageBytes(),
        events,
        bytes,
        d.resumeGraceMs(),
        List.of(),
        outboundMessages,
        outboundBytes,
        d.reconnect(),
        d.shutdownDrainMs(),
        d.shutdownReconnectMinMs(),
        d.shutdownReconnectMaxMs(),
        d.maxConnections(),
        d.maxConnectionsPerAddress(),
        d.rateLimitPerSecond(),
        d.rateBurst(),
        d.rateAbuseLimit(),
        List.of(),
        d.allowMissingOrigin(),
        d.maxSubscriptions(),
        d.maxSessions());
  }

  @Test
  void theDefaultsFitTogether() {
    WsSettings d = WsSettings.defaults();
    assertEquals(d, with(500, 524_288, 1_000, 1_048_576));
    assertEquals(2 * d.maxConnections(), d.maxSessions());
    assertEquals(d.resumeGraceMs() + d.heartbeatTimeoutMs(), d.historyAgeMs());
  }

  @Test
  void outboundBoundsAboveTheHistoryBoundsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> with(1_001, 524_288, 1_000, 1_048_576));
    // UTF-8 bytes on both sides; the history counts each frame with room for a 19-digit seq
    assertThrows(IllegalArgumentException.class, () -> with(500, 1_048_576, 1_000, 1_048_576));
    with(500, 1_048_576 - 19 * 500, 1_000, 1_048_576);
  }
}
