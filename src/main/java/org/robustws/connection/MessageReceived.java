package org.robustws.connection;

/**
 * CDI event: a text frame arrived and was accepted for handling. Observers run on the connection's
 * delivery thread: they must return quickly and never block.
 *
 * @param type the protocol type ({@code ping}, {@code publish}, …), or {@code text} on {@code
 *     /ws-legacy} when the frame is not a JSON ping
 * @param text the frame as received
 */
public record MessageReceived(
    String connectionId, EndpointKind endpoint, String type, int bytes, String text) {}
