package org.robustws.connection;

/**
 * What the handshake told about a client, copied out of it: keeping the handshake's request objects
 * would hold their buffers for the life of the connection.
 *
 * @param remoteAddress the client's address (X-Forwarded-For only from trusted proxies)
 * @param userAgent the User-Agent header, or {@code null}
 * @param origin the Origin header, or {@code null} for non-browser clients
 * @param subprotocol the negotiated subprotocol, or an empty string
 */
public record ConnectionInfo(
    String remoteAddress, String userAgent, String origin, String subprotocol) {}
