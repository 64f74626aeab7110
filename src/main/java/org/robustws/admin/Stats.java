package org.robustws.admin;

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
 */
public record Stats(
    Connections connections,
    Messages messages,
    Rtt rtt,
    long startedAt,
    long uptimeMillis,
    boolean draining,
    Map<String, Stats> nodes) {

  /** The same, with every node's figures. */
  public Stats withNodes(Map<String, Stats> byNode) {
    return new Stats(connections, messages, rtt, startedAt, uptimeMillis, draining, byNode);
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
