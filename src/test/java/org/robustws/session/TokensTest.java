package org.robustws.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokensTest {
  private final Tokens tokens = new Tokens();

  @Test
  void identifiersAreUrlSafeAndDistinctAcrossThreads() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 20_000).parallel().forEach(i -> seen.add(tokens.next("s-", 12)));
    assertEquals(20_000, seen.size());
    for (String id : seen) {
      assertEquals(18, id.length()); // the prefix and 12 bytes in unpadded base64url
      assertTrue(id.substring(2).matches("[A-Za-z0-9_-]+"), id);
    }
  }

  @Test
  void matchesOnlyTheSecretOfTheStoredHash() {
    String secret = tokens.next("", 24);
    String hash = Tokens.hash(secret);
    assertFalse(hash.contains(secret));
    assertTrue(Tokens.matches(hash, new String(secret)));
    assertFalse(Tokens.matches(hash, secret.substring(1)));
    assertFalse(Tokens.matches(hash, hash));
    assertFalse(Tokens.matches(hash, null));
    assertFalse(Tokens.matches(null, secret));
  }
}
