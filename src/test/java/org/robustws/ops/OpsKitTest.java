package org.robustws.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operations kit of docs/ops checked with Prometheus's own tool: the alert rules load and
 * behave as their unit tests (src/test/ops/ws-alerts-test.yml) say, the scrape configuration is
 * valid, and the dashboard is well formed. promtool comes with Debian's {@code prometheus} package
 * (.ci/setup.sh installs it); without it this test fails rather than skips.
 */
class OpsKitTest {

  @Test
  void alertRulesPassTheirUnitTests() throws Exception {
    promtool("check", "rules", OpsKit.RULES.toString());
    promtool("test", "rules", "src/test/ops/ws-alerts-test.yml");
  }

  @Test
  void scrapeConfigurationIsValid() throws Exception {
    promtool("check", "config", OpsKit.PROMETHEUS_CONFIG.toString());
  }

  @Test
  void dashboardPanelsQueryThePrometheusDataSourceWithTheNodeSelector() throws Exception {
    JsonObject dashboard = OpsKit.dashboard();
    Set<Integer> ids = new HashSet<>();
    List<String> exprs = new ArrayList<>();
    for (JsonObject panel : dashboard.getJsonArray("panels").getValuesAs(JsonObject.class)) {
      assertTrue(ids.add(panel.getInt("id")), "panel ids are unique: " + panel.getInt("id"));
      if (panel.getString("type").equals("row")) {
        continue;
      }
      assertEquals(
          "${datasource}", panel.getJsonObject("datasource").getString("uid"), panel.toString());
      for (JsonObject target : panel.getJsonArray("targets").getValuesAs(JsonObject.class)) {
        String expr = target.getString("expr");
        assertTrue(expr.contains("instance=~\"$instance\""), "no node selector: " + expr);
        exprs.add(expr);
      }
    }
    assertTrue(
        dashboard
            .getJsonObject("templating")
            .toString()
            .contains("label_values(ws_connections_active, instance)"),
        "the instance variable lists the scraped nodes");
  }

  @Test
  void everyRuleExpressionIsReadWithItsMetricNames() throws Exception {
    List<String> exprs = OpsKit.ruleExpressions();
    assertEquals(12, exprs.size(), "one expression per rule: " + exprs);
    assertTrue(exprs.stream().noneMatch(String::isBlank), exprs.toString());
    Set<String> names = OpsKit.metricNames(exprs);
    assertTrue(names.contains("ws_connections_closed_total"), names.toString());
    assertTrue(names.contains("ws_heartbeat_tick_seconds_count"), names.toString());
  }

  private static void promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool not found: install Debian's prometheus package (.ci/setup.sh does)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool hangs");
    assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
  }
}
