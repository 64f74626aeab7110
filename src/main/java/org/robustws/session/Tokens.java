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

  /** What is stored of a token: its SHA-256, so that the stored sessions hold no usable secret. */
  public static String hash(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return ENCODER.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  /** Whether two hashes are the same, in constant time; false if either is missing. */
  static boolean sameHash(String expectedHash, String hash) {
    return expectedHash != null
        && hash != null
        && MessageDigest.isEqual(
            expectedHash.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code token} hashes to {@code expectedHash}, in constant time. */
  static boolean matches(String expectedHash, String token) {
    return token != null && sameHash(expectedHash, hash(token));
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK since 9 provides DRBG", e);
    }
  }
}
