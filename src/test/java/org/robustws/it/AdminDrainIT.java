package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /api/drain}: readiness DOWN, every client told to come back and closed with 1012, the
 * answer 202 before the drain is over; new handshakes get 503 and {@code ws_ready} is 0. In its own
 * class because the deployment stays draining (each IT class deploys the WAR anew).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminDrainIT {
  private final ClientManager container = ClientManager.createClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void drainTurnsReadinessDownAndClosesEveryoneWith1012() throws Exception {
    String admin = AdminUsers.admin();
    AdminHttp api = new AdminHttp(base);
    assertEquals(200, api.readiness().statusCode());
    try (TestClient ws = TestClient.connect(container, Deployments.ws(base, "/ws"));
        TestClient legacy = TestClient.connect(container, Deployments.ws(base, "/ws-legacy"))) {
      ws.next("system");
      legacy.send("{\"type\":\"ping\"}");
      legacy.next("pong");
      HttpResponse<String> accepted = api.post("/drain", "", admin);
      assertEquals(202, accepted.statusCode(), accepted.body());
      JsonObject draining = AdminHttp.json(accepted);
      assertTrue(draining.getBoolean("draining"));
      assertEquals(2, draining.getInt("openConnections"));

      JsonObject shutdown = ws.next("system");
      assertEquals("shutdown", shutdown.getString("event"));
      assertEquals(1012, ws.closeCode());
      assertEquals(1012, legacy.closeCode());

      HttpResponse<String> ready = api.readiness();
      assertEquals(503, ready.statusCode(), ready.body());
      IOException refused =
          assertThrows(IOException.class, () -> RawWebSocket.connect(Deployments.ws(base, "/ws")));
      assertTrue(
          refused.getMessage().contains(" 503 "), "a new handshake: " + refused.getMessage());
      assertTrue(refused.getMessage().contains("\r\nRetry-After: 5\r\n"), refused.getMessage());
      assertEquals(0.0, Scrape.fetch().find("ws_ready", "").orElseThrow(), "ws_ready, draining");
      assertTrue(AdminHttp.json(api.get("/stats", null)).getBoolean("draining"));
      assertEquals(202, api.post("/drain", "", admin).statusCode(), "a second drain");
    }
  }
}
