package org.robustws.auth;

import java.util.List;
import java.util.Optional;

/**
 * Every authentication setting, read once at startup by {@link AuthProducer} (docs/security.md).
 *
 * @param verifier how tokens are verified; empty when {@code mp.jwt.verify.publickey.location} is
 *     not set, and then no token is accepted and every channel is open to anyone by default
 * @param required whether every {@code /ws} connection must authenticate ({@code ws.auth.required})
 * @param timeoutMs how long a connection may take to authenticate when it must
 * @param expiryGraceMs how long after its token's {@code exp} a connection is closed with 4004
 * @param maxConnectionsPerUser connections one {@code sub} may hold; 0 for no cap
 */
public record AuthSettings(
    Optional<Verification> verifier,
    boolean required,
    long timeoutMs,
    long expiryGraceMs,
    int maxConnectionsPerUser) {

  public AuthSettings {
    if (required && verifier.isEmpty()) {
      throw new IllegalArgumentException(
          "ws.auth.required=true needs mp.jwt.verify.publickey.location: no token could be verified");
    }
    if (timeoutMs <= 0 || expiryGraceMs < 0 || maxConnectionsPerUser < 0) {
      throw new IllegalArgumentException(
          "ws.auth.timeout-ms must be positive, ws.auth.expiry-grace-ms and"
              + " ws.max-connections-per-user not negative");
    }
  }

  /**
   * The {@code mp.jwt.verify.*} keys.
   *
   * @param keyLocation PEM, JWK or JWKS: {@code file:}, {@code classpath:}, {@code http(s):}
   * @param issuer the required {@code iss}, or empty for any
   * @param audiences one of them must be in {@code aud}; empty for any
   * @param algorithm {@code RS256} or {@code ES256}
   * @param clockSkewSeconds how much {@code exp} and {@code nbf} may be off
   */
  public record Verification(
      String keyLocation,
      Optional<String> issuer,
      List<String> audiences,
      String algorithm,
      int clockSkewSeconds) {
    public Verification {
      audiences = List.copyOf(audiences);
      if (!List.of("RS256", "ES256").contains(algorithm)) {
        throw new IllegalArgumentException(
            "mp.jwt.verify.publickey.algorithm must be RS256 or ES256, not " + algorithm);
      }
    }
  }

  /** Without a verifier: the defaults. */
  public static AuthSettings off() {
    return new AuthSettings(Optional.empty(), false, 10_000, 30_000, 0);
  }

  public boolean enabled() {
    return verifier.isPresent();
  }
}
