package org.robustws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.robustws.testing.MapConfig;
import org.robustws.testing.SettingsTable;

/** The README's settings table against {@link SettingsProducer} ({@link SettingsTable}). */
class SettingsDocsTest {
  private static final Path README = Path.of("README.md");
  private static final Path PRODUCER =
      Path.of("src/main/java/org/robustws/config/SettingsProducer.java");

  private final SettingsProducer producer = new SettingsProducer();

  @Test
  void everyKeyTheServerReadsIsDocumentedWithItsDefault() throws IOException {
    int maxConnections = WsSettings.defaults().maxConnections();
    SettingsTable.check(
        README,
        PRODUCER,
        Map.of(),
        producer::settings,
        Map.of("empty", "", "twice `ws.max-connections`", Integer.toString(2 * maxConnections)));
  }

  @Test
  void theListsDocumentedEmptyAreEmpty() throws IOException {
    Map<String, String> rows = SettingsTable.rows(README, PRODUCER);
    assertEquals("empty", rows.get("ws.trusted-proxies"));
    assertEquals("empty", rows.get("ws.allowed-origins"));
    WsSettings defaults = producer.settings(new MapConfig(Map.of()));
    assertEquals(List.of(), defaults.trustedProxies());
    assertEquals(List.of(), defaults.allowedOrigins());
  }
}
