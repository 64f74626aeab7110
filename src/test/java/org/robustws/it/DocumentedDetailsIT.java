package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Details the README and docs/protocol.md state that no other test exercised: the subprotocol
 * selection, a binary frame on /ws, the bound of resume's positions, the scrape endpoint's missing
 * Content-Type, the management port on loopback only, and the WildFly configuration's defaults.
 */
@ExtendWith(ArquillianExtension.class)
class DocumentedDetailsIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.builtWar();
  }

  /** docs/protocol.md section 1: robust-ws.v1 is selected when asked for, nothing otherwise. */
  @Test
  void theSubprotocolIsSelectedWhenAskedForAndNoneOtherwise() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    WebSocket.Listener quiet = new WebSocket.Listener() {};
    WebSocket asked =
        http.newWebSocketBuilder()
            .subprotocols("robust-ws.v1")
            .buildAsync(Deployments.ws(base, "/ws"), quiet)
            .get(10, TimeUnit.SECONDS);
    assertEquals("robust-ws.v1", asked.getSubprotocol());
    asked.abort();
    WebSocket other =
        http.newWebSocketBuilder()
            .subprotocols("graphql-ws")
            .buildAsync(Deployments.ws(base, "/ws"), quiet)
            .get(10, TimeUnit.SECONDS);
    assertEquals("", other.getSubprotocol(), "none selected");
    other.abort();
  }

  /** docs/protocol.md section 1: a binary frame is answered with invalid_format, nothing more. */
  @Test
  void aBinaryFrameGetsInvalidFormatAndTheConnectionGoesOn() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(Deployments.ws(base, "/ws"))) {
      ws.readTextOrClose(); // system/connected
      ws.sendFrame(RawWebSocket.BINARY, new byte[] {1, 2, 3});
      JsonObject error = json(ws.readTextOrClose().text());
      assertEquals("invalid_format", error.getString("error"));
      ws.sendText("{\"type\":\"ping\",\"timestamp\":1}");
      assertEquals("pong", json(ws.readTextOrClose().text()).getString("type"));
    }
  }

  /** docs/protocol.md section 3: resume's positions name at most 1,000 channels. */
  @Test
  void aResumeWithMoreThanAThousandPositionsIsInvalidFormat() throws Exception {
    StringBuilder positions = new StringBuilder("{");
    for (int i = 0; i < 1001; i++) {
      positions.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":");
      positions.append("{\"offset\":1,\"epoch\":\"e\"}");
    }
    positions.append('}');
    try (RawWebSocket ws = RawWebSocket.connect(Deployments.ws(base, "/ws"))) {
      ws.readTextOrClose();
      ws.sendText(
          "{\"type\":\"resume\",\"sessionId\":\"s-x\",\"resumeToken\":\"t\",\"lastSeq\":0,"
              + "\"positions\":"
              + positions
              + "}");
      JsonObject error = json(ws.readTextOrClose().text());
      assertEquals("invalid_format", error.getString("error"));
      assertTrue(error.getString("message").contains("at most 1000 channels"), error.toString());
    }
  }

  /** docs/deployment.md, Prometheus: WildFly 39 answers the scrape without a Content-Type. */
  @Test
  void theScrapeEndpointAnswersWithoutContentType() throws Exception {
    HttpResponse<String> scrape =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:9990/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, scrape.statusCode());
    assertTrue(scrape.body().contains("ws_connections_active"));
    assertEquals(Optional.empty(), scrape.headers().firstValue("Content-Type"));
  }

  /**
   * docs/deployment.md: the management port (metrics, health, management) listens on loopback only;
   * HTTP 8080 too, unless bound elsewhere.
   */
  @Test
  void theServerListensOnLoopbackOnly() throws Exception {
    Optional<InetAddress> outside = nonLoopbackAddress();
    Assumptions.assumeTrue(outside.isPresent(), "this machine has no address but loopback");
    for (int port : List.of(9990, 8080)) {
      try (Socket socket = new Socket()) {
        assertThrows(
            IOException.class,
            () -> socket.connect(new InetSocketAddress(outside.get(), port), 2_000),
            "port " + port + " answers on " + outside.get());
      }
    }
  }

  /**
   * README, Configuration and "Metrics and health": the WildFly configuration's defaults, as the
   * shared server (started without any WS_* variable) resolves them: 16 io threads that handle the
   * frames themselves, 8 worker threads, compression off at level 1 when on, the org.robustws
   * category at INFO, JSON lines through one async handler; the management interface's 100
   * connections at once and 60 s for an idle one (docs/deployment.md); and no JGroups subsystem, so
   * the run command's server is a lone node. FailedDeploymentIT sets each variable and reads it
   * back.
   */
  @Test
  void theWildFlyConfigurationHasTheDocumentedDefaults() throws Exception {
    String io = "/subsystem=io/worker=default:";
    String websockets = "/subsystem=undertow/servlet-container=default/setting=websockets:";
    String read = "read-attribute(name=%s, resolve-expressions=true)";
    assertCli("16", io + read.formatted("io-threads"));
    assertCli("8", io + read.formatted("task-max-threads"));
    assertCli("false", websockets + read.formatted("dispatch-to-worker"));
    assertCli("false", websockets + read.formatted("per-message-deflate"));
    assertCli("1", websockets + read.formatted("deflater-level"));
    assertCli("INFO", "/subsystem=logging/logger=org.robustws:" + read.formatted("level"));
    String root = cli("/subsystem=logging/root-logger=ROOT:read-attribute(name=handlers)");
    assertTrue(
        root.matches("(?s).*\\[\\s*\"ASYNC\"\\s*\\].*"), "the root logger's handlers: " + root);
    String async = cli("/subsystem=logging/async-handler=ASYNC:read-attribute(name=subhandlers)");
    assertTrue(async.contains("\"CONSOLE\"") && async.contains("\"FILE\""), async);
    String http = "/core-service=management/management-interface=http-interface:";
    String withDefault = "read-attribute(name=%s, include-defaults=true)";
    assertCli("100", http + withDefault.formatted("connection-high-water"));
    assertCli("60000", http + withDefault.formatted("no-request-timeout"));
    String subsystems = cli(":read-children-names(child-type=subsystem)");
    assertTrue(subsystems.contains("\"undertow\""), subsystems);
    assertFalse(subsystems.contains("jgroups"), subsystems);
  }

  private static void assertCli(String expected, String operation) throws Exception {
    String output = cli(operation);
    assertTrue(
        output.contains("\"result\" => " + expected)
            || output.contains("\"result\" => \"" + expected + "\""),
        operation + ": expected " + expected + " in " + output);
  }

  /** One management operation on the shared server, with the provisioned server's CLI. */
  private static String cli(String operation) throws Exception {
    Process cli =
        new ProcessBuilder(
                Path.of("target", "server", "bin", "jboss-cli.sh").toAbsolutePath().toString(),
                "--connect",
                "--controller=127.0.0.1:9990",
                "--command=" + operation)
            .redirectErrorStream(true)
            .start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(cli.waitFor(60, TimeUnit.SECONDS), operation + " did not end: " + output);
    assertEquals(0, cli.exitValue(), operation + ": " + output);
    return output;
  }

  /** An IPv4 address of this machine other than loopback, if it has one. */
  static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return Optional.of(address);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
