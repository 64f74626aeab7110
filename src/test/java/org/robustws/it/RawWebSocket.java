package org.robustws.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket, for what real clients cannot be told to do: never answer
 * pings, or vanish without a close frame. Reads and writes frames by RFC 6455.
 */
final class RawWebSocket implements AutoCloseable {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** One frame as received; {@code rsv1} marks a compressed message (permessage-deflate). */
  record Frame(int opcode, boolean rsv1, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ByteBuffer.wrap(payload).getShort() & 0xFFFF : 1005;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final SecureRandom random = new SecureRandom();

  /** The server's answer to the handshake, status line and headers. */
  private String handshakeAnswer;

  /** Whether to answer pings with pongs like a live client; false plays a dead one. */
  boolean answerPings = true;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static RawWebSocket connect(URI uri) throws IOException {
    return connect(uri, "");
  }

  /**
   * @param extraHeaders more request header lines, each ending in CRLF
   */
  static RawWebSocket connect(URI uri, String extraHeaders) throws IOException {
    return connect(uri, extraHeaders, 0);
  }

  /**
   * @param receiveBufferBytes the socket's receive buffer, small to play a client that reads
   *     slowly; 0 for the system's default
   */
  static RawWebSocket connect(URI uri, String extraHeaders, int receiveBufferBytes)
      throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout(15_000);
    RawWebSocket ws = new RawWebSocket(socket);
    byte[] key = new byte[16];
    ws.random.nextBytes(key);
    String request =
        "GET "
            + uri.getPath()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + extraHeaders
            + "\r\n";
    ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    ws.handshakeAnswer = readHead(ws.in);
    String status = ws.handshakeAnswer.substring(0, ws.handshakeAnswer.indexOf("\r\n"));
    if (!status.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("handshake refused: " + ws.handshakeAnswer); // status line first
    }
    return ws;
  }

  /** The value of a header of the handshake's answer (case-insensitive name), or null. */
  String handshakeHeader(String name) {
    for (String line : handshakeAnswer.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** An HTTP request's or answer's head, up to and with its empty line. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed in the HTTP head: " + head);
      }
      head.write(b);
      matched = "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  void sendText(String text) throws IOException {
    sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a masked frame with FIN set, as a client must. */
  void sendFrame(int opcode, byte[] payload) throws IOException {
    sendRaw(frame(0x80 | opcode, true, payload));
  }

  /**
   * One frame's bytes, built as told even where RFC 6455 forbids it.
   *
   * @param firstByte FIN, RSV1-3 and the opcode, as they go on the wire
   * @param masked whether to mask the payload (clients must)
   */
  byte[] frame(int firstByte, boolean masked, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      frame.write(maskBit | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(maskBit | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(maskBit | 127);
      frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
    }
    if (!masked) {
      frame.writeBytes(payload);
      return frame.toByteArray();
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  /** Writes bytes as they are: one or several frames, well-formed or not. */
  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    return new Frame(first & 0x0F, (first & 0x40) != 0, payload);
  }

  /** The next text or close frame; pings are answered only if {@link #answerPings} is set. */
  Frame readTextOrClose() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == TEXT || frame.opcode() == CLOSE) {
        return frame;
      }
      if (frame.opcode() == PING && answerPings) {
        sendFrame(PONG, frame.payload());
      }
    }
  }

  /**
   * Reads until the peer's close frame, answering pings (if {@link #answerPings}) and skipping
   * other frames.
   *
   * @throws EOFException if the TCP connection ended without a close frame
   * @throws SocketTimeoutException if nothing came for the socket timeout
   */
  Frame readUntilClose() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == CLOSE) {
        return frame;
      }
      if (frame.opcode() == PING && answerPings) {
        sendFrame(PONG, frame.payload());
      }
    }
  }

  /** Whether the peer ends the TCP connection (FIN or reset) before the socket timeout. */
  boolean peerClosesTcp() throws IOException {
    try {
      while (in.read() >= 0) {
        // skip whatever is left
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  void setTimeout(Duration timeout) throws IOException {
    socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
  }

  /** Drops the TCP connection with a reset: no close frame, no FIN handshake. */
  void cut() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
