package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.robustws.ops.OpsKit;

/**
 * The operations kit against the running server: a real Prometheus (Debian's) scrapes WildFly with
 * docs/ops/prometheus.yml and evaluates docs/ops/ws-alerts.yml; a burst of vanished clients raises
 * the 1006 alert; every metric the dashboard and the rules read is on the scrape, and every
 * dashboard query is accepted by Prometheus.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PrometheusIT {
  private static final String TARGET = "127.0.0.1:9990";
  private static final int VANISHED = 30;

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void aRealPrometheusScrapesTheServerAndTheVanishedClientsAlertFires() throws Exception {
    URI ws = Deployments.ws(base, "/ws");
    try (PrometheusServer prometheus = PrometheusServer.start("it", TARGET)) {
      JsonObject up =
          prometheus.await(
              "the target is up", () -> prometheus.query("up"), data -> value(data) == 1);
      JsonObject upSeries = first(up).getJsonObject("metric");
      assertEquals("robust-websocket", upSeries.getString("job"), up.toString());
      assertEquals(TARGET, upSeries.getString("instance"), up.toString());

      // the rules load and evaluate without errors; the 1006 alert is quiet before the burst
      JsonObject rules =
          prometheus.await("the rules ran", () -> prometheus.get("rules"), this::allRulesRan);
      assertTrue(
          activeAlerts(prometheus).stream().noneMatch("WsAbnormalClosures"::equals),
          rules.toString());

      try (TestClient client = TestClient.connect(ClientManager.createClient(), ws)) {
        client.next("system");
        // resume is only a connection's first message
        client.send(
            "{\"type\":\"resume\",\"sessionId\":\"s-none\",\"resumeToken\":\"t\",\"lastSeq\":0}");
        client.next("resume_failed"); // ws_resumes_total
        client.send("{oops"); // ws_message_errors_total
        client.next("error");
        List<RawWebSocket> peers = new ArrayList<>();
        for (int i = 0; i < VANISHED; i++) {
          RawWebSocket peer = RawWebSocket.connect(ws);
          peer.readTextOrClose();
          peers.add(peer);
        }
        for (RawWebSocket peer : peers) {
          peer.cut();
        }

        JsonObject alerts =
            prometheus.await(
                "WsAbnormalClosures raised",
                () -> prometheus.get("alerts"),
                data -> alertNames(data).contains("WsAbnormalClosures"));
        JsonObject alert =
            alerts.getJsonArray("alerts").getValuesAs(JsonObject.class).stream()
                .filter(
                    a ->
                        a.getJsonObject("labels")
                            .getString("alertname")
                            .equals("WsAbnormalClosures"))
                .findFirst()
                .orElseThrow();
        assertEquals(TARGET, alert.getJsonObject("labels").getString("instance"), alert.toString());
        assertEquals(
            "warning", alert.getJsonObject("labels").getString("severity"), alert.toString());
        assertTrue(
            Set.of("pending", "firing").contains(alert.getString("state")), alert.toString());
      }

      JsonObject vanished =
          prometheus.query("ws_connections_closed_total{code=\"1006\",endpoint=\"ws\"}");
      JsonObject series = first(vanished).getJsonObject("metric");
      assertEquals("ws", series.getString("endpoint"), vanished.toString());
      assertEquals("robust-websocket", series.getString("job"), vanished.toString());
      assertTrue(value(vanished) >= VANISHED, vanished.toString());
      assertEquals(
          Set.of("ws", "legacy"),
          PrometheusServer.labelValues(prometheus.query("ws_connections_active"), "endpoint"),
          "one active gauge per endpoint");
      assertEquals(
          Set.of("connecting", "connected", "disconnecting", "disconnected", "error"),
          PrometheusServer.labelValues(
              prometheus.query("ws_connections{endpoint=\"ws\"}"), "state"));
      assertEquals(1, value(prometheus.query("ws_ready")), "ready: not draining, not full");
      assertEquals(600, value(prometheus.query("ws_connections_max")), "the test server's cap");
      assertEquals(1, value(prometheus.query("ws_cluster_members")), "a lone server's view");

      for (String query : OpsKit.dashboardQueries()) {
        prometheus.query(query.replace("$instance", ".*").replace("$__rate_interval", "1m"));
      }
    }

    Set<String> names = OpsKit.metricNames(OpsKit.dashboardQueries());
    names.addAll(OpsKit.metricNames(OpsKit.ruleExpressions()));
    Scrape scrape = Scrape.fetch();
    Set<String> missing =
        names.stream()
            .filter(name -> scrape.find(name, "").isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), missing, "queried by the dashboard or the rules, but not on the scrape");
  }

  private boolean allRulesRan(JsonObject data) throws Exception {
    List<JsonObject> rules =
        data.getJsonArray("groups").getValuesAs(JsonObject.class).stream()
            .flatMap(g -> g.getJsonArray("rules").getValuesAs(JsonObject.class).stream())
            .toList();
    for (JsonObject rule : rules) {
      if (!rule.getString("health").equals("ok")) {
        if (!rule.getString("health").equals("unknown")) {
          throw new AssertionError("rule " + rule.getString("name") + ": " + rule);
        }
        return false; // not evaluated yet
      }
    }
    return rules.size() == OpsKit.ruleExpressions().size();
  }

  private static List<String> activeAlerts(PrometheusServer prometheus) throws Exception {
    return alertNames(prometheus.get("alerts"));
  }

  private static List<String> alertNames(JsonObject data) {
    return data.getJsonArray("alerts").getValuesAs(JsonObject.class).stream()
        .map(a -> a.getJsonObject("labels").getString("alertname"))
        .toList();
  }

  private static JsonObject first(JsonObject data) {
    return data.getJsonArray("result").getJsonObject(0);
  }

  /** The value of an instant vector's first sample, NaN if it has none. */
  private static double value(JsonObject data) {
    if (data.getJsonArray("result").isEmpty()) {
      return Double.NaN;
    }
    return Double.parseDouble(first(data).getJsonArray("value").getString(1));
  }
}
