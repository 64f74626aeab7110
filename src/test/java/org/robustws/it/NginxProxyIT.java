package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Behind nginx with {@code proxy_read_timeout 10s} (the snippet of docs/deployment.md), idle
 * clients of both endpoints survive 60 s because the server's heartbeat pings (every 1 s on the
 * test server) keep the proxy's timer from firing. A control shows that the same snippet does cut a
 * WebSocket whose upstream stays silent: a fake upstream that accepts the upgrade and then never
 * sends a frame.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class NginxProxyIT {
  private static final int SERVER_PORT = 8080;
  private static final int CLIENTS_PER_KIND = 5; // x {Tyrus, JDK} x {/ws, /ws-legacy} = 20
  private static final Duration HOLD = Duration.ofSeconds(60);
  private static final Duration PROXY_READ_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static NginxProxy proxy;
  private static NginxProxy controlProxy;
  private static SilentUpstream silentUpstream;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @BeforeAll
  static void startProxies() throws Exception {
    proxy = NginxProxy.start("ws", SERVER_PORT);
    silentUpstream = new SilentUpstream();
    controlProxy = NginxProxy.start("control", silentUpstream.port());
  }

  @AfterAll
  static void stopProxies() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (controlProxy != null) {
      controlProxy.close();
    }
    if (silentUpstream != null) {
      silentUpstream.close();
    }
  }

  @Test
  void heartbeatsKeepIdleClientsOfBothEndpointsAliveBehindTheProxy() throws Exception {
    CountDownLatch dropped = new CountDownLatch(1);
    List<String> drops = new ArrayList<>();
    ClientManager tyrus = ClientManager.createClient();
    List<TestClient> tyrusWs = new ArrayList<>();
    List<TestClient> tyrusLegacy = new ArrayList<>();
    List<JdkClient> jdkWs = new ArrayList<>();
    List<JdkClient> jdkLegacy = new ArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    try {
      for (int i = 0; i < CLIENTS_PER_KIND; i++) {
        TestClient ws = TestClient.connect(tyrus, proxied("/ws"));
        ws.next("system");
        watch(ws, "tyrus /ws " + i, drops, dropped);
        tyrusWs.add(ws);
        TestClient legacy = TestClient.connect(tyrus, proxied("/ws-legacy"));
        watch(legacy, "tyrus /ws-legacy " + i, drops, dropped);
        tyrusLegacy.add(legacy);
        jdkWs.add(JdkClient.connect(http, proxied("/ws"), "jdk /ws " + i, drops, dropped));
        jdkLegacy.add(
            JdkClient.connect(http, proxied("/ws-legacy"), "jdk /ws-legacy " + i, drops, dropped));
      }
      for (JdkClient client : jdkWs) {
        assertEquals("system", json(client.nextText()).getString("type"));
      }

      // The control runs during the hold: a WebSocket through the same snippet whose upstream
      // accepted the upgrade and then stays silent.
      CompletableFuture<Duration> controlCut =
          CompletableFuture.supplyAsync(NginxProxyIT::idleUntilTheProxyCuts);

      // Nobody sends anything now; only the server's pings and the clients' pongs flow.
      // The latch falls only if a client is disconnected, failing the test at once.
      assertFalse(
          dropped.await(HOLD.toMillis(), TimeUnit.MILLISECONDS),
          "disconnected during the idle hold: " + drops + "\nnginx: " + proxy.errorLog());

      Duration cut = controlCut.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      String forwarded = silentUpstream.requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(forwarded != null, "the control request reached the fake upstream");
      for (String header :
          List.of("upgrade: websocket", "connection: upgrade", "x-forwarded-for: 127.0.0.1")) {
        assertTrue(forwarded.contains(header + "\r\n"), header + " in " + forwarded);
      }
      assertTrue(
          cut.compareTo(PROXY_READ_TIMEOUT.minusSeconds(1)) >= 0
              && cut.compareTo(PROXY_READ_TIMEOUT.plusSeconds(5)) <= 0,
          "the proxy cut the silent control connection after " + cut.toMillis() + " ms");

      for (JdkClient client : jdkWs) {
        assertTrue(client.pings.get() >= 30, client.name + " got only " + client.pings + " pings");
      }
      for (JdkClient client : jdkLegacy) {
        assertTrue(client.pings.get() >= 30, client.name + " got only " + client.pings + " pings");
      }

      // Messages still flow both ways through the proxy.
      for (TestClient client : tyrusWs) {
        client.send("{\"type\":\"ping\",\"timestamp\":60}");
        assertEquals(60, client.next("pong").getInt("timestamp"));
      }
      for (TestClient client : tyrusLegacy) {
        client.send("still here");
        assertEchoed("still here", client.texts);
      }
      for (JdkClient client : jdkWs) {
        client.socket.sendText("{\"type\":\"echo\",\"payload\":\"after the hold\"}", true).join();
        assertEchoed(
            "{\"type\":\"echo\",\"payload\":\"after the hold\"}", client.texts, "type\":\"echo");
      }
      for (JdkClient client : jdkLegacy) {
        client.socket.sendText("jdk still here", true).join();
        assertEchoed("jdk still here", client.texts);
      }
      assertEquals(List.of(), drops);
    } finally {
      for (TestClient client : tyrusWs) {
        client.close();
      }
      for (TestClient client : tyrusLegacy) {
        client.close();
      }
      for (JdkClient client : jdkWs) {
        client.close();
      }
      for (JdkClient client : jdkLegacy) {
        client.close();
      }
    }
  }

  private static URI proxied(String path) {
    return URI.create("ws://127.0.0.1:" + proxy.port() + path);
  }

  private static void watch(
      TestClient client, String name, List<String> drops, CountDownLatch dropped) {
    client.closed.thenAccept(
        reason -> {
          synchronized (drops) {
            drops.add(name + ": " + reason.getCloseCode().getCode() + " " + reason);
          }
          dropped.countDown();
        });
  }

  /** Opens a WebSocket through the control proxy, sends nothing, and times until it is cut. */
  private static Duration idleUntilTheProxyCuts() {
    try (RawWebSocket ws =
        RawWebSocket.connect(URI.create("ws://127.0.0.1:" + controlProxy.port() + "/ws"))) {
      ws.setTimeout(PROXY_READ_TIMEOUT.plus(WAIT));
      long start = System.nanoTime();
      assertThrows(EOFException.class, ws::readFrame, "the silent upstream sent a frame");
      return Duration.ofNanos(System.nanoTime() - start);
    } catch (IOException e) {
      throw new AssertionError("control connection through " + controlProxy.errorLog(), e);
    }
  }

  /** Skips other frames (heartbeats, pongs) until {@code expected} comes back. */
  private static void assertEchoed(String expected, BlockingQueue<String> texts)
      throws InterruptedException {
    assertEchoed(expected, texts, null);
  }

  private static void assertEchoed(String expected, BlockingQueue<String> texts, String marker)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = texts.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (text == null) {
        break;
      }
      if (marker == null ? text.equals(expected) : text.contains(marker)) {
        if (marker != null) {
          assertEquals(json(expected), json(text));
        }
        return;
      }
    }
    throw new AssertionError("'" + expected + "' did not come back within " + WAIT);
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }

  /** A JDK WebSocket client that counts the pings it gets and queues whole text messages. */
  private static final class JdkClient implements WebSocket.Listener {
    final String name;
    final AtomicInteger pings = new AtomicInteger();
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final List<String> drops;
    private final CountDownLatch dropped;
    WebSocket socket;

    private JdkClient(String name, List<String> drops, CountDownLatch dropped) {
      this.name = name;
      this.drops = drops;
      this.dropped = dropped;
    }

    static JdkClient connect(
        HttpClient http, URI uri, String name, List<String> drops, CountDownLatch dropped)
        throws Exception {
      JdkClient client = new JdkClient(name, drops, dropped);
      client.socket =
          http.newWebSocketBuilder()
              .buildAsync(uri, client)
              .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return client;
    }

    String nextText() throws InterruptedException {
      String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        throw new AssertionError(name + ": no message within " + WAIT);
      }
      return text;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet(); // the default answers with a pong and requests the next frame
      return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
      drop(code + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      drop(error.toString());
    }

    private void drop(String what) {
      synchronized (drops) {
        drops.add(name + ": " + what);
      }
      dropped.countDown();
    }

    void close() {
      if (!socket.isOutputClosed()) {
        socket
            .sendClose(WebSocket.NORMAL_CLOSURE, "done")
            .completeOnTimeout(null, WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .join();
      }
    }
  }

  /**
   * A fake WebSocket server: it accepts the upgrade (status 101) and then never sends anything, so
   * the only thing that can end a connection through the proxy is the proxy's read timeout.
   */
  private static final class SilentUpstream implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> accepted = new ArrayList<>();

    /** The request headers of each upgrade, as the proxy forwarded them (lower case). */
    final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

    SilentUpstream() throws IOException {
      threads.execute(this::acceptLoop);
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          synchronized (accepted) {
            accepted.add(socket);
          }
          threads.execute(() -> upgradeAndStaySilent(socket));
        } catch (IOException closed) {
          return; // close() ends the loop
        }
      }
    }

    private void upgradeAndStaySilent(Socket socket) {
      try {
        InputStream in = socket.getInputStream();
        String headers = RawWebSocket.readHead(in);
        requests.add(headers.toLowerCase(Locale.ROOT));
        String key =
            headers
                .lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElseThrow();
        String accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest(
                            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                .getBytes(StandardCharsets.US_ASCII)));
        OutputStream out = socket.getOutputStream();
        out.write(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: "
                    + accept
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        while (in.read() >= 0) {
          // read and ignore until the proxy closes
        }
      } catch (Exception e) {
        // the proxy or close() ended the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (accepted) {
        for (Socket socket : accepted) {
          socket.close();
        }
      }
      threads.shutdownNow();
    }
  }
}
