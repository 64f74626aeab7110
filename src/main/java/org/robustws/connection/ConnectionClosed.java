package org.robustws.connection;

/**
 * CDI event: a connection ended and left the registry; fired once per connection.
 *
 * @param code the close code (1006 if the socket died without a close frame)
 * @param durationMillis how long the connection lived
 */
public record ConnectionClosed(
    ConnectionSnapshot connection, int code, String reason, long durationMillis) {}
