package org.robustws.connection;

import java.util.Set;

/**
 * A connection's metadata at one moment; immutable, safe to hand to other beans and to serialise.
 * Times are epoch milliseconds.
 *
 * @param lastSeenAt the last frame received from the client (data, ping or pong)
 * @param queuedFrames frames waiting to be sent
 * @param sessionId the resumable session of a {@code /ws} connection, else {@code null}
 * @param lastRttMillis round trip of the last heartbeat ping, {@code null} before the first pong
 * @param sub the subject the connection authenticated as, {@code null} if it did not
 * @param node the cluster node holding the connection ({@code jboss.node.name}), {@code null} until
 *     the admin API names it
 */
public record ConnectionSnapshot(
    String id,
    String endpoint,
    String state,
    String remoteAddress,
    String userAgent,
    String origin,
    String subprotocol,
    long connectedAt,
    long lastSeenAt,
    long messagesIn,
    long bytesIn,
    long messagesOut,
    long bytesOut,
    long sendFailures,
    int queuedFrames,
    String sessionId,
    Set<String> subscriptions,
    Double lastRttMillis,
    String sub,
    String node) {

  /** The same, held by {@code node}. */
  public ConnectionSnapshot on(String node) {
    return new ConnectionSnapshot(
        id,
        endpoint,
        state,
        remoteAddress,
        userAgent,
        origin,
        subprotocol,
        connectedAt,
        lastSeenAt,
        messagesIn,
        bytesIn,
        messagesOut,
        bytesOut,
        sendFailures,
        queuedFrames,
        sessionId,
        subscriptions,
        lastRttMillis,
        sub,
        node);
  }
}
