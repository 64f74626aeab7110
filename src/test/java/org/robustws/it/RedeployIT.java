package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An undeploy tells every client when to come back and closes with 1012, never 1006 or 1001. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RedeployIT {
  private static final String WAR = "redeployed";

  @ArquillianResource Deployer deployer;

  @Deployment(name = WAR, managed = false, testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
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
