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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.robustws.auth.AuthFailure;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.TrafficListener;
import org.robustws.protocol.ErrorCode;
import org.robustws.session.ResumeResult;

/**
 * Every {@code ws_*} meter, fed by the {@link TrafficListener} calls of the dispatcher, the
 * connections and the heartbeat. Labels are bounded: endpoint, protocol type, error code, close
 * code (unknown codes become {@code other}). The series alerts watch (close codes, errors, resume
 * results) exist at 0 from the start: Prometheus's {@code increase} and {@code rate} miss the first
 * increment of a series that appears only when it happens. Meters are registered with {@code
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
          4001, 4003, 4004, 4005, 4008, 4009);

  private static final String OTHER_CODE = "other";

  private final Supplier<TrafficListener> direct = () -> this;
  @Inject MeterRegistry registry;
  @Inject ConnectionManager manager;
  @Inject Peers peers;

  private final Map<EndpointKind, Family<LongAdder>> received = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<LongAdder>> sent = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<Counter>> errors = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Family<Counter>> closed = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> opened = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, LongAdder> bytesReceived = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, LongAdder> bytesSent = new EnumMap<>(EndpointKind.class);
  private final Map<EndpointKind, Counter> sendFailures = new EnumMap<>(EndpointKind.class);
  private Family<Timer> handling;
  private Family<Buckets> handlingBuckets;
  private Buckets durationBuckets;
  private Buckets rttBuckets;
  private Family<Counter> resumes;
  private Family<Counter> authFailures;
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
    registry.gauge("ws.ready", Tags.empty(), this, m -> m.manager.admitsNewClients() ? 1 : 0);
    registry.gauge("ws.connections.max", Tags.empty(), this, m -> m.manager.capacity());
    registry.gauge("ws.cluster.members", Tags.empty(), this, m -> m.peers.members().size());
    for (EndpointKind endpoint : EndpointKind.values()) {
      Tags tags = Tags.of("endpoint", endpoint.label());
      registry.gauge("ws.connections.active", tags, this, m -> m.manager.count(endpoint));
      for (ConnectionState state : ConnectionState.values()) {
        registry.gauge(
            "ws.connections",
            tags.and("state", state.label()),
            this,
            m -> m.manager.count(endpoint, state));
      }
      opened.put(endpoint, registry.counter("ws.connections.opened", tags));
      bytesReceived.put(endpoint, adder("ws.bytes.received", tags));
      bytesSent.put(endpoint, adder("ws.bytes.sent", tags));
      sendFailures.put(endpoint, registry.counter("ws.send.failures", tags));
      received.put(
          endpoint, new Family<>(type -> adder("ws.messages.received", tags.and("type", type))));
      sent.put(endpoint, new Family<>(type -> adder("ws.messages.sent", tags.and("type", type))));
      errors.put(endpoint, counters("ws.message.errors", tags, "error"));
      closed.put(endpoint, counters("ws.connections.closed", tags, "code"));
      for (ErrorCode error : ErrorCode.values()) {
        errors.get(endpoint).get(error.wireValue());
      }
      for (int code : KNOWN_CLOSE_CODES) {
        closed.get(endpoint).get(Integer.toString(code));
      }
      closed.get(endpoint).get(OTHER_CODE);
    }
    handling = new Family<>(type -> registry.timer("ws.message.handling", "type", type));
    handlingBuckets =
        new Family<>(
            type -> new Buckets(registry, "ws.message.handling.buckets", Tags.of("type", type)));
    durationBuckets = new Buckets(registry, "ws.connection.duration.buckets", Tags.empty());
    rttBuckets = new Buckets(registry, "ws.heartbeat.rtt.buckets", Tags.empty());
    resumes = counters("ws.resumes", Tags.empty(), "result");
    for (String result : ResumeResult.labels()) {
      resumes.get(result);
    }
    authFailures = counters("ws.auth.failures", Tags.empty(), "reason");
    for (AuthFailure.Reason reason : AuthFailure.Reason.values()) {
      authFailures.get(reason.label());
    }
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

  /**
   * A counter for the meters every message moves: a {@link LongAdder} that the registry reads when
   * scraped. A Micrometer counter's increment walks WildFly's composite registry and its children,
   * several times per echo (bench/RESULTS.md).
   */
  private LongAdder adder(String name, Tags tags) {
    LongAdder adder = new LongAdder();
    registry.more().counter(name, tags, adder, LongAdder::doubleValue);
    return adder;
  }

  @Override
  public void opened(EndpointKind endpoint) {
    opened.get(endpoint).increment();
  }

  @Override
  public void closed(EndpointKind endpoint, int code, long durationMillis) {
    String label = KNOWN_CLOSE_CODES.contains(code) ? Integer.toString(code) : OTHER_CODE;
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
    bytesReceived.get(endpoint).add(bytes);
  }

  @Override
  public void sent(EndpointKind endpoint, String type, int bytes) {
    sent.get(endpoint).get(type).increment();
    bytesSent.get(endpoint).add(bytes);
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
  public void authFailed(String reason) {
    authFailures.get(reason).increment();
  }

  @Override
  public void heartbeat(long tickNanos, int timedOut) {
    tick.record(tickNanos, TimeUnit.NANOSECONDS);
    timeouts.increment(timedOut);
  }
}
