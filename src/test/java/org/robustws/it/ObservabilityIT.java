package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every meter shows on WildFly's Prometheus endpoint; health answers on the management port. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ObservabilityIT {
  /** A channel name no meter may carry as a label. */
  private static final String CHANNEL = "obs.label-probe-7f3";

  private static final URI PROMETHEUS = URI.create("http://127.0.0.1:9990/prometheus");
  private final HttpClient http = HttpClient.newHttpClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void exportsEveryMeterWithBoundedLabels() throws Exception {
    ClientManager container = ClientManager.createClient();
    String sessionId;
    String token;
    try (TestClient client = TestClient.connect(container, Deployments.ws(base, "/ws"))) {
      JsonObject hello = client.next("system");
      sessionId = hello.getString("sessionId");
      token = hello.getString("resumeToken");
      client.send("{\"type\":\"ping\",\"timestamp\":1}");
      client.next("pong");
      client.send("not json");
      client.next("error");
      client.send("{\"type\":\"subscribe\",\"channel\":\"" + CHANNEL + "\"}");
      client.next("subscribed");
      client.send("{\"type\":\"publish\",\"channel\":\"" + CHANNEL + "\",\"data\":1}");
      client.next("event"); // the publisher is subscribed: its event comes before the ack
      client.next("ack");
    }
    try (TestClient resumer = TestClient.connect(container, Deployments.ws(base, "/ws"));
        TestClient legacy = TestClient.connect(container, Deployments.ws(base, "/ws-legacy"))) {
      resumer.next("system");
      resumer.send(
          "{\"type\":\"resume\",\"sessionId\":\""
              + sessionId
              + "\",\"resumeToken\":\""
              + token
              + "\",\"lastSeq\":0}");
      resumer.next("resumed");
      legacy.send("hello");
      legacy.nextText();
      legacy.next("heartbeat");
      legacy.next("heartbeat"); // two ticks: the pongs to the first one have come back

      String scrape = get(PROMETHEUS).body();
      assertAtLeast(scrape, "ws_connections_active", "endpoint=\"ws\"", 1);
      assertAtLeast(scrape, "ws_connections_active", "endpoint=\"legacy\"", 1);
      assertAtLeast(scrape, "ws_connections_opened_total", "endpoint=\"ws\"", 2);
      assertAtLeast(scrape, "ws_connections_closed_total", "code=\"1000\",endpoint=\"ws\"", 1);
      assertAtLeast(scrape, "ws_messages_received_total", "endpoint=\"ws\",type=\"ping\"", 1);
      assertAtLeast(scrape, "ws_messages_received_total", "endpoint=\"ws\",type=\"other\"", 1);
      assertAtLeast(scrape, "ws_messages_received_total", "endpoint=\"legacy\",type=\"text\"", 1);
      assertAtLeast(scrape, "ws_messages_sent_total", "endpoint=\"ws\",type=\"event\"", 1);
      assertAtLeast(scrape, "ws_messages_sent_total", "endpoint=\"legacy\",type=\"heartbeat\"", 1);
      assertAtLeast(scrape, "ws_bytes_received_total", "endpoint=\"ws\"", 10);
      assertAtLeast(scrape, "ws_bytes_sent_total", "endpoint=\"ws\"", 100);
      assertAtLeast(
          scrape, "ws_message_errors_total", "endpoint=\"ws\",error=\"invalid_format\"", 1);
      assertAtLeast(scrape, "ws_send_failures_total", "endpoint=\"ws\"", 0);
      assertAtLeast(scrape, "ws_message_handling_seconds_count", "type=\"publish\"", 1);
      assertAtLeast(scrape, "ws_message_handling_buckets_total", "le=\"+Inf\",type=\"publish\"", 1);
      assertAtLeast(scrape, "ws_heartbeat_rtt_buckets_total", "le=\"+Inf\"", 1);
      assertAtLeast(scrape, "ws_connection_duration_buckets_total", "le=\"300.0\"", 1);
      assertAtLeast(scrape, "ws_connection_duration_seconds_count", "", 1);
      assertAtLeast(scrape, "ws_heartbeat_rtt_seconds_count", "", 1);
      assertAtLeast(scrape, "ws_heartbeat_timeouts_total", "", 0);
      assertAtLeast(scrape, "ws_heartbeat_tick_seconds_count", "", 1);
      assertAtLeast(scrape, "ws_resumes_total", "result=\"ok\"", 1);
      assertAtLeast(scrape, "ws_replayed_events_total", "", 1);
      for (String line : scrape.lines().filter(l -> l.startsWith("ws_")).toList()) {
        assertTrue(!line.matches(".*\"[cs]-[A-Za-z0-9_-]{12,}\".*"), "an id as label: " + line);
        assertFalse(line.contains(CHANNEL), "a channel name as label: " + line);
        assertFalse(line.contains(token), "a resume token in the metrics: " + line);
      }
    }
  }

  @Test
  void livenessAndReadinessAreUpWithTheirData() throws Exception {
    JsonObject live = json(get(URI.create("http://127.0.0.1:9990/health/live")).body());
    assertEquals("UP", live.getString("status"));
    JsonObject heartbeat = check(live, "websocket-heartbeat");
    assertTrue(heartbeat.getJsonObject("data").containsKey("lastTick"));

    HttpResponse<String> ready = get(URI.create("http://127.0.0.1:9990/health/ready"));
    assertEquals(200, ready.statusCode());
    JsonObject capacity = check(json(ready.body()), "websocket-capacity");
    assertEquals(600, capacity.getJsonObject("data").getInt("capacity"), "set for the tests");
  }

  @Test
  void logsOneJsonObjectPerLineWithTheEventsFields() throws Exception {
    String clientId;
    try (TestClient client =
        TestClient.connect(ClientManager.createClient(), Deployments.ws(base, "/ws"))) {
      clientId = client.next("system").getString("clientId");
    }
    Path log =
        Path.of(System.getProperty("jboss.home", "target/server"), "standalone/log/server.log");
    JsonObject closed = null;
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      log.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY);
      // the close is logged once the server has processed it, a moment after the client's
      while ((closed = findLine(log, clientId, "RWS0002")) == null) {
        WatchKey key = watcher.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (key == null) {
          break;
        }
        key.pollEvents();
        key.reset();
      }
    }
    assertTrue(closed != null, "no RWS0002 line for " + clientId + " in " + log);
    assertEquals("INFO", closed.getString("level"));
    assertEquals("org.robustws", closed.getString("loggerName"));
    assertTrue(closed.containsKey("timestamp") && closed.containsKey("threadName"));
    JsonObject mdc = closed.getJsonObject("mdc");
    assertEquals(clientId, mdc.getString("connectionId"));
    assertEquals("ws", mdc.getString("endpoint"));
    assertEquals("1000", mdc.getString("closeCode"));
    assertEquals("RWS0002", mdc.getString("event"));
    assertTrue(mdc.containsKey("remoteAddress") && mdc.containsKey("durationMs"));
    assertTrue(
        Files.readAllLines(log).stream().noneMatch(l -> l.contains("RWS0010")),
        "at the default INFO level, messages in and out are not logged one by one");
    // the build's offline configuration run wrote plain text before the JSON formatter existed;
    // from the server's first JSON line on, every line is one JSON object
    Files.readAllLines(log).stream()
        .dropWhile(line -> !line.startsWith("{"))
        .filter(line -> !line.isBlank())
        .forEach(ObservabilityIT::json);
  }

  private static JsonObject findLine(Path log, String... parts) throws Exception {
    return Files.readAllLines(log).stream()
        .filter(l -> java.util.Arrays.stream(parts).allMatch(l::contains))
        .map(ObservabilityIT::json)
        .findFirst()
        .orElse(null);
  }

  private static JsonObject check(JsonObject health, String name) {
    return health.getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(c -> name.equals(c.getString("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check " + name + " in " + health));
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The series exists and its value is at least {@code min}. */
  private static void assertAtLeast(String scrape, String name, String labels, double min) {
    OptionalDouble value = new Scrape(scrape).find(name, labels);
    assertTrue(value.isPresent(), "no series " + name + "{" + labels + "} in\n" + scrape);
    assertTrue(value.getAsDouble() >= min, name + "{" + labels + "} = " + value + " < " + min);
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
