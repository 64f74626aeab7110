package org.robustws.admin;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to {@code GET /api/stats}: aggregate figures only, never a connection or session id,
 * so it may be public.
 *
 * @param startedAt when the deployment started (epoch ms)
 * @param uptimeMillis how long ago that was
 * @param draining whether the server is draining (readiness DOWN) and clients are being closed
 * @param nodes on a cluster, every node's own figures by node name (this one's included); {@code
 *     null} inside them
 * @param cluster those figures added up; {@code null} inside them
 */
public record Stats(
    Connections connections,
    Messages messages,
    Rtt rtt,
    long startedAt,
    long uptimeMillis,
    boolean draining,
    Map<String, Stats> nodes,
    Totals cluster) {

  /** The same, with every node's figures and their sum. */
  public Stats withNodes(Map<String, Stats> byNode) {
    return new Stats(
        connections,
        messages,
        rtt,
        startedAt,
        uptimeMillis,
        draining,
        byNode,
        Totals.of(byNode.values()));
  }

  /**
   * Every node's figures added up. Not the round trips: percentiles do not add (each node has its
   * own).
   *
   * @param nodes how many nodes' figures
   * @param draining how many of those nodes are draining
   * @param connections their open connections, by endpoint and by state
   * @param messagesIn messages received since each node's deployment started
   * @param messagesOut messages sent, likewise
   * @param inPerSecond the nodes' rates of received messages, each over its own last window
   * @param outPerSecond the same for sent messages
   */
  public record Totals(
      int nodes,
      int draining,
      Connections connections,
      long messagesIn,
      long messagesOut,
      double inPerSecond,
      double outPerSecond) {

    static Totals of(Collection<Stats> byNode) {
      Map<String, Integer> byEndpoint = new LinkedHashMap<>();
      Map<String, Integer> byState = new LinkedHashMap<>();
      int open = 0;
      int draining = 0;
      long in = 0;
      long out = 0;
      double inRate = 0;
      double outRate = 0;
      for (Stats node : byNode) {
        open += node.connections().total();
        node.connections().byEndpoint().forEach((k, n) -> byEndpoint.merge(k, n, Integer::sum));
        node.connections().byState().forEach((k, n) -> byState.merge(k, n, Integer::sum));
        draining += node.draining() ? 1 : 0;
        in += node.messages().in();
        out += node.messages().out();
        inRate += node.messages().inPerSecond();
        outRate += node.messages().outPerSecond();
      }
      return new Totals(
          byNode.size(),
          draining,
          new Connections(open, byEndpoint, byState),
          in,
          out,
          Math.round(inRate * 1000) / 1000.0,
          Math.round(outRate * 1000) / 1000.0);
    }
  }

  /**
   * Open connections.
   *
   * @param byEndpoint {@code ws}, {@code legacy}
   * @param byState every state label, zero included
   */
  public record Connections(
      int total, Map<String, Integer> byEndpoint, Map<String, Integer> byState) {}

  /**
   * Messages since the deployment started, closed connections included.
   *
   * @param inPerSecond messages received per second between the previous sample and this one
   * @param outPerSecond messages sent per second, likewise
   * @param windowMillis the time between those two samples
   */
  public record Messages(
      long in, long out, double inPerSecond, double outPerSecond, long windowMillis) {}

  /**
   * Heartbeat round trips: the last one measured on each open connection.
   *
   * @param samples connections that have answered a ping
   * @param p50Millis the median, {@code null} without samples
   * @param p99Millis the 99th percentile (nearest rank), {@code null} without samples
   */
  public record Rtt(int samples, Double p50Millis, Double p99Millis) {}
}
