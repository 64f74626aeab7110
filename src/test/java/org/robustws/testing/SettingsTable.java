package org.robustws.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;

/**
 * A document's settings table ({@code | `ws.key` | `default` | meaning |}) against the producer
 * that reads those settings: the table lists every {@code ws.*} key the producer's source names,
 * each key is read (another value changes what the producer makes), and the default the table names
 * is the one the producer uses.
 */
public final class SettingsTable {
  private static final Pattern ROW = Pattern.compile("^\\| `(ws\\.[a-z.-]+)` \\| ([^|]+) \\|");
  private static final Pattern READ = Pattern.compile("\"(ws\\.[a-z.-]+)\"");
  private static final Pattern LITERAL = Pattern.compile("^`([^`]+)`");

  private SettingsTable() {}

  /**
   * @param base settings every configuration gets besides the key tried (for one that needs others)
   * @param cells a cell that names no literal (key to its value), as {@code "empty"} → {@code ""}
   */
  public static <S> void check(
      Path document,
      Path producerSource,
      Map<String, String> base,
      Function<Config, S> producer,
      Map<String, String> cells)
      throws IOException {
    Map<String, String> rows = rows(document, producerSource);
    S defaults = producer.apply(new MapConfig(base));
    rows.forEach(
        (key, cell) -> {
          String value = cells.containsKey(cell) ? cells.get(cell) : literal(key, cell);
          if (!value.isEmpty()) { // a list's empty default is the key left out
            assertEquals(defaults, producer.apply(config(base, key, value)), key + " = " + value);
          }
          String other = otherThan(value);
          assertNotEquals(defaults, producer.apply(config(base, key, other)), key + " is read");
        });
  }

  /** The document's rows whose key the producer names: key to the default cell. */
  public static Map<String, String> rows(Path document, Path producerSource) throws IOException {
    TreeSet<String> read = new TreeSet<>();
    Matcher keys = READ.matcher(Files.readString(producerSource));
    while (keys.find()) {
      read.add(keys.group(1));
    }
    Map<String, String> rows = new TreeMap<>();
    for (String line : Files.readAllLines(document)) {
      Matcher row = ROW.matcher(line);
      if (row.find() && read.contains(row.group(1))) {
        rows.put(row.group(1), row.group(2).trim());
      }
    }
    assertEquals(read, rows.keySet(), "keys " + producerSource + " reads, in " + document);
    return rows;
  }

  private static MapConfig config(Map<String, String> base, String key, String value) {
    Map<String, String> values = new HashMap<>(base);
    values.put(key, value);
    return new MapConfig(values);
  }

  private static String literal(String key, String cell) {
    Matcher literal = LITERAL.matcher(cell);
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
    long number = Long.parseLong(value);
    return Long.toString(number == 0 ? 1 : number - 1);
  }
}
