package org.robustws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.robustws.testing.MapConfig;

/**
 * The README's settings table against {@link SettingsProducer}: it lists every {@code ws.*} key the
 * producer reads; each key is read (a value other than the default changes the settings), and the
 * default it names is the one the server uses.
 */
class SettingsDocsTest {
  private static final Pattern ROW = Pattern.compile("^\\| `(ws\\.[a-z.-]+)` \\| ([^|]+) \\|");
  private static final Pattern READ = Pattern.compile("\"(ws\\.[a-z.-]+)\"");

  private final SettingsProducer producer = new SettingsProducer();
  private final WsSettings defaults = producer.settings(new MapConfig(Map.of()));

  /** The rows of the README's table whose key the producer reads: key to documented default. */
  private static Map<String, String> documented() throws IOException {
    TreeSet<String> read = new TreeSet<>();
    Matcher keys =
        READ.matcher(
            Files.readString(Path.of("src/main/java/org/robustws/config/SettingsProducer.java")));
    while (keys.find()) {
      read.add(keys.group(1));
    }
    Map<String, String> rows = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      Matcher row = ROW.matcher(line);
      if (row.find() && read.contains(row.group(1))) {
        rows.put(row.group(1), row.group(2).trim());
      }
    }
    assertEquals(read, rows.keySet(), "keys SettingsProducer reads, in the README's table");
    return rows;
  }

  @Test
  void everyKeyTheServerReadsIsDocumentedWithItsDefault() throws IOException {
    Map<String, String> rows = documented();
    rows.forEach(
        (key, cell) -> {
          String value = documentedValue(key, cell);
          if (!value.isEmpty()) {
            assertEquals(
                defaults,
                producer.settings(new MapConfig(Map.of(key, value))),
                key + " = " + value);
          }
          String other = otherThan(value);
          assertNotEquals(
              defaults, producer.settings(new MapConfig(Map.of(key, other))), key + " is read");
        });
  }

  @Test
  void theListsDocumentedEmptyAreEmpty() throws IOException {
    Map<String, String> rows = documented();
    assertEquals("empty", rows.get("ws.trusted-proxies"));
    assertEquals("empty", rows.get("ws.allowed-origins"));
    assertEquals(List.of(), defaults.trustedProxies());
    assertEquals(List.of(), defaults.allowedOrigins());
  }

  /** The value a cell names: {@code `25000`}, {@code empty} (""), or twice another setting. */
  private String documentedValue(String key, String cell) {
    if (cell.equals("empty")) {
      return "";
    }
    if (cell.equals("twice `ws.max-connections`")) {
      return Integer.toString(2 * defaults.maxConnections());
    }
    Matcher literal = Pattern.compile("^`([^`]+)`$").matcher(cell);
    if (!literal.find()) {
      throw new AssertionError(key + ": a default this test cannot read: " + cell);
    }
    return literal.group(1);
  }

  /** A valid value other than {@code value}, smaller where a bound allows no larger one. */
  private static String otherThan(String value) {
    if (value.isEmpty()) {
      return "10.0.0.1";
    }
    if (value.equals("true") || value.equals("false")) {
      return Boolean.toString(!Boolean.parseBoolean(value));
    }
    if (value.contains(".")) {
      return Double.toString(Double.parseDouble(value) * 0.9);
    }
    return Long.toString(Long.parseLong(value) - 1);
  }
}
