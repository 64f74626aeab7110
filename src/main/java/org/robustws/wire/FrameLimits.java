package org.robustws.wire;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.servlet.handlers.ServletRequestContext;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.Session;
import java.util.Map;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Puts a {@link FrameLimitConduit} under Undertow's WebSocket parser, which checks no frame length
 * (docs/frame-limits.md), and has the upgraded connection let go of its handshake ({@link
 * HandshakeRelease}). Three steps, because the parts meet at different times: the handshake (inside
 * the servlet chain) prepares it and keeps it in the connection's own user properties; the end of
 * the handshake's exchange keeps the TCP connection; {@code @OnOpen}, which runs after Undertow has
 * set up the connection's read side for the WebSocket (including the bytes read with the handshake)
 * and before the first frame is read, puts the conduit on top of it.
 */
public final class FrameLimits {
  private static final String KEY = FrameLimits.class.getName();

  private volatile StreamConnection connection;
  private volatile HttpServerConnection server;

  private FrameLimits() {}

  /** In {@code modifyHandshake}: called on the thread that runs the handshake's servlet chain. */
  public static void prepare(Map<String, Object> userProperties) {
    FrameLimits limits = new FrameLimits();
    userProperties.put(KEY, limits);
    HttpServerExchange exchange = ServletRequestContext.requireCurrent().getExchange();
    exchange.addExchangeCompleteListener(
        (done, next) -> {
          try {
            if (done.getStatusCode() == StatusCodes.SWITCHING_PROTOCOLS
                && done.getConnection() instanceof AbstractServerConnection upgraded) {
              limits.connection = upgraded.getChannel();
              if (upgraded instanceof HttpServerConnection http) {
                limits.server = http;
              }
            }
          } finally {
            next.proceed();
          }
        });
  }

  /** In {@code @OnOpen}: from here on, frames above {@code maxMessageBytes} are refused. */
  public static void arm(Session session, long maxMessageBytes) {
    if (session.getUserProperties().get(KEY) instanceof FrameLimits limits
        && limits.connection != null
        && session instanceof UndertowSession undertow) {
      ConduitStreamSourceChannel source = limits.connection.getSourceChannel();
      source.setConduit(
          new FrameLimitConduit(
              source.getConduit(), undertow.getWebSocketChannel(), maxMessageBytes));
      if (limits.server != null) {
        HandshakeRelease.release(limits.server);
        limits.server = null;
      }
    }
  }
}
