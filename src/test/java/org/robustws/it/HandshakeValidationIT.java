package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Handshakes RFC 6455 section 4.2.1 does not allow, sent as raw bytes: each is refused before the
 * upgrade with the status section 4.2.2 and 4.4 name and the JSON body of the other refusals, or,
 * for request headers above the listener's 16 KiB {@code max-header-size}, with Undertow's 400 and
 * the end of the connection.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HandshakeValidationIT {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[16]);

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void aValidHandshakeIsUpgraded() throws Exception {
    Answer answer = send(handshake("/ws", KEY, "13", ""));
    assertEquals(101, answer.status(), answer.text());
    assertTrue(answer.header("sec-websocket-accept") != null, answer.text());
  }

  @Test
  void aKeyThatIsNotSixteenBytesIs400() throws Exception {
    String fifteen = Base64.getEncoder().encodeToString(new byte[15]);
    for (String key : new String[] {"abc", fifteen, "not base64 at all!!!!!!="}) {
      assertRefused(send(handshake("/ws", key, "13", "")), 400, "bad_handshake");
    }
    assertRefused(send(handshake("/ws-legacy", "abc", "13", "")), 400, "bad_handshake");
  }

  @Test
  void aMissingKeyIs400() throws Exception {
    assertRefused(send(handshake("/ws", null, "13", "")), 400, "bad_handshake");
  }

  /** docs/protocol.md section 1: not {@code GET}, or no {@code Upgrade} token in Connection. */
  @Test
  void aHandshakeThatIsNotAGetOrHasNoUpgradeTokenInConnectionIs400() throws Exception {
    for (String method : new String[] {"POST", "PUT"}) {
      String post =
          handshake("/ws", KEY, "13", "Content-Length: 0\r\n").replaceFirst("GET", method);
      Answer answer = send(post);
      assertRefused(answer, 400, "bad_handshake");
      assertTrue(answer.text().contains("GET request"), answer.text());
    }
    for (String connection : new String[] {"keep-alive", "close", "Upgrades"}) {
      for (String path : new String[] {"/ws", "/ws-legacy"}) {
        String request =
            handshake(path, KEY, "13", "")
                .replace("Connection: Upgrade", "Connection: " + connection);
        Answer answer = send(request);
        assertRefused(answer, 400, "bad_handshake");
        assertTrue(answer.text().contains("Connection header"), answer.text());
      }
    }
    // the token may stand among others, in any case
    String listed =
        handshake("/ws", KEY, "13", "")
            .replace("Connection: Upgrade", "Connection: keep-alive, upgrade");
    assertEquals(101, send(listed).status());
  }

  @Test
  void anotherVersionIs426WithVersion13() throws Exception {
    for (String version : new String[] {"12", "8", null}) {
      Answer answer = send(handshake("/ws", KEY, version, ""));
      assertRefused(answer, 426, "unsupported_version");
      assertEquals("13", answer.header("sec-websocket-version"), answer.text());
    }
  }

  @Test
  void headersAboveSixteenKibAre400AndTheConnectionIsClosed() throws Exception {
    String pad = "X-Pad: " + "a".repeat(16 * 1024) + "\r\n";
    Answer answer = send(handshake("/ws", KEY, "13", pad), true);
    assertEquals(400, answer.status(), answer.text());
    assertTrue(answer.closed(), "the server closes the connection: " + answer.text());
  }

  @Test
  void headersJustUnderSixteenKibAreStillUpgraded() throws Exception {
    String pad = "X-Pad: " + "a".repeat(15 * 1024) + "\r\n"; // and ~250 bytes of the rest
    assertTrue(handshake("/ws", KEY, "13", pad).length() < 16 * 1024);
    assertEquals(101, send(handshake("/ws", KEY, "13", pad)).status());
  }

  /**
   * Frames sent in the same packet as the handshake arrive with it: they too pass the frame-length
   * check (the server reads them before the socket's next bytes).
   */
  @Test
  void anOversizedFrameSentWithTheHandshakeIsRefusedWith1009() throws Exception {
    byte[] request = handshake("/ws", KEY, "13", "").getBytes(StandardCharsets.US_ASCII);
    byte[] big = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
      socket.setSoTimeout(5_000);
      byte[] both = Arrays.copyOf(request, request.length + big.length);
      System.arraycopy(big, 0, both, request.length, big.length);
      socket.getOutputStream().write(both);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String head = RawWebSocket.readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      int code = 0;
      while (code == 0) { // skip the server's text frames (system/connected) up to its close
        int opcode = in.readUnsignedByte() & 0x0F;
        int length = in.readUnsignedByte() & 0x7F;
        if (length == 126) {
          length = in.readUnsignedShort();
        }
        byte[] payload = in.readNBytes(length);
        if (opcode == 0x8) {
          code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
      }
      assertEquals(1009, code);
    }
  }

  private static void assertRefused(Answer answer, int status, String error) {
    assertEquals(status, answer.status(), answer.text());
    assertTrue(
        answer.text().contains("{\"error\":\"" + error + "\""), "JSON body: " + answer.text());
    assertTrue(
        answer.header("content-type").startsWith("application/json"), "type: " + answer.text());
  }

  private String handshake(String path, String key, String version, String extra) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: "
        + base.getHost()
        + ":"
        + base.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + (key == null ? "" : "Sec-WebSocket-Key: " + key + "\r\n")
        + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
        + extra
        + "\r\n";
  }

  /** What the server answered, and whether it then closed the connection within 5 s. */
  private record Answer(int status, String text, boolean closed) {
    String header(String name) {
      return text.lines()
          .filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name + ":"))
          .map(l -> l.substring(name.length() + 1).trim())
          .findFirst()
          .orElse(null);
    }
  }

  private Answer send(String request) throws IOException {
    return send(request, false);
  }

  /**
   * Sends a request and reads the answer's head and body; with {@code awaitClose}, also whether the
   * server then closes the connection. A server that stops reading a request too large may reset
   * the connection before its answer is read: that counts as status 0, closed.
   */
  private Answer send(String request, boolean awaitClose) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
      socket.setSoTimeout(5_000);
      InputStream in = socket.getInputStream();
      try {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      } catch (SocketException reset) {
        return new Answer(0, "reset while sending: " + reset, true);
      }
      String text = RawWebSocket.readHead(in);
      if (!text.startsWith("HTTP/1.1 ")) {
        throw new IOException("no HTTP answer: " + text);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      String length = new Answer(status, text, false).header("content-length");
      if (length != null) {
        byte[] body = in.readNBytes(Integer.parseInt(length));
        text += new String(body, StandardCharsets.UTF_8);
      }
      return new Answer(status, text, awaitClose && closes(in));
    }
  }

  private static boolean closes(InputStream in) throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketException reset) {
      return true;
    } catch (java.net.SocketTimeoutException open) {
      return false;
    }
  }
}
