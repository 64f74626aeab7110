package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames that break RFC 6455, sent on {@code /ws} by a raw client. For each, the server (Undertow
 * under the endpoint) must fail the connection the way RFC 6455 section 7.1.7 asks: a close frame
 * with 1002 (protocol error) or 1007 (invalid payload data), then the end of the TCP connection;
 * never a hang, never a silent drop. A well-behaved client connected at the same time must not
 * notice anything.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadFramesIT {
  private static final int PROTOCOL_ERROR = 1002;
  private static final int INVALID_PAYLOAD = 1007;
  private static final int TOO_BIG = 1009;
  private static final int FIN = 0x80;
  private static final int RSV1 = 0x40;
  private static final int RSV2 = 0x20;
  private static final int RSV3 = 0x10;
  private static final int CONTINUATION = 0x0;
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
  private static final byte[] PING_JSON = utf8("{\"type\":\"ping\",\"timestamp\":1}");
  private static final ClientManager CONTAINER = ClientManager.createClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void unmaskedClientFrame() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.TEXT, false, PING_JSON));
  }

  @Test
  void reservedBitOneWithoutAnExtension() throws Exception {
    assertFailsWith(
        PROTOCOL_ERROR, ws -> ws.frame(FIN | RSV1 | RawWebSocket.TEXT, true, PING_JSON));
  }

  @Test
  void reservedBitsTwoAndThree() throws Exception {
    assertFailsWith(
        PROTOCOL_ERROR, ws -> ws.frame(FIN | RSV2 | RSV3 | RawWebSocket.TEXT, true, PING_JSON));
  }

  @Test
  void reservedDataOpcode3() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | 0x3, true, PING_JSON));
  }

  @Test
  void reservedControlOpcodeB() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | 0xB, true, new byte[0]));
  }

  @Test
  void invalidUtf8InATextFrame() throws Exception {
    byte[] payload = {'{', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
    assertFailsWith(INVALID_PAYLOAD, ws -> ws.frame(FIN | RawWebSocket.TEXT, true, payload));
  }

  @Test
  void controlFrameWithMoreThan125BytesOfPayload() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.PING, true, new byte[126]));
  }

  @Test
  void fragmentedControlFrame() throws Exception {
    assertFailsWith(
        PROTOCOL_ERROR,
        ws ->
            concat(
                ws.frame(RawWebSocket.PING, true, utf8("ab")),
                ws.frame(FIN | CONTINUATION, true, utf8("cd"))));
  }

  @Test
  void closeWithCode1005() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.CLOSE, true, code(1005)));
  }

  @Test
  void closeWithCode999() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.CLOSE, true, code(999)));
  }

  @Test
  void closeWithCode5000() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.CLOSE, true, code(5000)));
  }

  @Test
  void closeWithAOneBytePayload() throws Exception {
    assertFailsWith(
        PROTOCOL_ERROR, ws -> ws.frame(FIN | RawWebSocket.CLOSE, true, new byte[] {0x03}));
  }

  @Test
  void continuationWithoutAStart() throws Exception {
    assertFailsWith(PROTOCOL_ERROR, ws -> ws.frame(FIN | CONTINUATION, true, PING_JSON));
  }

  @Test
  void newDataFrameInTheMiddleOfAFragmentedMessage() throws Exception {
    assertFailsWith(
        PROTOCOL_ERROR,
        ws ->
            concat(
                ws.frame(RawWebSocket.TEXT, true, utf8("{\"type\":")),
                ws.frame(FIN | RawWebSocket.TEXT, true, PING_JSON)));
  }

  @Test
  void aHeaderAnnouncingTwoToTheFortyBytesIsRefusedWith1009AtOnce() throws Exception {
    // the length alone, with its mask and no payload: the server must not wait for 1 TiB
    byte[] header = {(byte) (FIN | RawWebSocket.TEXT), (byte) (0x80 | 127), 0, 0, 1, 0, 0, 0, 0, 0};
    assertFailsWith(TOO_BIG, ws -> concat(header, new byte[] {1, 2, 3, 4}));
  }

  @Test
  void aSixtyFourBitLengthWithItsTopBitSetIsAProtocolError() throws Exception {
    byte[] header = {
      (byte) (FIN | RawWebSocket.TEXT), (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 5
    };
    assertFailsWith(PROTOCOL_ERROR, ws -> concat(header, new byte[] {1, 2, 3, 4}));
  }

  @Test
  void anOversizedHeaderRightAfterAValidFrameIsFound() throws Exception {
    // one write: the check follows the valid frame's length to the next header. (The valid
    // frame's answer may be lost: failing a connection does not wait for pending replies.)
    byte[] big = {(byte) (FIN | RawWebSocket.TEXT), (byte) (0x80 | 127), 0, 0, 0, 1, 0, 0, 0, 0};
    assertFailsWith(
        TOO_BIG, ws -> concat(ws.frame(FIN | RawWebSocket.TEXT, true, utf8("€".repeat(50))), big));
  }

  /** Bad bytes to send, built for one connection. */
  @FunctionalInterface
  private interface BadFrames {
    byte[] build(RawWebSocket ws) throws IOException;
  }

  /**
   * Connects a bystander and a raw client, sends the bad frames, and asserts that the server
   * answers with a close frame carrying {@code expected}, then ends the TCP connection, while the
   * bystander still gets its pong.
   */
  private void assertFailsWith(int expected, BadFrames bad) throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    try (TestClient bystander = TestClient.connect(CONTAINER, uri);
        RawWebSocket ws = RawWebSocket.connect(uri)) {
      bystander.next("system");
      assertEquals("system", json(ws.readTextOrClose().text()).getString("type"));
      ws.setTimeout(ANSWER_WITHIN);
      Scrape before = Scrape.fetch();

      ws.sendRaw(bad.build(ws));

      RawWebSocket.Frame close;
      try {
        close = ws.readUntilClose();
      } catch (EOFException e) {
        throw new AssertionError("the server dropped the TCP connection without a close frame", e);
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "no close frame within " + ANSWER_WITHIN + ": the server hangs", e);
      }
      assertEquals(expected, close.closeCode(), "close code; reason: " + reason(close));
      assertTrue(ws.peerClosesTcp(), "the server ends the TCP connection after its close frame");
      assertCountedAs(expected, before);

      bystander.send("{\"type\":\"ping\",\"timestamp\":42}");
      JsonObject pong = bystander.next("pong");
      assertEquals(42, pong.getInt("timestamp"), "the bystander keeps working");
      if (bystander.closed.isDone()) {
        fail("the bystander was closed: " + bystander.closed.get());
      }
    }
  }

  /**
   * The server counts the close with the code the client received, not as 1006: only a peer that
   * vanished without a close frame is an abnormal closure.
   */
  private static void assertCountedAs(int code, Scrape before) throws Exception {
    String sent = "code=\"" + code + "\",endpoint=\"ws\"";
    String abnormal = "code=\"1006\",endpoint=\"ws\"";
    String name = "ws_connections_closed_total";
    long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
    Scrape after = Scrape.fetch();
    while (after.value(name, sent) < before.value(name, sent) + 1 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      after = Scrape.fetch();
    }
    assertEquals(
        before.value(name, sent) + 1, after.value(name, sent), "closes counted with " + code);
    assertEquals(
        before.value(name, abnormal), after.value(name, abnormal), "closes counted with 1006");
  }

  private static String reason(RawWebSocket.Frame close) {
    byte[] payload = close.payload();
    return payload.length > 2
        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
        : "(none)";
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }

  private static byte[] code(int code) {
    return ByteBuffer.allocate(2).putShort((short) code).array();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
