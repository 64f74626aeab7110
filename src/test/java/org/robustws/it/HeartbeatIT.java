package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Heartbeats with the short settings of the test server (interval 1 s, timeout 3 s): pings reach
 * clients on both endpoints, and a client that never answers is closed with 4000 in time.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HeartbeatIT {
  private static final long INTERVAL_MS = 1_000;
  private static final long TIMEOUT_MS = 3_000;

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void serverPingsReachClientsOfBothEndpoints() throws Exception {
    for (String path : new String[] {"/ws", "/ws-legacy"}) {
      CountDownLatch pings = new CountDownLatch(2);
      WebSocket socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  Deployments.ws(base, path),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                      pings.countDown();
                      return WebSocket.Listener.super.onPing(webSocket, message);
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      assertTrue(pings.await(10, TimeUnit.SECONDS), "two pings on " + path);
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void closesASilentClientWith4000WithinTimeoutPlusInterval() throws Exception {
    for (String path : new String[] {"/ws", "/ws-legacy"}) {
      try (RawWebSocket silent = RawWebSocket.connect(Deployments.ws(base, path))) {
        silent.answerPings = false;
        long start = System.nanoTime();
        RawWebSocket.Frame frame;
        do {
          frame = silent.readTextOrClose(); // pings arrive and are never answered
        } while (frame.opcode() != RawWebSocket.CLOSE);
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(4000, frame.closeCode(), path);
        assertTrue(
            elapsed <= TIMEOUT_MS + INTERVAL_MS + 1_000, path + " closed after " + elapsed + " ms");
        assertTrue(elapsed >= TIMEOUT_MS - 100, path + " closed too early: " + elapsed + " ms");
      }
    }
  }

  /**
   * Each part of a fragmented message counts as life: a client that never answers a ping but sends
   * one part a second for twice the timeout stays open, and its whole message is answered.
   */
  @Test
  void eachPartOfAFragmentedMessageCountsAsLife() throws Exception {
    try (RawWebSocket client = RawWebSocket.connect(Deployments.ws(base, "/ws"))) {
      client.answerPings = false;
      assertEquals("system", json(client.readTextOrClose().text()).getString("type"));
      long end = System.nanoTime() + Duration.ofMillis(2 * TIMEOUT_MS).toNanos();
      client.sendRaw(
          client.frame(
              RawWebSocket.TEXT, true, utf8("{\"type\":\"echo\",\"payload\":\""))); // FIN clear
      StringBuilder sent = new StringBuilder();
      while (System.nanoTime() < end) {
        Thread.sleep(INTERVAL_MS);
        client.sendRaw(client.frame(0x0, true, utf8("ü€"))); // a continuation, FIN clear
        sent.append("ü€");
      }
      client.sendRaw(client.frame(0x80, true, utf8("\"}"))); // the last continuation
      RawWebSocket.Frame answer = client.readTextOrClose();
      assertEquals(RawWebSocket.TEXT, answer.opcode(), "closed with " + answer.closeCode());
      JsonObject echo = json(answer.text());
      assertEquals(
          sent.toString(), echo.getString("payload"), "open after " + 2 * TIMEOUT_MS + " ms");
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }

  @Test
  void keepsAClientThatAnswersPings() throws Exception {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    CountDownLatch pings = new CountDownLatch(5);
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                Deployments.ws(base, "/ws"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                    pings.countDown(); // the JDK client answers with a pong by itself
                    return WebSocket.Listener.super.onPing(webSocket, message);
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                    closed.complete(code);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    assertTrue(pings.await(15, TimeUnit.SECONDS), "five pings, longer than the 3 s timeout");
    assertTrue(!closed.isDone(), "pongs count as signs of life");
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }
}
