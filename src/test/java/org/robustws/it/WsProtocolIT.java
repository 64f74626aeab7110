package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every message type and error of protocol v1 on {@code /ws}, against the built WAR. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WsProtocolIT {
  private final ClientManager container = ClientManager.createClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  private TestClient connect() throws Exception {
    return TestClient.connect(container, uri());
  }

  private URI uri() {
    return Deployments.ws(base, "/ws");
  }

  @Test
  void greetsWithConnectedAndItsConfig() throws Exception {
    try (TestClient client = connect()) {
      JsonObject hello = client.next();
      assertEquals("system", hello.getString("type"));
      assertEquals("connected", hello.getString("event"));
      assertTrue(hello.getString("clientId").startsWith("c-"));
      assertTrue(hello.getString("sessionId").startsWith("s-"));
      assertFalse(hello.getString("resumeToken").isEmpty());
      JsonObject config = hello.getJsonObject("config");
      assertEquals(65_536, config.getInt("maxMessageBytes"));
      assertEquals(1_000, config.getInt("heartbeatInterval"), "set short for the tests");
      assertEquals(10, config.getJsonObject("reconnectStrategy").getInt("maxAttempts"));
    }
  }

  @Test
  void answersPingEchoAndMessage() throws Exception {
    try (TestClient client = connect()) {
      String clientId = client.next().getString("clientId");
      client.send("{\"type\":\"ping\",\"timestamp\":1234}");
      JsonObject pong = client.next("pong");
      assertEquals(1234, pong.getInt("timestamp"));
      assertEquals(clientId, pong.getString("clientId"));
      assertTrue(pong.getJsonNumber("serverTime").longValue() > 0);

      client.send("{\"type\":\"echo\",\"payload\":{\"a\":[1,\"x\",null]}}");
      assertEquals(
          "{\"a\":[1,\"x\",null]}", client.next("echo").getJsonObject("payload").toString());

      client.send("{\"type\":\"message\",\"text\":\"hi\"}");
      JsonObject echoed = client.next("message");
      assertEquals("hi", echoed.getString("text"));
      assertTrue(echoed.getBoolean("echo"));

      client.send("{\"type\":\"message\",\"text\":\"é\",\"echo\":\"mine\"}");
      JsonObject replaced = client.next("message");
      assertEquals("é", replaced.getString("text"));
      assertTrue(replaced.getBoolean("echo"), "the client's echo field is replaced");
      assertEquals(3, replaced.size(), replaced.toString());
    }
  }

  @Test
  void subscribesPublishesAndUnsubscribes() throws Exception {
    try (TestClient alice = connect();
        TestClient bob = connect()) {
      alice.next();
      bob.next();
      alice.send("{\"type\":\"subscribe\",\"channel\":\"room:1\"}");
      assertEquals("room:1", alice.next("subscribed").getString("channel"));

      bob.send("{\"type\":\"publish\",\"channel\":\"room:1\",\"data\":{\"n\":1},\"id\":\"p-1\"}");
      JsonObject ack = bob.next("ack");
      assertEquals("p-1", ack.getString("id"));
      assertEquals("room:1", ack.getString("channel"));
      JsonObject event = alice.next("event");
      assertEquals(1, event.getInt("seq"));
      assertEquals(1, event.getJsonObject("data").getInt("n"));
      assertEquals("p-1", event.getString("id"));
      assertTrue(event.getJsonNumber("offset").longValue() >= 1, event.toString());
      assertFalse(event.getString("epoch").isEmpty(), event.toString());

      alice.send("{\"type\":\"unsubscribe\",\"channel\":\"room:1\"}");
      assertEquals("room:1", alice.next("unsubscribed").getString("channel"));
      alice.send("{\"type\":\"ack\",\"seq\":1}");
      alice.send("{\"type\":\"unsubscribe\",\"channel\":\"room:1\",\"id\":9}");
      JsonObject error = alice.next("error");
      assertEquals("not_subscribed", error.getString("error"));
      assertEquals(9, error.getInt("ref"));
    }
  }

  @Test
  void aSessionListensToAtMostOneHundredChannels() throws Exception {
    try (TestClient client = connect()) {
      client.next();
      for (int i = 0; i < 100; i++) {
        client.send("{\"type\":\"subscribe\",\"channel\":\"many." + i + "\"}");
        client.next("subscribed");
      }
      client.send("{\"type\":\"subscribe\",\"channel\":\"many.100\",\"id\":\"r\"}");
      JsonObject error = client.next("error");
      assertEquals("too_many_subscriptions", error.getString("error"));
      assertEquals("r", error.getString("ref"));
      client.send("{\"type\":\"subscribe\",\"channel\":\"many.7\"}");
      assertEquals("many.7", client.next("subscribed").getString("channel"), "still open");
    }
  }

  @Test
  void refusesBadInputAndStaysOpen() throws Exception {
    try (TestClient client = connect()) {
      client.next();
      String[][] cases = {
        {"this is not json", "invalid_format"},
        {"[1,2,3]", "invalid_format"},
        {"{\"no\":\"type\"}", "invalid_format"},
        {"{\"type\":\"teleport\"}", "unknown_type"},
        {"{\"type\":\"subscribe\",\"channel\":\"no spaces\"}", "invalid_channel"},
        {"{\"type\":\"publish\",\"channel\":\"" + "x".repeat(129) + "\"}", "invalid_channel"},
        {
          "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"t\",\"lastSeq\":0}",
          "invalid_state"
        },
      };
      for (String[] c : cases) {
        client.send(c[0]);
        assertEquals(c[1], client.next("error").getString("error"), c[0]);
      }
      client.sendBinary(ByteBuffer.wrap(new byte[] {1, 2}));
      assertEquals("invalid_format", client.next("error").getString("error"));
      client.send("{\"type\":\"ping\",\"timestamp\":1}");
      assertEquals(1, client.next("pong").getInt("timestamp"), "still works after all that");
      assertTrue(client.session().isOpen());
    }
  }

  @Test
  void closesMessagesOverTheLimitWith1009() throws Exception {
    try (TestClient client = connect();
        TestClient bystander = connect()) {
      client.next();
      bystander.next();
      client.sendExpectingClose("{\"type\":\"echo\",\"payload\":\"" + "x".repeat(70_000) + "\"}");
      assertEquals(1009, client.closeCode());
      bystander.send("{\"type\":\"ping\",\"timestamp\":2}");
      assertEquals(2, bystander.next("pong").getInt("timestamp"), "others are not affected");
    }
  }

  @Test
  void acceptsAMessageJustUnderTheLimit() throws Exception {
    try (TestClient client = connect()) {
      client.next();
      String payload = "y".repeat(65_536 - "{\"type\":\"echo\",\"payload\":\"\"}".length());
      client.send("{\"type\":\"echo\",\"payload\":\"" + payload + "\"}");
      assertEquals(payload, client.next("echo").getString("payload"));
    }
  }

  @Test
  void resumeOfUnknownOrForgedSessionsFailsWithAReason() throws Exception {
    String sessionId;
    try (TestClient first = connect()) {
      sessionId = first.next().getString("sessionId");
    }
    try (TestClient client = connect()) {
      client.next();
      client.send(
          "{\"type\":\"resume\",\"sessionId\":\"s-none\",\"resumeToken\":\"t\",\"lastSeq\":0}");
      assertEquals("unknown", client.next("resume_failed").getString("reason"));
    }
    try (TestClient client = connect()) {
      client.next();
      client.send(
          "{\"type\":\"resume\",\"sessionId\":\""
              + sessionId
              + "\",\"resumeToken\":\"forged\",\"lastSeq\":0}");
      assertEquals("invalid_token", client.next("resume_failed").getString("reason"));
    }
  }
}
