package org.robustws.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.TrafficListener;

/**
 * Every {@code ws_*} meter, fed by the {@link TrafficListener} calls of the dispatcher, the
 * connections and the heartbeat. Labels are bounded: endpoint, protocol type, error code, close
 * code (unknown codes become {@code other}). Meters are registered with {@code
 * registry.counter/gauge/timer(name, tags)}: in WildFly 39 meters made with builders never reach
 * the scrape endpoint.
 *
 * <p>One instance (a second one would remove the first one's meters), which {@link MetricsProducer}
 * hands to every caller as their {@link TrafficListener} without its client proxy: it is called for
 * every frame, and through the proxy each call cost a thread-local context lookup
 * (bench/RESULTS.md).
 */
@ApplicationScoped
@Typed(WsMetrics.class)
public class WsMetrics implements TrafficListener {
  /** Close codes that get their own label value; any other code is counted as {@code other}. */
  private static final Set<Integer> KNOWN_CLOSE_CODES =
      Set.of(
          1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1015, 4000,
          4001, 4008);

  private final Supplier<TrafficListener> direct = () -> this;
  @Inject MeterRegistry registry;
  @Inject ConnectionManager manager;

  private final Map<EndpointKind, Family<Counter>> received = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<Counter>> sent = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<Counter>> errors = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<Counter>> closed = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> opened = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> bytesReceived = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> bytesSent = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> sendFailures = new EnumMap<>(EndpointKind.class);
  private Family<Timer> handling;
  private Family<Buckets> handlingBuckets;
  private Buckets durationBuckets;
  private Buckets rttBuckets;
  private Family<Counter> resumes;
  private Timer duration;
  private Timer rtt;
  private Timer tick;
  private Counter timeouts;
  private Counter replayed;

  /** Meters of one name that differ by one label, created on first use and then cached. */
  private static final class Family<M> {
    private final Map<String, M> meters = new ConcurrentHashMap<>();
    private final Function<String, M> factory;

    Family(Function<String, M> factory) {
      this.factory = factory;
    }

    M get(String label) {
      M meter = meters.get(label);
      return meter != null ? meter : meters.computeIfAbsent(label, factory);
    }
  }

  /**
   * This instance, not its client proxy (a supplier, because Weld's proxy hands back itself from a
   * method that returns the instance). Safe: it lives as long as the deployment.
   */
  Supplier<TrafficListener> direct() {
    return direct;
  }

  @PostConstruct
  void register() {
    removeMeters(); // left by an earlier deployment: its gauges would point at dead objects
    for (EndpointKind endpoint : EndpointKind.values()) {
      Tags tags = Tags.of("endpoint", endpoint.label());
      registry.gauge("ws.connections.active", tags, this, m -> m.manager.count(endpoint));
      opened.put(endpoint, registry.counter("ws.connections.opened", tags));
      bytesReceived.put(endpoint, registry.counter("ws.bytes.received", tags));
      bytesSent.put(endpoint, registry.counter("ws.bytes.sent", tags));
      sendFailures.put(endpoint, registry.counter("ws.send.failures", tags));
      received.put(endpoint, counters("ws.messages.received", tags, "type"));
      sent.put(endpoint, counters("ws.messages.sent", tags, "type"));
      errors.put(endpoint, counters("ws.message.errors", tags, "error"));
      closed.put(endpoint, counters("ws.connections.closed", tags, "code"));
    }
    handling = new Family<>(type -> registry.timer("ws.message.handling", "type", type));
    handlingBuckets =
        new Family<>(
            type -> new Buckets(registry, "ws.message.handling.buckets", Tags.of("type", type)));
    durationBuckets = new Buckets(registry, "ws.connection.duration.buckets", Tags.empty());
    rttBuckets = new Buckets(registry, "ws.heartbeat.rtt.buckets", Tags.empty());
    resumes = counters("ws.resumes", Tags.empty(), "result");
    duration = registry.timer("ws.connection.duration");
    rtt = registry.timer("ws.heartbeat.rtt");
    tick = registry.timer("ws.heartbeat.tick");
    timeouts = registry.counter("ws.heartbeat.timeouts");
    replayed = registry.counter("ws.replayed.events");
  }

  /**
   * WildFly keeps an application's meters across redeploys, and gauges and function counters hold
   * their state weakly: bound to the previous deployment's objects they would read NaN.
   */
  @PreDestroy
  void removeMeters() {
    for (Meter meter : registry.getMeters()) {
      if (meter.getId().getName().startsWith("ws.")) {
        registry.remove(meter);
      }
    }
  }

  private Family<Counter> counters(String name, Tags tags, String label) {
    return new Family<>(value -> registry.counter(name, tags.and(label, value)));
  }

  @Override
  public void opened(EndpointKind endpoint) {
    opened.get(endpoint).increment();
  }

  @Override
  public void closed(EndpointKind endpoint, int code, long durationMillis) {
    String label = KNOWN_CLOSE_CODES.contains(code) ? Integer.toString(code) : "other";
    closed.get(endpoint).get(label).increment();
    duration.record(durationMillis, TimeUnit.MILLISECONDS);
    durationBuckets.record(durationMillis / 1e3);
  }

  @Override
  public void resumed(String result, int replayedEvents) {
    resumes.get(result).increment();
    replayed.increment(replayedEvents);
  }

  @Override
  public void received(EndpointKind endpoint, String type, int bytes) {
    received.get(endpoint).get(type).increment();
    bytesReceived.get(endpoint).increment(bytes);
  }

  @Override
  public void sent(EndpointKind endpoint, String type, int bytes) {
    sent.get(endpoint).get(type).increment();
    bytesSent.get(endpoint).increment(bytes);
  }

  @Override
  public void sendFailed(EndpointKind endpoint) {
    sendFailures.get(endpoint).increment();
  }

  @Override
  public void rejected(EndpointKind endpoint, String error) {
    errors.get(endpoint).get(error).increment();
  }

  @Override
  public void handled(String type, long nanos) {
    handling.get(type).record(nanos, TimeUnit.NANOSECONDS);
    handlingBuckets.get(type).record(nanos / 1e9);
  }

  @Override
  public void roundTrip(double millis) {
    rtt.record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    rttBuckets.record(millis / 1e3);
  }

  @Override
  public void heartbeat(long tickNanos, int timedOut) {
    tick.record(tickNanos, TimeUnit.NANOSECONDS);
    timeouts.increment(timedOut);
  }
}
