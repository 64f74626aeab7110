package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A server STOP (SIGTERM to the JVM, as a service manager or a container runtime sends it), not an
 * undeploy: all 300 clients get {@code system/shutdown} (on /ws) and then close code 1012; none
 * sees 1006 or 1001. Then the server starts again on its data, and 20 subscribers resume their
 * sessions with every event once, those published while it was down included.
 *
 * <p>The other ITs share one Arquillian-managed WildFly, which must not be stopped under them, so
 * this test runs its own copy of the provisioned server ({@code target/stop-server}, port offset
 * 200: HTTP 8280, management 10190) with the built WAR in its deployments folder, and stops it.
 *
 * <p>A server stop is not an undeploy: WildFly first suspends the server, and the Undertow
 * subsystem's suspend step closes every WebSocket with a bare 1001. The app's {@code SuspendHook}
 * runs in the earlier prepare step of the suspend, which is what this test guards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GracefulStopIT {
  private static final int OFFSET = 200;
  private static final int HTTP_PORT = 8080 + OFFSET;
  private static final int CLIENTS = 300;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private static StandaloneServer server;
  private static final List<TestClient> clients = new ArrayList<>();
  private static final URI WS = URI.create("ws://127.0.0.1:" + HTTP_PORT + "/ws");
  private static final List<StreamSubscriber> subscribers = new ArrayList<>();

  @BeforeAll
  static void startAServerOfItsOwn() throws Exception {
    // this server also shows that WS_LOG_LEVEL=DEBUG logs every message in and out
    server = StandaloneServer.prepare("stop-server", OFFSET, Map.of("WS_LOG_LEVEL", "DEBUG"));
    server.start();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (AutoCloseable client : Stream.concat(clients.stream(), subscribers.stream()).toList()) {
      try {
        client.close();
      } catch (Exception e) {
        // already closed by the server: nothing left to release
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(2) // stops the server
  void sigtermClosesAllThreeHundredClientsWith1012AfterAShutdownMessage() throws Exception {
    ClientManager container = ClientManager.createClient();
    // One transport (selector and worker threads) for all 300 connections.
    container.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
    List<Boolean> legacy = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      boolean isLegacy = i % 3 == 0;
      TestClient client =
          TestClient.connect(
              container,
              URI.create("ws://127.0.0.1:" + HTTP_PORT + (isLegacy ? "/ws-legacy" : "/ws")));
      clients.add(client);
      legacy.add(isLegacy);
      if (!isLegacy) {
        assertEquals("connected", client.next("system").getString("event"));
      }
    }

    // and 20 subscribers of two channels, which resume after the restart (the next test)
    for (int i = 0; i < 20; i++) {
      subscribers.add(
          StreamSubscriber.subscribe(
              container, WS, "subscriber " + i, i % 2 == 1, "stop.a", "stop.b"));
    }
    RedeployIT.publish(container, WS, "stop.a", "stop.b", 1, 5);
    for (StreamSubscriber subscriber : subscribers) {
      subscriber.readUntil(10);
    }

    ProcessHandle jvm = server.jvm();
    assertTrue(jvm.destroy(), "SIGTERM to the server JVM " + jvm.pid());

    // Every client closes within the drain time (5 s) plus margin, or the test reports which not.
    CompletableFuture<?>[] closes =
        clients.stream().map(c -> c.closed).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(closes).get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // counted below as "no close"
    }
    Map<String, Integer> codes = new TreeMap<>();
    int shutdownMessages = 0;
    List<String> badDelays = new ArrayList<>();
    List<String> toLegacy = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      TestClient client = clients.get(i);
      if (!legacy.get(i)) {
        JsonObject shutdown = nextSystem(client);
        if (shutdown != null && "shutdown".equals(shutdown.getString("event", ""))) {
          shutdownMessages++;
          long after = shutdown.getJsonNumber("reconnectAfter").longValue();
          if (after < 500 || after > 5_000) {
            badDelays.add("client " + i + ": reconnectAfter " + after);
          }
        }
      } else {
        for (String text = client.texts.poll(); text != null; text = client.texts.poll()) {
          if (!text.startsWith("{\"type\":\"heartbeat\"")) {
            toLegacy.add("client " + i + ": " + text); // the 1012 alone, no system/shutdown
          }
        }
      }
      CloseReason reason = client.closed.getNow(null);
      String code = reason == null ? "no close" : String.valueOf(reason.getCloseCode().getCode());
      codes.merge(code, 1, Integer::sum);
    }
    assertTrue(
        jvm.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS) != null,
        "the server JVM ends after SIGTERM");

    String summary =
        "close codes seen (code=clients): "
            + codes
            + "; system/shutdown received by "
            + shutdownMessages
            + " of "
            + (CLIENTS - CLIENTS / 3)
            + " /ws clients; server log: "
            + server.serverLog();
    assertEquals(Map.of("1012", CLIENTS), codes, summary);
    assertEquals(CLIENTS - CLIENTS / 3, shutdownMessages, summary);
    assertEquals(List.of(), badDelays, summary);
    assertEquals(List.of(), toLegacy, summary);
    for (StreamSubscriber subscriber : subscribers) {
      assertEquals(1012, subscriber.closeCode(), subscriber.name);
    }
  }

  /**
   * The server starts again on the same data (standalone/data/infinispan/ws): the sessions of the
   * subscribers and the channel streams survived, so each subscriber resumes and gets the events
   * published since the restart, after those it had, each once and in order, whether it sends only
   * {@code lastSeq} or its positions too.
   */
  @Test
  @Order(3)
  void afterARestartEverySubscriberResumesWithNothingLost() throws Exception {
    server.start();
    ClientManager container = ClientManager.createClient();
    RedeployIT.publish(container, WS, "stop.a", "stop.b", 6, 10);
    List<Integer> all = java.util.stream.IntStream.rangeClosed(1, 10).boxed().toList();
    for (StreamSubscriber subscriber : subscribers) {
      assertEquals(10, subscriber.resume(container, WS), subscriber.name + " replayed");
      assertEquals(Map.of("stop.a", all, "stop.b", all), subscriber.received, subscriber.name);
    }
  }

  @Test
  @Order(1)
  void debugLevelFromTheEnvironmentLogsEveryMessageWithItsFields() throws Exception {
    try (TestClient client =
        TestClient.connect(
            ClientManager.createClient(), URI.create("ws://127.0.0.1:" + HTTP_PORT + "/ws"))) {
      String id = client.next("system").getString("clientId");
      client.send("{\"type\":\"ping\",\"timestamp\":7}");
      client.next("pong");
      // the log handler is asynchronous: wait (bounded) until the lines of both pings are written
      Path log = server.serverLog();
      List<JsonObject> lines = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        lines =
            Files.readAllLines(log).stream()
                .filter(line -> line.startsWith("{") && line.contains(id))
                .map(line -> Json.createReader(new StringReader(line)).readObject())
                .toList();
        List<String> seen =
            lines.stream().map(l -> l.getJsonObject("mdc").getString("event", "")).toList();
        if (seen.contains("RWS0010") && seen.stream().filter("RWS0011"::equals).count() >= 2) {
          break; // the ping in, the connected frame and the pong out
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      List<String> events =
          lines.stream().map(l -> l.getJsonObject("mdc").getString("event", "")).toList();
      assertTrue(events.contains("RWS0010"), "message in logged at DEBUG: " + events);
      assertTrue(events.contains("RWS0011"), "message out logged at DEBUG: " + events);
      JsonObject in =
          lines.stream()
              .filter(l -> "RWS0010".equals(l.getJsonObject("mdc").getString("event", "")))
              .findFirst()
              .orElseThrow();
      assertEquals("DEBUG", in.getString("level"));
      assertTrue(in.getString("message").contains("ping"), in.toString());
    }
  }

  /**
   * At DEBUG, the most the server logs: a session's resume token, the one a resume sends and the
   * new one it is answered with, and a token sent in {@code auth}, reach no line of the log.
   */
  @Test
  @Order(1)
  void noTokenReachesTheLogAtDebug() throws Exception {
    ClientManager container = ClientManager.createClient();
    URI ws = URI.create("ws://127.0.0.1:" + HTTP_PORT + "/ws");
    List<String> secrets = new ArrayList<>();
    String resumedId;
    try (TestClient first = TestClient.connect(container, ws)) {
      JsonObject hello = first.next("system");
      secrets.add(hello.getString("resumeToken"));
      // opened once the first is: a resume moves a session only to a connection opened later
      TestClient second = TestClient.connect(container, ws);
      second.next("system");
      second.send(
          Json.createObjectBuilder()
              .add("type", "resume")
              .add("sessionId", hello.getString("sessionId"))
              .add("resumeToken", hello.getString("resumeToken"))
              .add("lastSeq", 0)
              .build()
              .toString());
      secrets.add(second.next("resumed").getString("resumeToken"));
      String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlLW5vdC1sb2dnZWQ";
      secrets.add(jwt);
      second.send("{\"type\":\"auth\",\"token\":\"" + jwt + "\"}");
      second.send("{\"type\":\"ping\"}");
      second.next("pong"); // the auth before it was handled
      second.close();
      resumedId = hello.getString("sessionId");
    }
    Path log = server.serverLog();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.readString(log).contains(resumedId) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    String written = Files.readString(log);
    assertTrue(written.contains(resumedId), "the resume was logged (its session id)");
    for (String secret : secrets) {
      assertFalse(written.contains(secret), "a token in the DEBUG log");
    }
  }

  /** The first {@code system} message among those already received, or {@code null}. */
  private static JsonObject nextSystem(TestClient client) {
    for (String text = client.texts.poll(); text != null; text = client.texts.poll()) {
      JsonObject message = Json.createReader(new StringReader(text)).readObject();
      if ("system".equals(message.getString("type", ""))) {
        return message;
      }
    }
    return null;
  }
}
