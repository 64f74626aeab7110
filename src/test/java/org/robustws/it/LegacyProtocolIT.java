package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The old protocol on {@code /ws-legacy}, as old clients use it. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LegacyProtocolIT {
  private final ClientManager container = ClientManager.createClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  private TestClient connect() throws Exception {
    return TestClient.connect(container, Deployments.ws(base, "/ws-legacy"));
  }

  @Test
  void answersPingAndEchoesEverythingElse() throws Exception {
    try (TestClient client = connect()) {
      client.send("{\"type\":\"ping\"}");
      assertTrue(client.next("pong").getJsonNumber("timestamp").longValue() > 0);

      client.send("plain text, not JSON");
      String echoed = client.nextText();
      while (echoed.contains("\"heartbeat\"")) {
        echoed = client.nextText();
      }
      assertEquals("plain text, not JSON", echoed);

      client.send("{\"type\":\"message\",\"x\":1}");
      assertEquals(1, client.next("message").getInt("x"));

      client.sendBinary(ByteBuffer.wrap(new byte[] {9, 8, 7}));
      ByteBuffer binary = client.binaries.poll(10, TimeUnit.SECONDS);
      assertNotNull(binary);
      assertEquals(ByteBuffer.wrap(new byte[] {9, 8, 7}), binary);
    }
  }

  @Test
  void sendsHeartbeatMessages() throws Exception {
    try (TestClient client = connect()) {
      assertTrue(client.next("heartbeat").getJsonNumber("timestamp").longValue() > 0);
    }
  }

  @Test
  void closesMessagesOverTheLimitWith1009() throws Exception {
    try (TestClient client = connect()) {
      client.sendExpectingClose("z".repeat(65_537));
      assertEquals(1009, client.closeCode());
    }
  }
}
