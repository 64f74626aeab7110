package org.robustws.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers and resume tokens. */
public final class Tokens {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private final SecureRandom random = new SecureRandom();

  /** A random identifier with the given prefix and {@code bytes} bytes of entropy. */
  public String next(String prefix, int bytes) {
    byte[] buffer = new byte[bytes];
    random.nextBytes(buffer);
    return prefix + ENCODER.encodeToString(buffer);
  }

  /** Compares secrets in constant time, so timing tells an attacker nothing. */
  static boolean matches(String expected, String actual) {
    return actual != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
  }
}
