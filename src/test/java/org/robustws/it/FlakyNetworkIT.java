package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A subscriber on a bad network: its TCP connection is cut (reset, no close frame) 20 times while a
 * publisher sends a steady stream of events. Each time it reconnects and resumes with the latest
 * token and the last {@code seq} it got; in the end it has every event exactly once, in order.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FlakyNetworkIT {
  private static final int EVENTS = 600;
  private static final int CUTS = 20;
  private static final int CUT_EVERY = EVENTS / (CUTS + 1);
  // within the default rate limit of 100 messages per second per connection
  private static final long PUBLISH_EVERY_MS = 10;
  private static final long DEADLINE_MS = 60_000;
  private static final String CHANNEL = "flaky.net";

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void everyEventArrivesExactlyOnceInOrderAcrossTwentyCuts() throws Exception {
    acrossTwentyCuts(CHANNEL, false);
  }

  /** The same for a client that also sends its position in the channel (protocol ext). */
  @Test
  void aClientSendingPositionsGetsEveryEventExactlyOnceToo() throws Exception {
    acrossTwentyCuts(CHANNEL + ".positions", true);
  }

  private void acrossTwentyCuts(String channel, boolean sendsPositions) throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    RawWebSocket ws = RawWebSocket.connect(uri);
    try (TestClient publisher = TestClient.connect(ClientManager.createClient(), uri)) {
      publisher.next("system");
      JsonObject hello = json(ws.readTextOrClose().text());
      String sessionId = hello.getString("sessionId");
      String token = hello.getString("resumeToken");
      ws.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertEquals("subscribed", json(ws.readTextOrClose().text()).getString("type"));

      CompletableFuture<Void> published = new CompletableFuture<>();
      AtomicInteger next = new AtomicInteger(1);
      pacer.scheduleAtFixedRate(
          () -> publishNext(publisher, channel, next, published),
          0,
          PUBLISH_EVERY_MS,
          TimeUnit.MILLISECONDS);

      List<Integer> received = new ArrayList<>();
      long lastSeq = 0;
      String position = null; // {"offset":…,"epoch":…} of the last event
      int cuts = 0;
      int cutsWhilePublishing = 0;
      int nextCutAt = CUT_EVERY;
      boolean attached = true; // false from sending resume until its answer
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
      while (received.size() < EVENTS) {
        assertTrue(
            System.nanoTime() < deadline, "only " + received.size() + " events after the deadline");
        RawWebSocket.Frame frame = ws.readTextOrClose();
        assertTrue(
            frame.opcode() == RawWebSocket.TEXT, "the server closed with " + frame.closeCode());
        JsonObject message = json(frame.text());
        switch (message.getString("type")) {
          case "event" -> {
            int seq = message.getInt("seq");
            assertEquals(lastSeq + 1, seq, "seq after " + lastSeq + " (after " + cuts + " cuts)");
            received.add(message.getInt("data"));
            lastSeq = seq;
            position =
                "{\"offset\":"
                    + message.getJsonNumber("offset")
                    + ",\"epoch\":\""
                    + message.getString("epoch")
                    + "\"}";
            if (attached && seq % 100 == 0) {
              ws.sendText("{\"type\":\"ack\",\"seq\":" + seq + "}");
            }
          }
          case "resumed" -> {
            assertEquals(sessionId, message.getString("sessionId"));
            assertEquals(lastSeq, message.getInt("lastSeq"), "resumed.lastSeq: all replayed");
            token = message.getString("resumeToken");
            attached = true;
          }
          case "resume_failed" ->
              throw new AssertionError(
                  "resume failed after " + cuts + " cuts at seq " + lastSeq + ": " + message);
          case "error" -> throw new AssertionError("server refused a request: " + message);
          default -> {} // e.g. a broadcast from another test
        }
        if (attached && cuts < CUTS && received.size() >= nextCutAt) {
          if (!published.isDone()) {
            cutsWhilePublishing++;
          }
          ws.cut();
          cuts++;
          nextCutAt += CUT_EVERY;
          ws = RawWebSocket.connect(uri);
          JsonObject fresh = json(ws.readTextOrClose().text());
          assertEquals("connected", fresh.getString("event"));
          ws.sendText(
              "{\"type\":\"resume\",\"sessionId\":\""
                  + sessionId
                  + "\",\"resumeToken\":\""
                  + token
                  + "\",\"lastSeq\":"
                  + lastSeq
                  + (sendsPositions && position != null
                      ? ",\"positions\":{\"" + channel + "\":" + position + "}"
                      : "")
                  + "}");
          attached = false;
        }
      }

      published.get(10, TimeUnit.SECONDS);
      assertEquals(CUTS, cuts);
      assertEquals(IntStream.rangeClosed(1, EVENTS).boxed().toList(), received);
      assertTrue(
          cutsWhilePublishing >= CUTS / 2,
          "only " + cutsWhilePublishing + " cuts happened while events were being published");
      for (int acks = 0; acks < EVENTS; acks++) {
        publisher.next("ack");
      }
    } finally {
      pacer.shutdownNow();
      ws.close();
    }
  }

  /** Publishes event number {@code next}; completes {@code published} after the last one. */
  private static void publishNext(
      TestClient publisher, String channel, AtomicInteger next, CompletableFuture<Void> published) {
    int n = next.getAndIncrement();
    if (n > EVENTS) {
      published.complete(null);
      return;
    }
    try {
      publisher.send(
          "{\"type\":\"publish\",\"channel\":\""
              + channel
              + "\",\"data\":"
              + n
              + ",\"id\":"
              + n
              + "}");
    } catch (Exception e) {
      published.completeExceptionally(e);
    }
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
