package org.robustws.endpoint;

import jakarta.websocket.server.ServerEndpoint;
import org.robustws.connection.EndpointKind;

/** {@code /ws-legacy}: the original echo protocol, kept for old clients. */
@ServerEndpoint(value = "/ws-legacy", configurator = HandshakeCapture.class)
public class LegacyEndpoint extends ManagedEndpoint {
  public LegacyEndpoint() {
    super(EndpointKind.LEGACY);
  }
}
