package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scripted scenario (opens, messages of each type, closes with known codes, one heartbeat
 * timeout, one resume), then the exact change of every counter it touches, scraped from WildFly's
 * Prometheus endpoint.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsScenarioIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void countsExactlyWhatHappened() throws Exception {
    Map<String, Double> expected = new LinkedHashMap<>();
    expected.put("ws_connections_opened_total|endpoint=\"ws\"", 5.0);
    expected.put("ws_connections_opened_total|endpoint=\"legacy\"", 1.0);
    expected.put("ws_connections_closed_total|code=\"1000\",endpoint=\"ws\"", 2.0);
    expected.put("ws_connections_closed_total|code=\"other\",endpoint=\"ws\"", 1.0);
    expected.put("ws_connections_closed_total|code=\"1011\",endpoint=\"ws\"", 1.0);
    expected.put("ws_connections_closed_total|code=\"4000\",endpoint=\"ws\"", 1.0);
    expected.put("ws_connections_closed_total|code=\"1000\",endpoint=\"legacy\"", 1.0);
    for (String[] typeCount :
        new String[][] {
          {"ping", "2"},
          {"echo", "2"},
          {"message", "2"},
          {"subscribe", "2"},
          {"publish", "4"},
          {"unsubscribe", "1"},
          {"ack", "1"},
          {"resume", "1"},
          {"other", "1"}
        }) {
      expected.put(
          "ws_messages_received_total|endpoint=\"ws\",type=\"" + typeCount[0] + "\"",
          Double.parseDouble(typeCount[1]));
    }
    expected.put("ws_messages_received_total|endpoint=\"legacy\",type=\"text\"", 2.0);
    expected.put("ws_messages_received_total|endpoint=\"legacy\",type=\"ping\"", 1.0);
    for (String[] typeCount :
        new String[][] {
          {"system", "5"}, {"pong", "2"}, {"echo", "2"}, {"message", "2"}, {"subscribed", "2"},
          {"unsubscribed", "1"}, {"ack", "4"}, {"event", "4"}, {"resumed", "1"}, {"error", "1"}
        }) {
      expected.put(
          "ws_messages_sent_total|endpoint=\"ws\",type=\"" + typeCount[0] + "\"",
          Double.parseDouble(typeCount[1]));
    }
    expected.put("ws_messages_sent_total|endpoint=\"legacy\",type=\"pong\"", 1.0);
    expected.put("ws_messages_sent_total|endpoint=\"legacy\",type=\"text\"", 2.0);
    expected.put("ws_message_errors_total|endpoint=\"ws\",error=\"invalid_format\"", 1.0);
    expected.put("ws_heartbeat_timeouts_total|", 1.0);
    expected.put("ws_resumes_total|result=\"ok\"", 1.0);
    expected.put("ws_replayed_events_total|", 2.0);
    expected.put("ws_message_handling_seconds_count|type=\"publish\"", 4.0);
    expected.put("ws_connection_duration_seconds_count|", 6.0);

    Scrape before = Scrape.fetch();
    runScenario();
    Scrape after = Scrape.fetch();

    Map<String, Double> actual = new LinkedHashMap<>();
    for (String key : expected.keySet()) {
      String[] nameLabels = key.split("\\|", -1);
      actual.put(
          key,
          after.value(nameLabels[0], nameLabels[1]) - before.value(nameLabels[0], nameLabels[1]));
    }
    assertEquals(expected, actual);
  }

  private void runScenario() throws Exception {
    ClientManager container = ClientManager.createClient();
    URI ws = Deployments.ws(base, "/ws");
    AdminHttp admin = new AdminHttp(base);
    try (TestClient a = TestClient.connect(container, ws);
        TestClient b = TestClient.connect(container, ws);
        TestClient legacy = TestClient.connect(container, Deployments.ws(base, "/ws-legacy"));
        RawWebSocket silent = RawWebSocket.connect(ws)) {
      String aId = a.next("system").getString("clientId");
      String bId = b.next("system").getString("clientId");
      silent.answerPings = false;

      // A: two of each kind, one bad message
      for (int i = 0; i < 2; i++) {
        a.send("{\"type\":\"ping\",\"timestamp\":" + i + "}");
        a.next("pong");
        a.send("{\"type\":\"echo\",\"payload\":" + i + "}");
        a.next("echo");
        a.send("{\"type\":\"message\",\"n\":" + i + "}");
        a.next("message");
      }
      a.send("{\"type\":\"subscribe\",\"channel\":\"m\"}");
      a.next("subscribed");
      for (int i = 0; i < 2; i++) {
        a.send("{\"type\":\"publish\",\"channel\":\"m\",\"data\":" + i + "}");
        a.next("event");
        a.next("ack");
      }
      a.send("{\"type\":\"unsubscribe\",\"channel\":\"m\"}");
      a.next("unsubscribed");
      a.send("{\"type\":\"ack\",\"seq\":2}");
      a.send("{oops");
      a.next("error");

      // legacy: two echoes and a ping
      legacy.send("{\"type\":\"chat\",\"n\":1}"); // echoed, counted as text
      legacy.send("{\"type\":\"chat\",\"n\":2}");
      legacy.send("{\"type\":\"ping\"}");
      legacy.next("pong");

      // C subscribes and leaves; B publishes twice for it; D resumes C's session and gets both
      JsonObject helloC;
      try (TestClient c = TestClient.connect(container, ws)) {
        helloC = c.next("system");
        c.send("{\"type\":\"subscribe\",\"channel\":\"r\"}");
        c.next("subscribed");
      }
      awaitGone(admin, helloC.getString("clientId")); // detached before B publishes
      for (int i = 0; i < 2; i++) {
        b.send("{\"type\":\"publish\",\"channel\":\"r\",\"data\":" + i + "}");
        b.next("ack");
      }
      try (TestClient d = TestClient.connect(container, ws)) {
        d.next("system");
        d.send(
            "{\"type\":\"resume\",\"sessionId\":\""
                + helloC.getString("sessionId")
                + "\",\"resumeToken\":\""
                + helloC.getString("resumeToken")
                + "\",\"lastSeq\":0}");
        d.next("event");
        d.next("event");
        d.next("resumed");
      }

      // an operator closes A with 1011; the silent one times out with 4000
      assertEquals(
          204,
          admin
              .delete("/connections/" + aId + "?code=1011&reason=test", AdminUsers.admin())
              .statusCode());
      assertEquals(1011, a.closeCode());
      RawWebSocket.Frame frame;
      do {
        frame = silent.readTextOrClose();
      } while (frame.opcode() != RawWebSocket.CLOSE);
      assertEquals(4000, frame.closeCode());

      // and B with a code of its own, counted as "other"
      assertEquals(
          204, admin.delete("/connections/" + bId + "?code=4321", AdminUsers.admin()).statusCode());
      assertEquals(4321, b.closeCode());
      legacy.close();
      assertEquals(1000, legacy.closeCode());
    }
    awaitNoConnections(admin);
  }

  /**
   * Every known close code and {@code other} has its series on both endpoints whether or not it
   * happened, so that {@code rate()} sees its first occurrence: 1003, 1010 and 1015 never happen
   * here (no server sends them).
   */
  @Test
  void everyCloseCodeSeriesExistsBeforeItsFirstClose() throws Exception {
    Scrape scrape = Scrape.fetch();
    for (String endpoint : List.of("ws", "legacy")) {
      for (String code : List.of("1003", "1010", "1015", "4009", "other")) {
        String labels = "code=\"" + code + "\",endpoint=\"" + endpoint + "\"";
        assertTrue(scrape.find("ws_connections_closed_total", labels).isPresent(), labels);
      }
    }
  }

  private static void awaitGone(AdminHttp admin, String id) throws Exception {
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    while (admin.get("/connections/" + id, AdminUsers.admin()).statusCode() != 404) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(id + " still listed");
      }
    }
  }

  /** Every close has been processed (and counted) by the server. */
  private static void awaitNoConnections(AdminHttp admin) throws Exception {
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    while (AdminHttp.json(admin.get("/connections", AdminUsers.admin())).getInt("total") != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("connections still open");
      }
    }
  }
}
