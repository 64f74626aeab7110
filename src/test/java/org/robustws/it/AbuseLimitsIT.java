package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rate limits, connection caps and the Origin check. The test server trusts 127.0.0.1 as a proxy
 * and caps connections at 600 in all and 250 per address (arquillian.xml), so clients claim
 * distinct addresses through X-Forwarded-For.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AbuseLimitsIT {
  private static final int PER_ADDRESS = 250;
  private static final int GLOBAL = 600;

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  private URI ws() {
    return Deployments.ws(base, "/ws");
  }

  @Test
  void answersRateLimitedBeyondTheBurstAndKeepsTheConnection() throws Exception {
    try (TestClient client = TestClient.connect(ClientManager.createClient(), ws())) {
      client.next("system");
      for (int i = 0; i < 300; i++) {
        client.send("{\"type\":\"ping\",\"timestamp\":" + i + "}");
      }
      int pongs = 0;
      int limited = 0;
      for (int i = 0; i < 300; i++) {
        JsonObject reply = client.next();
        if ("pong".equals(reply.getString("type"))) {
          pongs++;
        } else {
          assertEquals("rate_limited", reply.getString("error"));
          limited++;
        }
      }
      assertTrue(pongs >= 200, "the burst of 200 passes: " + pongs);
      assertTrue(limited >= 50, "the rest is refused: " + limited);
      assertTrue(client.session().isOpen());
    }
  }

  @Test
  void closesASustainedAbuserWith1008() throws Exception {
    try (TestClient client = TestClient.connect(ClientManager.createClient(), ws())) {
      client.next("system");
      try {
        for (int i = 0; i < 1_000 && client.session().isOpen(); i++) {
          client.send("{\"type\":\"ping\"}");
        }
      } catch (IOException | RuntimeException closedMeanwhile) {
        // the server closed the connection while we were still sending
      }
      assertEquals(1008, client.closeCode());
    }
  }

  @Test
  void refusesForeignOriginsWith403() throws Exception {
    IOException refused =
        assertThrows(
            IOException.class,
            () -> RawWebSocket.connect(ws(), "Origin: https://evil.example\r\n"));
    assertTrue(refused.getMessage().contains(" 403 "), refused.getMessage());
    String own = "Origin: http://" + base.getHost() + ":" + base.getPort() + "\r\n";
    try (RawWebSocket sameSite = RawWebSocket.connect(ws(), own);
        RawWebSocket noOrigin = RawWebSocket.connect(ws())) {
      assertEquals(RawWebSocket.TEXT, sameSite.readFrame().opcode());
      assertEquals(RawWebSocket.TEXT, noOrigin.readFrame().opcode());
    }
  }

  @Test
  void capsConnectionsPerAddressWith429AndInAllWith503() throws Exception {
    ClientManager container = ClientManager.createClient();
    List<TestClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      clients.addAll(open(pool, container, "203.0.113.7", PER_ADDRESS));
      IOException perAddress =
          assertThrows(
              IOException.class,
              () -> RawWebSocket.connect(ws(), "X-Forwarded-For: 203.0.113.7\r\n"));
      assertTrue(perAddress.getMessage().contains(" 429 "), perAddress.getMessage());
      assertTrue(
          perAddress.getMessage().contains("\r\nRetry-After: 5\r\n"), perAddress.getMessage());

      clients.addAll(open(pool, container, "203.0.113.8", PER_ADDRESS));
      clients.addAll(open(pool, container, "203.0.113.9", GLOBAL - 2 * PER_ADDRESS));
      IOException full =
          assertThrows(
              IOException.class,
              () -> RawWebSocket.connect(ws(), "X-Forwarded-For: 203.0.113.10\r\n"));
      assertTrue(full.getMessage().contains(" 503 "), full.getMessage());
      assertTrue(full.getMessage().contains("\r\nRetry-After: 5\r\n"), full.getMessage());
    } finally {
      for (TestClient client : clients) {
        client.close();
      }
      pool.shutdownNow();
    }
  }

  private List<TestClient> open(
      ExecutorService pool, ClientManager container, String address, int count) throws Exception {
    List<Future<TestClient>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(
          pool.submit(
              () -> {
                TestClient client =
                    TestClient.connect(container, ws(), TestClient.forwardedFor(address));
                client.next("system");
                return client;
              }));
    }
    List<TestClient> opened = new ArrayList<>();
    for (Future<TestClient> future : futures) {
      opened.add(future.get());
    }
    return opened;
  }
}
