package org.robustws.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers and resume tokens. */
public final class Tokens {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  /**
   * One generator per thread: {@code new SecureRandom()} on Linux is NativePRNG, whose instances
   * all share one lock and read {@code /dev/urandom} on every call, and thousands of clients
   * reconnecting at once queued on it (bench/RESULTS.md, resume storm). DRBG instances are
   * independent, each seeded from the system's entropy when its thread first needs it.
   */
  private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(Tokens::drbg);

  /** A random identifier with the given prefix and {@code bytes} bytes of entropy. */
  public String next(String prefix, int bytes) {
    byte[] buffer = new byte[bytes];
    random.get().nextBytes(buffer);
    return prefix + ENCODER.encodeToString(buffer);
  }

  /** Compares secrets in constant time, so timing tells an attacker nothing. */
  static boolean matches(String expected, String actual) {
    return actual != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK since 9 provides DRBG", e);
    }
  }
}
