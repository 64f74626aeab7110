package org.robustws.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.testing.MapConfig;
import org.robustws.testing.SettingsTable;

/** How the settings are read, in both their property and their environment variable forms. */
class AuthProducerTest {
  private final AuthProducer producer = new AuthProducer();
  private static final Identity ALICE = new Identity("alice", Set.of(), Long.MAX_VALUE);

  @Test
  void withoutAKeyNothingIsVerifiedAndEveryChannelIsOpen() {
    AuthSettings settings = producer.settings(new MapConfig(Map.of()));
    assertFalse(settings.enabled());
    assertEquals(AuthSettings.off(), settings);
  }

  /** docs/security.md's settings table against this producer ({@link SettingsTable}). */
  @Test
  void everyKeyItReadsIsDocumentedWithItsDefault() throws IOException {
    SettingsTable.check(
        Path.of("docs/security.md"),
        Path.of("src/main/java/org/robustws/auth/AuthProducer.java"),
        Map.of("mp.jwt.verify.publickey.location", "file:/etc/keys.json"),
        producer::settings,
        Map.of());
  }

  @Test
  void everySettingHasItsEnvironmentVariableForm() {
    AuthSettings settings =
        producer.settings(
            new MapConfig(
                Map.of(
                    "mp.jwt.verify.publickey.location", "file:/etc/keys.json",
                    "mp.jwt.verify.issuer", "https://sso",
                    "mp.jwt.verify.audiences", "a,b",
                    "mp.jwt.verify.publickey.algorithm", "ES256",
                    "mp.jwt.verify.clock.skew", "5",
                    "ws.auth.required", "true",
                    "ws.auth.timeout-ms", "2000",
                    "ws.auth.expiry-grace-ms", "0",
                    "ws.max-connections-per-user", "4")));
    AuthSettings.Verification v = settings.verifier().orElseThrow();
    assertEquals("file:/etc/keys.json", v.keyLocation());
    assertEquals("https://sso", v.issuer().orElseThrow());
    assertEquals(List.of("a", "b"), v.audiences());
    assertEquals("ES256", v.algorithm());
    assertEquals(5, v.clockSkewSeconds());
    assertEquals(new AuthSettings(settings.verifier(), true, 2000, 0, 4), settings);
  }

  /**
   * docs/security.md: an algorithm other than RS256 or ES256 fails the deployment (the producer
   * runs when the application starts) with a message naming the setting; both of those are
   * accepted.
   */
  @Test
  void anAlgorithmOtherThanRs256OrEs256IsRefusedNamingTheSetting() {
    for (String algorithm : List.of("RS256", "ES256")) {
      assertEquals(
          algorithm, producer.settings(keyWith(algorithm)).verifier().orElseThrow().algorithm());
    }
    for (String algorithm : List.of("HS256", "none", "RS384", "PS256", "rs256")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> producer.settings(keyWith(algorithm)));
      assertTrue(e.getMessage().contains("mp.jwt.verify.publickey.algorithm"), e.getMessage());
    }
  }

  private static MapConfig keyWith(String algorithm) {
    return new MapConfig(
        Map.of(
            "mp.jwt.verify.publickey.location",
            "file:/etc/keys.json",
            "mp.jwt.verify.publickey.algorithm",
            algorithm));
  }

  @Test
  void authenticationRequiredWithoutAKeyIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> producer.settings(new MapConfig(Map.of("ws.auth.required", "true"))));
  }

  @Test
  void namespaceRulesFromPropertiesAndEnvironmentVariablesThePropertyWinning() {
    Map<String, ChannelPermissions.Rules> rules =
        AuthProducer.namespaces(
            new MapConfig(
                Map.of(
                    "ws.namespace.news.publish", "role:editor",
                    "WS_NAMESPACE_NEWS_PUBLISH", "anyone",
                    "WS_NAMESPACE_NEWS_SUBSCRIBE", "anyone",
                    "WS_NAMESPACE_ORDERS_EU_SUBSCRIBE", "owner",
                    "ws.namespace.default.publish", "nobody")),
            new ChannelRule.Authenticated());
    ChannelPermissions permissions =
        new ChannelPermissions(
            rules,
            new ChannelPermissions.Rules(
                new ChannelRule.Authenticated(), new ChannelRule.Authenticated()),
            List.of());
    assertFalse(permissions.allows(ALICE, Action.PUBLISH, "news:x"), "the property wins");
    assertTrue(permissions.allows(null, Action.SUBSCRIBE, "news:x"));
    assertTrue(permissions.allows(ALICE, Action.SUBSCRIBE, "orders.eu:alice"));
    assertFalse(permissions.allows(ALICE, Action.SUBSCRIBE, "orders-eu:bob"));
    assertTrue(permissions.allows(ALICE, Action.PUBLISH, "orders:x"), "no rule: the fallback");
    assertFalse(permissions.allows(ALICE, Action.PUBLISH, "lobby"));
    assertTrue(permissions.allows(ALICE, Action.SUBSCRIBE, "lobby"), "the other rule: fallback");
  }

  @Test
  void anUnknownRuleNamesItsVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AuthProducer.namespaces(
                    new MapConfig(Map.of("WS_NAMESPACE_NEWS_PUBLISH", "editors")),
                    new ChannelRule.Anyone()));
    assertTrue(e.getMessage().contains("WS_NAMESPACE_NEWS_PUBLISH"), e.getMessage());
  }
}
