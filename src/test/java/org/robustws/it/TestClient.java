package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;

/** A Tyrus client that queues what it receives, for tests to take with a timeout. */
final class TestClient extends Endpoint implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  final BlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
  final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
  private Session session;

  static TestClient connect(ClientManager container, URI uri) throws Exception {
    return connect(container, uri, ClientEndpointConfig.Builder.create().build());
  }

  static TestClient connect(ClientManager container, URI uri, ClientEndpointConfig config)
      throws Exception {
    TestClient client = new TestClient();
    container.connectToServer(client, config, uri);
    return client;
  }

  /** A handshake that claims, through a trusted proxy, to come from {@code address}. */
  static ClientEndpointConfig forwardedFor(String address) {
    return withHeader("X-Forwarded-For", address);
  }

  /** A handshake with one more header, e.g. {@code Authorization}. */
  static ClientEndpointConfig withHeader(String name, String value) {
    return ClientEndpointConfig.Builder.create()
        .configurator(
            new ClientEndpointConfig.Configurator() {
              @Override
              public void beforeRequest(java.util.Map<String, java.util.List<String>> headers) {
                headers.put(name, java.util.List.of(value));
              }
            })
        .build();
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    this.session = session;
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) texts::add);
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) binaries::add);
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    closed.complete(reason);
  }

  void send(String text) throws Exception {
    session.getBasicRemote().sendText(text);
  }

  /**
   * Sends a message the server answers by closing the connection. The server may read it and close
   * before the client library has finished sending (Tyrus then fails the send, its session being
   * closed): the close code the caller checks next tells what happened.
   */
  void sendExpectingClose(String text) throws Exception {
    try {
      send(text);
    } catch (RuntimeException | IOException closedMeanwhile) {
      if (session.isOpen()) {
        throw closedMeanwhile;
      }
    }
  }

  /**
   * Sends {@code auth} with {@code jwt} and waits for its {@code authenticated}.
   *
   * @return the {@code authenticated} answer
   */
  JsonObject authenticate(String jwt) throws Exception {
    send(Json.createObjectBuilder().add("type", "auth").add("token", jwt).build().toString());
    return next("authenticated");
  }

  void sendBinary(ByteBuffer data) throws Exception {
    session.getBasicRemote().sendBinary(data);
  }

  Session session() {
    return session;
  }

  /** The next text frame, failing the test if none comes in time. */
  String nextText() throws InterruptedException {
    String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(text, "no message within " + WAIT);
    return text;
  }

  JsonObject next() throws InterruptedException {
    return Json.createReader(new StringReader(nextText())).readObject();
  }

  /** Skips frames of other types (heartbeats, events) until one of {@code type}. */
  JsonObject next(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = texts.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (text == null) {
        break;
      }
      JsonObject message = Json.createReader(new StringReader(text)).readObject();
      if (type.equals(message.getString("type", ""))) {
        return message;
      }
    }
    throw new AssertionError("no '" + type + "' message within " + WAIT);
  }

  /** Whether the connection has closed (without waiting). */
  boolean isClosed() {
    return closed.isDone();
  }

  int closeCode() throws Exception {
    return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getCloseCode().getCode();
  }

  @Override
  public void close() throws Exception {
    if (session != null && session.isOpen()) {
      session.close();
    }
  }
}
