package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A deployment that fails is never "ready": a server of its own ({@code target/failed-server}, port
 * offset 600: HTTP 8680, management 10590) whose setting, given as an environment variable as a
 * deployer would, puts the outbound queue above the channel history. WildFly starts, the WAR's
 * deployment through the management API (as the run command deploys it) fails with a message naming
 * the settings (and so does an ERROR line of the server log), and readiness answers 503 DOWN, so a
 * load balancer sends no client to it (wildfly-config/configure-health.cli). The same server shows
 * that the settings of the WildFly configuration take their environment variables.
 */
class FailedDeploymentIT {
  private static final int OFFSET = 600;

  @Test
  void aServerWhoseDeploymentFailedIsNotReady() throws Exception {
    Map<String, String> environment =
        Map.of(
            "WS_OUTBOUND_MAX_MESSAGES", "2000",
            // settings of the WildFly configuration, read when it starts (README, Configuration)
            "WS_IO_THREADS", "3",
            "WS_WORKER_THREADS", "5",
            "WS_COMPRESSION", "true",
            "WS_COMPRESSION_LEVEL", "4",
            "WS_LOG_LEVEL", "ERROR");
    try (StandaloneServer server =
        StandaloneServer.prepareWithoutTheApp("failed-server", OFFSET, environment)) {
      String started = server.startWithoutWaitingForTheApp();
      assertTrue(started.contains("WFLYSRV0025"), "started without errors: " + started);
      // as the run command deploys: through the management API, once the server runs
      String deploy = server.deploy();
      assertTrue(
          deploy.contains("ws.outbound.max-messages must not exceed ws.history.events"), deploy);
      assertTrue(
          Files.readAllLines(server.serverLog()).stream()
              .anyMatch(
                  line ->
                      line.contains("\"level\":\"ERROR\"")
                          && line.contains("ws.outbound.max-messages must not exceed")),
          "the server log says why, at ERROR");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready =
          get(http, "http://127.0.0.1:" + (9990 + OFFSET) + "/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      // what makes the difference: no check of the app, and that is DOWN now (UP by default)
      assertTrue(
          ready.body().contains("{\"name\":\"empty-readiness-checks\",\"status\":\"DOWN\"}"),
          ready.body());
      assertEquals(404, get(http, server.uri("http", "/ws").toString()).statusCode());

      String resolved = "read-attribute(name=%s, resolve-expressions=true)";
      String io = "/subsystem=io/worker=default:";
      assertResult("3", server.cli(io + resolved.formatted("io-threads")));
      assertResult("5", server.cli(io + resolved.formatted("task-max-threads")));
      String websockets = "/subsystem=undertow/servlet-container=default/setting=websockets:";
      assertResult("true", server.cli(websockets + resolved.formatted("per-message-deflate")));
      assertResult("4", server.cli(websockets + resolved.formatted("deflater-level")));
      String logger = "/subsystem=logging/logger=org.robustws:";
      assertResult("ERROR", server.cli(logger + resolved.formatted("level")));
    }
  }

  /** The CLI writes resolved expressions as strings. */
  private static void assertResult(String expected, String cliOutput) {
    assertTrue(
        cliOutput.contains("\"result\" => \"" + expected + "\""),
        "expected " + expected + ": " + cliOutput);
  }

  private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
