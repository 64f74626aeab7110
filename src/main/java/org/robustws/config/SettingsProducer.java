package org.robustws.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The one place that reads configuration. MicroProfile Config lets a system property or an
 * environment variable ({@code ws.heartbeat.interval-ms} → {@code WS_HEARTBEAT_INTERVAL_MS})
 * override each default; the defaults themselves live in {@link WsSettings#defaults()}.
 */
@ApplicationScoped
public class SettingsProducer {

  @Produces
  @Singleton
  WsSettings settings(Config config) {
    WsSettings d = WsSettings.defaults();
    int maxConnections = get(config, "ws.max-connections", Integer.class, d.maxConnections());
    WsSettings.Reconnect r = d.reconnect();
    return new WsSettings(
        get(config, "ws.heartbeat.interval-ms", Long.class, d.heartbeatIntervalMs()),
        get(config, "ws.heartbeat.timeout-ms", Long.class, d.heartbeatTimeoutMs()),
        get(config, "ws.max-message-bytes", Integer.class, d.maxMessageBytes()),
        get(config, "ws.history.events", Integer.class, d.historyEvents()),
        get(config, "ws.history.bytes", Long.class, d.historyBytes()),
        get(config, "ws.resume.grace-ms", Long.class, d.resumeGraceMs()),
        list(config, "ws.trusted-proxies"),
        get(config, "ws.outbound.max-messages", Integer.class, d.outboundMaxMessages()),
        get(config, "ws.outbound.max-bytes", Long.class, d.outboundMaxBytes()),
        new WsSettings.Reconnect(
            get(config, "ws.reconnect.initial-delay-ms", Long.class, r.initialDelayMs()),
            get(config, "ws.reconnect.max-delay-ms", Long.class, r.maxDelayMs()),
            get(config, "ws.reconnect.multiplier", Double.class, r.multiplier()),
            get(config, "ws.reconnect.jitter", Double.class, r.jitter()),
            get(config, "ws.reconnect.max-attempts", Integer.class, r.maxAttempts())),
        get(config, "ws.shutdown.drain-ms", Long.class, d.shutdownDrainMs()),
        get(config, "ws.shutdown.reconnect-min-ms", Long.class, d.shutdownReconnectMinMs()),
        get(config, "ws.shutdown.reconnect-max-ms", Long.class, d.shutdownReconnectMaxMs()),
        maxConnections,
        get(config, "ws.max-connections-per-address", Integer.class, d.maxConnectionsPerAddress()),
        get(config, "ws.rate.per-second", Double.class, d.rateLimitPerSecond()),
        get(config, "ws.rate.burst", Integer.class, d.rateBurst()),
        get(config, "ws.rate.abuse-limit", Integer.class, d.rateAbuseLimit()),
        list(config, "ws.allowed-origins"),
        get(config, "ws.allow-missing-origin", Boolean.class, d.allowMissingOrigin()),
        get(config, "ws.max-subscriptions", Integer.class, d.maxSubscriptions()),
        get(config, "ws.max-sessions", Integer.class, 2 * maxConnections));
  }

  private static List<String> list(Config config, String name) {
    return config.getOptionalValues(name, String.class).map(List::copyOf).orElse(List.of());
  }

  /** Time for everything that decides by the clock, so tests can pass their own. */
  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  private static <T> T get(Config config, String name, Class<T> type, T defaultValue) {
    Optional<T> value = config.getOptionalValue(name, type);
    return value.orElse(defaultValue);
  }
}
