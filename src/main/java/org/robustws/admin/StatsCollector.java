package org.robustws.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;

/**
 * Computes {@link Stats} from the open connections' snapshots and the totals of those already
 * closed. Message rates come from the difference between two samples at least {@code
 * minWindowMillis} apart; samples are taken by the stats calls themselves, the first one at {@code
 * startedAt} with zero messages. Thread-safe.
 */
final class StatsCollector {
  private final long startedAt;
  private final long minWindowMillis;
  // totals of connections that have closed, from ConnectionClosed events. Not under this object's
  // lock: the close observer runs on the closing thread, which must never wait for a stats call
  private final LongAdder closedIn = new LongAdder();
  private final LongAdder closedOut = new LongAdder();
  // the last sample and the rates computed when it was taken
  private long sampleAt;
  private long sampleIn;
  private long sampleOut;
  private Stats.Messages lastMessages;

  StatsCollector(long startedAt, long minWindowMillis) {
    this.startedAt = startedAt;
    this.minWindowMillis = minWindowMillis;
    this.sampleAt = startedAt;
    this.lastMessages = new Stats.Messages(0, 0, 0, 0, 0);
  }

  /** Adds a closed connection's final counters to the totals. */
  void closed(ConnectionSnapshot connection) {
    closedIn.add(connection.messagesIn());
    closedOut.add(connection.messagesOut());
  }

  /**
   * @param open the open connections; called after the closed totals are read, so that a connection
   *     closing meanwhile is counted at most once, and without holding any lock
   */
  Stats collect(long now, Supplier<List<ConnectionSnapshot>> open, boolean draining) {
    long in = closedIn.sum();
    long out = closedOut.sum();
    List<ConnectionSnapshot> connections = open.get();
    Map<String, Integer> byEndpoint = new LinkedHashMap<>();
    for (EndpointKind kind : EndpointKind.values()) {
      byEndpoint.put(kind.label(), 0);
    }
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (ConnectionState state : ConnectionState.values()) {
      byState.put(state.label(), 0);
    }
    for (ConnectionSnapshot c : connections) {
      byEndpoint.merge(c.endpoint(), 1, Integer::sum);
      byState.merge(c.state(), 1, Integer::sum);
      in += c.messagesIn();
      out += c.messagesOut();
    }
    return new Stats(
        new Stats.Connections(connections.size(), byEndpoint, byState),
        messages(now, in, out),
        rtt(connections),
        startedAt,
        now - startedAt,
        draining,
        null,
        null);
  }

  /**
   * Totals never go down: a connection that left the registry but whose close event has not been
   * counted yet would otherwise make them dip for a moment.
   */
  private synchronized Stats.Messages messages(long now, long in, long out) {
    in = Math.max(in, lastMessages.in());
    out = Math.max(out, lastMessages.out());
    long window = now - sampleAt;
    if (window >= minWindowMillis) {
      lastMessages =
          new Stats.Messages(
              in,
              out,
              perSecond(in - sampleIn, window),
              perSecond(out - sampleOut, window),
              window);
      sampleAt = now;
      sampleIn = in;
      sampleOut = out;
    } else {
      lastMessages =
          new Stats.Messages(
              in,
              out,
              lastMessages.inPerSecond(),
              lastMessages.outPerSecond(),
              lastMessages.windowMillis());
    }
    return lastMessages;
  }

  private static double perSecond(long count, long millis) {
    return Math.round(count * 1_000_000.0 / millis) / 1000.0;
  }

  static Stats.Rtt rtt(List<ConnectionSnapshot> connections) {
    double[] rtts =
        connections.stream()
            .map(ConnectionSnapshot::lastRttMillis)
            .filter(Objects::nonNull)
            .mapToDouble(Double::doubleValue)
            .sorted()
            .toArray();
    if (rtts.length == 0) {
      return new Stats.Rtt(0, null, null);
    }
    return new Stats.Rtt(rtts.length, percentile(rtts, 50), percentile(rtts, 99));
  }

  /** Nearest rank: the smallest value with at least {@code p}% of the values at or below it. */
  static double percentile(double[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
