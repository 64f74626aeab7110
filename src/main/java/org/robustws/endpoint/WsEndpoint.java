package org.robustws.endpoint;

import jakarta.websocket.server.ServerEndpoint;
import org.robustws.connection.EndpointKind;

/** {@code /ws}: protocol v1, JSON text frames (docs/protocol.md). */
@ServerEndpoint(
    value = "/ws",
    subprotocols = {"robust-ws.v1"},
    configurator = HandshakeCapture.class)
public class WsEndpoint extends ManagedEndpoint {
  public WsEndpoint() {
    super(EndpointKind.WS);
  }
}
