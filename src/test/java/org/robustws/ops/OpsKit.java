package org.robustws.ops;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The files of docs/ops and the queries in them, for the tests that check them. */
public final class OpsKit {
  public static final Path RULES = Path.of("docs/ops/ws-alerts.yml");
  public static final Path PROMETHEUS_CONFIG = Path.of("docs/ops/prometheus.yml");
  public static final Path DASHBOARD = Path.of("docs/ops/grafana-dashboard.json");

  private static final Pattern EXPR = Pattern.compile("^( +)expr: *(.*)$");
  private static final Pattern WS_METRIC = Pattern.compile("\\bws_[a-z0-9_]+\\b");

  private OpsKit() {}

  public static JsonObject dashboard() throws IOException {
    try (JsonReader reader = Json.createReader(Files.newBufferedReader(DASHBOARD))) {
      return reader.readObject();
    }
  }

  /** Every panel target's PromQL, in panel order. */
  public static List<String> dashboardQueries() throws IOException {
    List<String> queries = new ArrayList<>();
    for (JsonObject panel : dashboard().getJsonArray("panels").getValuesAs(JsonObject.class)) {
      if (panel.containsKey("targets")) {
        for (JsonObject target : panel.getJsonArray("targets").getValuesAs(JsonObject.class)) {
          queries.add(target.getString("expr"));
        }
      }
    }
    return queries;
  }

  /**
   * Every rule's {@code expr}, on one line or as a {@code |} block (the lines indented deeper than
   * the key), which are the two forms the rules file uses.
   */
  public static List<String> ruleExpressions() throws IOException {
    List<String> lines = Files.readAllLines(RULES);
    List<String> exprs = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = EXPR.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      if (!m.group(2).equals("|")) {
        exprs.add(m.group(2));
        continue;
      }
      String indent = m.group(1) + " ";
      StringBuilder block = new StringBuilder();
      while (i + 1 < lines.size() && lines.get(i + 1).startsWith(indent)) {
        block.append(lines.get(++i).trim()).append('\n');
      }
      exprs.add(block.toString().trim());
    }
    return exprs;
  }

  /** The {@code ws_*} series names the queries read. */
  public static Set<String> metricNames(Collection<String> queries) {
    Set<String> names = new TreeSet<>();
    for (String query : queries) {
      WS_METRIC.matcher(query).results().forEach(r -> names.add(r.group()));
    }
    return names;
  }
}
