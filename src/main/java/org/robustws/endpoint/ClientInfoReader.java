package org.robustws.endpoint;

import io.undertow.websockets.jsr.UndertowSession;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import org.robustws.config.WsSettings;
import org.robustws.connection.ConnectionInfo;

/** Builds a connection's metadata from its session and what {@link HandshakeCapture} kept. */
@ApplicationScoped
public class ClientInfoReader {
  @Inject WsSettings settings;
  private RemoteAddressResolver resolver;

  @PostConstruct
  void init() {
    resolver = new RemoteAddressResolver(settings.trustedProxies());
  }

  ConnectionInfo read(Session session) {
    Map<String, Object> properties = session.getUserProperties();
    return new ConnectionInfo(
        resolver.resolve(peer(session), (String) properties.get(HandshakeCapture.FORWARDED_FOR)),
        (String) properties.get(HandshakeCapture.USER_AGENT),
        (String) properties.get(HandshakeCapture.ORIGIN),
        session.getNegotiatedSubprotocol() == null ? "" : session.getNegotiatedSubprotocol());
  }

  /** The client's address from a request's peer and X-Forwarded-For header. */
  String clientAddress(String peer, String forwardedFor) {
    return resolver.resolve(peer, forwardedFor);
  }

  /** The socket's peer. The Jakarta API does not expose it; Undertow's session does. */
  private static String peer(Session session) {
    if (session instanceof UndertowSession undertow) {
      SocketAddress address = undertow.getWebSocketChannel().getSourceAddress();
      if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
        return inet.getAddress().getHostAddress();
      }
    }
    return "unknown";
  }
}
