package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The default configuration, no token verifier: every client may subscribe and publish on every
 * channel, as before authentication existed, and the server warns about it at every start.
 */
@ExtendWith(ArquillianExtension.class)
class OpenAccessIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.builtWar();
  }

  @Test
  void theServerWarnsThatEveryChannelIsOpen() throws Exception {
    Path log =
        Path.of(System.getProperty("jboss.home", "target/server"), "standalone/log/server.log");
    String warning =
        Files.readAllLines(log).stream()
            .filter(line -> line.contains("RWS0025"))
            .reduce((first, last) -> last)
            .orElseThrow(() -> new AssertionError("no RWS0025 in " + log));
    assertTrue(warning.contains("\"level\":\"WARN\""), warning);
    assertTrue(
        warning.contains("every client may subscribe and publish on every channel"), warning);
  }

  @Test
  void anAuthMessageIsAnsweredAndABearerHeaderIgnored() throws Exception {
    try (TestClient client =
        TestClient.connect(
            ClientManager.createClient(),
            Deployments.ws(base, "/ws"),
            TestClient.withHeader("Authorization", "Bearer a.b.c"))) {
      JsonObject connected = client.next();
      assertFalse(connected.containsKey("sub"), connected.toString());
      client.send("{\"type\":\"auth\",\"token\":\"a.b.c\",\"id\":\"a1\"}");
      JsonObject error = client.next();
      assertEquals("auth_not_configured", error.getString("error"));
      assertEquals("a1", error.getString("ref"));
      client.send("{\"type\":\"subscribe\",\"channel\":\"user:alice\",\"id\":\"s\"}");
      assertEquals("subscribed", client.next().getString("type"));
      client.send("{\"type\":\"publish\",\"channel\":\"ops:x\",\"data\":1,\"id\":\"p\"}");
      assertEquals("ack", client.next().getString("type"));
    }
  }
}
