package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An undeploy tells every client when to come back and closes with 1012, never 1006 or 1001; after
 * a redeploy, clients resume their sessions and lose no event, and the settings are read again.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RedeployIT {
  private static final String WAR = "redeployed";

  @ArquillianResource Deployer deployer;
  @ArquillianResource ManagementClient management;

  @Deployment(name = WAR, managed = false, testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void aRedeployKeepsEverySessionAndStream() throws Exception {
    String suffix = Long.toString(System.nanoTime(), 36);
    String a = "redeploy.a." + suffix;
    String b = "redeploy.b." + suffix;
    URI ws = URI.create("ws://127.0.0.1:8080/ws");
    ClientManager container = ClientManager.createClient();
    deployer.deploy(WAR);
    List<StreamSubscriber> subscribers = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        // half resume with lastSeq only (protocol v1), half with their positions too
        subscribers.add(StreamSubscriber.subscribe(container, ws, "client " + i, i % 2 == 1, a, b));
      }
      publish(container, ws, a, b, 1, 5);
      for (StreamSubscriber subscriber : subscribers) {
        subscriber.readUntil(10);
      }
      deployer.undeploy(WAR);
      for (StreamSubscriber subscriber : subscribers) {
        assertEquals(1012, subscriber.closeCode(), subscriber.name);
      }
      deployer.deploy(WAR);
      publish(container, ws, a, b, 6, 10);
      for (StreamSubscriber subscriber : subscribers) {
        assertEquals(10, subscriber.resume(container, ws), subscriber.name + " replayed");
        List<Integer> all = IntStream.rangeClosed(1, 10).boxed().toList();
        assertEquals(Map.of(a, all, b, all), subscriber.received, subscriber.name);
      }
    } finally {
      for (StreamSubscriber subscriber : subscribers) {
        subscriber.close();
      }
      deployer.undeploy(WAR);
    }
  }

  /**
   * README, Configuration: the settings are read when the app is deployed. A system property set on
   * the running server changes nothing for the deployed app (its next connection is told the old
   * value), and a redeploy picks it up.
   */
  @Test
  void aRedeployPicksUpAChangedSystemProperty() throws Exception {
    URI ws = URI.create("ws://127.0.0.1:8080/ws");
    ClientManager container = ClientManager.createClient();
    deployer.deploy(WAR);
    try {
      assertEquals(65_536, maxMessageBytes(container, ws), "the default");
      assertEquals("success", maxMessageBytesProperty("add", "32768"));
      assertEquals(65_536, maxMessageBytes(container, ws), "read at deployment, not at a connect");
      deployer.undeploy(WAR);
      deployer.deploy(WAR);
      assertEquals(32_768, maxMessageBytes(container, ws), "after the redeploy");
    } finally {
      maxMessageBytesProperty("remove", null);
      deployer.undeploy(WAR);
    }
  }

  /** The {@code maxMessageBytes} a new connection's {@code system/connected} announces. */
  private static int maxMessageBytes(ClientManager container, URI ws) throws Exception {
    try (TestClient client = TestClient.connect(container, ws)) {
      return client.next("system").getJsonObject("config").getInt("maxMessageBytes");
    }
  }

  /** Adds or removes the system property {@code ws.max-message-bytes}; returns the outcome. */
  private String maxMessageBytesProperty(String operation, String value) throws Exception {
    ModelNode op = new ModelNode();
    op.get("operation").set(operation);
    op.get("address").add("system-property", "ws.max-message-bytes");
    if (value != null) {
      op.get("value").set(value);
    }
    return management.getControllerClient().execute(op).get("outcome").asString();
  }

  /** Publishes {@code from..to} on both channels, alternating, and waits for every ack. */
  static void publish(ClientManager container, URI ws, String a, String b, int from, int to)
      throws Exception {
    try (TestClient publisher = TestClient.connect(container, ws)) {
      publisher.next("system");
      for (int n = from; n <= to; n++) {
        for (String channel : List.of(a, b)) {
          publisher.send(
              "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + n + "}");
          publisher.next("ack");
        }
      }
    }
  }

  @Test
  void undeployClosesEveryClientWith1012AndAReconnectHint() throws Exception {
    deployer.deploy(WAR);
    ClientManager container = ClientManager.createClient();
    List<TestClient> clients = new ArrayList<>();
    try {
      URI ws = URI.create("ws://127.0.0.1:8080/ws");
      URI legacy = URI.create("ws://127.0.0.1:8080/ws-legacy");
      for (int i = 0; i < 20; i++) {
        TestClient client = TestClient.connect(container, i % 4 == 0 ? legacy : ws);
        if (i % 4 != 0) {
          client.next("system");
        }
        clients.add(client);
      }
      deployer.undeploy(WAR);
      for (int i = 0; i < clients.size(); i++) {
        TestClient client = clients.get(i);
        if (i % 4 != 0) {
          JsonObject shutdown = client.next("system");
          assertEquals("shutdown", shutdown.getString("event"));
          long after = shutdown.getJsonNumber("reconnectAfter").longValue();
          assertTrue(after >= 500 && after <= 5_000, "reconnectAfter " + after);
        }
        assertEquals(1012, client.closeCode(), "client " + i);
      }
    } finally {
      for (TestClient client : clients) {
        client.close();
      }
    }
  }
}
