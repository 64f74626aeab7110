package org.robustws.testing;

import org.robustws.config.WsSettings;

/** The default settings with the few values tests change. */
public final class TestSettings {
  private TestSettings() {}

  /**
   * @param shutdownDrainMs short: test transports never report a close, so a stop would wait the
   *     whole drain time
   */
  public static WsSettings defaultsWith(long shutdownDrainMs, int maxConnections) {
    return defaultsWith(
        shutdownDrainMs,
        maxConnections,
        Math.max(WsSettings.defaults().maxSessions(), maxConnections));
  }

  /** The defaults with a connection cap and a session cap of its own. */
  public static WsSettings defaultsWith(long shutdownDrainMs, int maxConnections, int maxSessions) {
    WsSettings d = WsSettings.defaults();
    return new WsSettings(
        d.heartbeatIntervalMs(),
        d.heartbeatTimeoutMs(),
        d.maxMessageBytes(),
        d.historyEvents(),
        d.historyBytes(),
        d.resumeGraceMs(),
        d.trustedProxies(),
        d.outboundMaxMessages(),
        d.outboundMaxBytes(),
        d.reconnect(),
        shutdownDrainMs,
        d.shutdownReconnectMinMs(),
        d.shutdownReconnectMaxMs(),
        maxConnections,
        d.maxConnectionsPerAddress(),
        d.rateLimitPerSecond(),
        d.rateBurst(),
        d.rateAbuseLimit(),
        d.allowedOrigins(),
        d.allowMissingOrigin(),
        d.maxSubscriptions(),
        maxSessions);
  }
}
