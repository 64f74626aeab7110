package org.robustws.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.undertow.server.protocol.http.HttpServerConnection;
import org.junit.jupiter.api.Test;

/**
 * The references HandshakeRelease clears exist in the Undertow the build compiles against (the
 * server's own version): after an Undertow upgrade that renames one, this fails instead of the heap
 * per connection growing by the handshake's request without notice.
 */
class HandshakeReleaseTest {
  private static final String HTTP = "io.undertow.server.protocol.http.";

  @Test
  void theUpgradedConnectionsReferencesToItsHandshakeAreFound() throws Exception {
    assertNotNull(HandshakeRelease.field(HttpServerConnection.class, "upgradeListener"));
    assertNotNull(HandshakeRelease.field(HttpServerConnection.class, "responseConduit"));
    assertNotNull(HandshakeRelease.field(HttpServerConnection.class, "readListener"));
    assertNotNull(HandshakeRelease.field(Class.forName(HTTP + "HttpResponseConduit"), "exchange"));
    assertNotNull(
        HandshakeRelease.field(Class.forName(HTTP + "HttpReadListener"), "httpServerExchange"));
  }
}
