package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
 * Many peers reset their connections at once (a network cut, a proxy restart): the server closes
 * every one of them, counts each as 1006 once, and a client connected beside them does not notice.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ResetStormIT {
  /** Below the test server's 250 connections per address. */
  private static final int PEERS = 200;

  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(10);
  private static final String ABNORMAL = "code=\"1006\",endpoint=\"ws\"";
  private static final String CLOSED = "ws_connections_closed_total";
  private static final String ACTIVE = "ws_connections_active";

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void twoHundredResetsAtOnceAreEachClosedAndCountedOnceAs1006() throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    try (TestClient bystander = TestClient.connect(ClientManager.createClient(), uri)) {
      bystander.next("system");
      Scrape before = Scrape.fetch();
      List<RawWebSocket> peers = new ArrayList<>();
      for (int i = 0; i < PEERS; i++) {
        RawWebSocket peer = RawWebSocket.connect(uri);
        String first = peer.readTextOrClose().text();
        assertEquals(
            "system", Json.createReader(new StringReader(first)).readObject().getString("type"));
        peers.add(peer);
        if (peers.size() % 25 == 0) {
          signsOfLife(peers);
        }
      }
      signsOfLife(peers);
      double activeWithPeers = Scrape.fetch().value(ACTIVE, "endpoint=\"ws\"");

      // all cut at the same moment, from 8 threads
      ExecutorService cutters = Executors.newFixedThreadPool(8);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> cuts = new ArrayList<>();
      for (RawWebSocket peer : peers) {
        cuts.add(
            cutters.submit(
                () -> {
                  go.await();
                  peer.cut();
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> cut : cuts) {
        cut.get();
      }
      cutters.shutdown();

      double expectedActive = activeWithPeers - PEERS;
      long deadline = System.nanoTime() + CLOSED_WITHIN.toNanos();
      Scrape after = Scrape.fetch();
      while ((after.value(ACTIVE, "endpoint=\"ws\"") > expectedActive
              || after.value(CLOSED, ABNORMAL) < before.value(CLOSED, ABNORMAL) + PEERS)
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
        after = Scrape.fetch();
      }
      assertEquals(expectedActive, after.value(ACTIVE, "endpoint=\"ws\""), "connections held");
      assertEquals(
          before.value(CLOSED, ABNORMAL) + PEERS,
          after.value(CLOSED, ABNORMAL),
          "resets counted as 1006");

      bystander.send("{\"type\":\"ping\",\"timestamp\":7}");
      assertEquals(7, bystander.next("pong").getInt("timestamp"), "the bystander keeps working");
      assertFalse(bystander.closed.isDone(), "the bystander was closed");
    }
  }

  /**
   * A frame from each peer, so that the test server's 3 s heartbeat timeout takes none of them
   * while the others connect (slow on a loaded machine).
   */
  private static void signsOfLife(List<RawWebSocket> peers) throws Exception {
    for (RawWebSocket peer : peers) {
      peer.sendText("{\"type\":\"ping\",\"timestamp\":1}");
    }
  }
}
