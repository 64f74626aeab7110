package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code ws.compression=true}: permessage-deflate (RFC 7692) for clients that offer it, on a server
 * of its own ({@code target/compression-server}, port offset 400: HTTP 8480, management 10390),
 * since the shared one runs the default, compression off (BrowserPageIT checks that Chromium's
 * offer is declined there). Compressed frames are built and read here with the JDK's raw deflate.
 * The same server runs with {@code WS_LOG_LEVEL=ERROR}, which {@link #stop()} checks.
 */
class CompressionIT {
  private static final int OFFSET = 400;
  private static final String OFFER =
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

  /** The tail every compressed message ends with, which RFC 7692 leaves off the wire. */
  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

  private static StandaloneServer server;

  @BeforeAll
  static void startAServerWithCompression() throws Exception {
    server =
        StandaloneServer.prepare(
            "compression-server", OFFSET, Map.of("WS_LOG_LEVEL", "ERROR"), "-Dws.compression=true");
    server.start();
  }

  /**
   * {@code WS_LOG_LEVEL=ERROR} leaves out every INFO and WARN line of ours: at default level this
   * server logs the heartbeat's settings (RWS0015, INFO) and the open-access warning (RWS0025,
   * WARN) while the WAR deploys, before WildFly's "Deployed" line, and its tests' connections open
   * and close (RWS0001-0003). Other categories keep their level. (Nothing here provokes an ERROR
   * line.)
   */
  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        List<JsonObject> lines =
            Files.readAllLines(server.serverLog()).stream()
                .filter(
                    l -> l.startsWith("{")) // JSON once the logging subsystem runs, before the app
                .map(CompressionIT::json)
                .toList();
        assertTrue(
            lines.stream()
                .anyMatch(l -> l.getString("message").startsWith("WFLYSRV0010: Deployed \"robust")),
            "WildFly's INFO lines stay, the WAR deployed");
        List<String> ours =
            lines.stream()
                .filter(l -> l.getString("loggerName").startsWith("org.robustws"))
                .filter(l -> !"ERROR".equals(l.getString("level")))
                .map(l -> l.getString("level") + " " + l.getString("message"))
                .toList();
        assertEquals(List.of(), ours, "WS_LOG_LEVEL=ERROR leaves out our INFO and WARN lines");
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void anOfferIsAcceptedAndMessagesGoBothWaysCompressed() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(server.uri("ws", "/ws"), OFFER)) {
      String accepted = ws.handshakeHeader("Sec-WebSocket-Extensions");
      assertTrue(accepted != null && accepted.startsWith("permessage-deflate"), accepted);
      Inflater inflater = new Inflater(true); // the server may keep its context across messages
      assertEquals("system", json(inflate(inflater, ws.readTextOrClose())).getString("type"));

      String payload = "Grüße, 世界 🌍 ".repeat(200); // non-ASCII, 4-byte UTF-8 included
      String echo = "{\"type\":\"echo\",\"payload\":\"" + payload + "\"}";
      byte[] compressed = deflate(echo);
      assertTrue(compressed.length < echo.getBytes(StandardCharsets.UTF_8).length / 10);
      ws.sendRaw(ws.frame(0x80 | 0x40 | RawWebSocket.TEXT, true, compressed)); // FIN, RSV1, text

      RawWebSocket.Frame reply = ws.readTextOrClose();
      assertEquals(RawWebSocket.TEXT, reply.opcode(), "an echo, not a close");
      assertTrue(reply.rsv1(), "the reply is compressed too");
      String text = inflate(inflater, reply);
      JsonObject message = json(text);
      assertEquals("echo", message.getString("type"));
      assertEquals(payload, message.getString("payload"));
      assertTrue(reply.payload().length < text.getBytes(StandardCharsets.UTF_8).length / 10);
    }
  }

  @Test
  void aMessageThatInflatesBeyondTheLimitIsClosedWith1009() throws Exception {
    try (RawWebSocket bomb = RawWebSocket.connect(server.uri("ws", "/ws"), OFFER);
        RawWebSocket bystander = RawWebSocket.connect(server.uri("ws", "/ws"))) {
      bomb.readTextOrClose();
      bystander.readTextOrClose();
      // 1 MiB of JSON in about 1 KiB on the wire, against ws.max-message-bytes = 64 KiB
      String big = "{\"type\":\"echo\",\"payload\":\"" + "a".repeat(1 << 20) + "\"}";
      byte[] compressed = deflate(big);
      assertTrue(compressed.length < 4096, "compressed to " + compressed.length);
      bomb.sendRaw(bomb.frame(0x80 | 0x40 | RawWebSocket.TEXT, true, compressed));
      assertEquals(1009, bomb.readUntilClose().closeCode());

      bystander.sendText("{\"type\":\"ping\",\"timestamp\":3}");
      assertEquals("pong", json(bystander.readTextOrClose().text()).getString("type"));
    }
  }

  @Test
  void aClientThatOffersNothingGetsPlainFrames() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(server.uri("ws", "/ws"))) {
      assertNull(ws.handshakeHeader("Sec-WebSocket-Extensions"));
      RawWebSocket.Frame hello = ws.readTextOrClose();
      assertFalse(hello.rsv1());
      assertEquals("system", json(hello.text()).getString("type"));
    }
  }

  @Test
  void chromiumNegotiatesItAndTheTestPageSaysSo() throws Exception {
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      WebDriver driver = chromium.driver();
      driver.get(server.uri("http", "/robust-websocket-test.html").toString());
      driver.findElement(By.id("connect")).click();
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
      wait.until(d -> "connected".equals(d.findElement(By.id("state-word")).getText().trim()));
      wait.until(d -> !d.findElement(By.id("compression")).getText().isBlank());
      assertEquals(
          "true",
          driver.findElement(By.id("compression")).getDomAttribute("data-negotiated"),
          driver.findElement(By.id("compression")).getText());
      driver.findElement(By.id("send-ping")).click();
      wait.until(d -> d.findElement(By.id("latency-last")).getText().trim().matches("\\d+ ms"));
    }
  }

  private static byte[] deflate(String text) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buffer, 0, n);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    assertTrue(Arrays.equals(TAIL, Arrays.copyOfRange(all, all.length - 4, all.length)));
    return Arrays.copyOf(all, all.length - 4);
  }

  private static String inflate(Inflater inflater, RawWebSocket.Frame frame)
      throws DataFormatException {
    assertTrue(frame.rsv1(), "not compressed: " + frame.text());
    byte[] payload = frame.payload();
    byte[] input = Arrays.copyOf(payload, payload.length + TAIL.length);
    System.arraycopy(TAIL, 0, input, payload.length, TAIL.length);
    inflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = inflater.inflate(buffer)) > 0) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
