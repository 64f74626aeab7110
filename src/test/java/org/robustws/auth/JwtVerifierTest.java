package org.robustws.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustws.testing.JwksServer;
import org.robustws.testing.TokenSigner;

/**
 * {@link JwtVerifier} with SmallRye JWT and real keys: every way a token is refused has its reason,
 * and no token is accepted but one signed by the configured key with the configured algorithm.
 */
class JwtVerifierTest {
  private static final TokenSigner SIGNER = new TokenSigner();
  @TempDir Path dir;

  private JwtVerifier verifier(String location, String algorithm) {
    return new JwtVerifier(
        new AuthSettings.Verification(
            location,
            Optional.of(TokenSigner.ISSUER),
            List.of(TokenSigner.AUDIENCE),
            algorithm,
            60),
        60,
        30);
  }

  private JwtVerifier rs256() throws Exception {
    return verifier("file:" + SIGNER.writeJwks(dir.resolve("jwks.json")), "RS256");
  }

  private static AuthFailure.Reason refused(TokenVerifier verifier, String token) {
    return assertThrows(AuthFailure.class, () -> verifier.verify(token)).reason();
  }

  @Test
  void aValidTokenGivesItsSubjectGroupsAndExpiry() throws Exception {
    JwtClaims claims = TokenSigner.claims("alice", 300, "editor", "admin");
    Identity identity = rs256().verify(TokenSigner.rs256(claims, SIGNER.rsa));
    assertEquals("alice", identity.subject());
    assertEquals(Set.of("editor", "admin"), identity.groups());
    assertEquals(claims.getExpirationTime().getValueInMillis(), identity.expiresAt());
  }

  @Test
  void everyInvalidTokenHasItsReason() throws Exception {
    JwtVerifier verifier = rs256();

    JwtClaims noExp = TokenSigner.claims("alice", 300);
    noExp.unsetClaim("exp");
    assertEquals(
        AuthFailure.Reason.MISSING_EXP, refused(verifier, TokenSigner.rs256(noExp, SIGNER.rsa)));

    JwtClaims valid = TokenSigner.claims("alice", 300);
    assertEquals(AuthFailure.Reason.ALGORITHM, refused(verifier, TokenSigner.unsigned(valid)));
    assertEquals(AuthFailure.Reason.ALGORITHM, refused(verifier, SIGNER.hs256WithPublicKey(valid)));
    assertEquals(AuthFailure.Reason.ALGORITHM, refused(verifier, SIGNER.es256("alice", 300)));

    RsaJsonWebKey impostor = TokenSigner.rsaKey(SIGNER.rsa.getKeyId());
    assertEquals(
        AuthFailure.Reason.SIGNATURE, refused(verifier, TokenSigner.rs256(valid, impostor)));
    String good = TokenSigner.rs256(valid, SIGNER.rsa);
    String[] parts = good.split("\\.");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    TokenSigner.claims("mallory", 300).toJson().getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertEquals(AuthFailure.Reason.SIGNATURE, refused(verifier, tampered));

    JwtClaims otherIssuer = TokenSigner.claims("alice", 300);
    otherIssuer.setIssuer("https://evil.test");
    assertEquals(
        AuthFailure.Reason.ISSUER, refused(verifier, TokenSigner.rs256(otherIssuer, SIGNER.rsa)));

    JwtClaims otherAudience = TokenSigner.claims("alice", 300);
    otherAudience.setAudience("another-service");
    assertEquals(
        AuthFailure.Reason.AUDIENCE,
        refused(verifier, TokenSigner.rs256(otherAudience, SIGNER.rsa)));

    JwtClaims notYet = TokenSigner.claims("alice", 3600);
    notYet.setNotBefore(NumericDate.fromMilliseconds(System.currentTimeMillis() + 600_000));
    assertEquals(
        AuthFailure.Reason.NOT_BEFORE, refused(verifier, TokenSigner.rs256(notYet, SIGNER.rsa)));

    // past exp by more than the 60 s clock skew
    assertEquals(AuthFailure.Reason.EXPIRED, refused(verifier, SIGNER.rs256("alice", -120)));

    RsaJsonWebKey stranger = TokenSigner.rsaKey("rsa-unknown");
    assertEquals(
        AuthFailure.Reason.UNKNOWN_KEY, refused(verifier, TokenSigner.rs256(valid, stranger)));

    JwtClaims noSubject = TokenSigner.claims("alice", 300);
    noSubject.unsetClaim("sub");
    noSubject.setClaim("upn", "alice@example.com");
    assertEquals(
        AuthFailure.Reason.MALFORMED, refused(verifier, TokenSigner.rs256(noSubject, SIGNER.rsa)));
    for (String garbage : List.of("", "abc", "a.b", "a.b.c", "ä.ö.ü", "eyJhbGciOiJSUzI1NiJ9..x")) {
      assertEquals(AuthFailure.Reason.MALFORMED, refused(verifier, garbage), garbage);
    }
  }

  @Test
  void expiryLosesToAnyOtherClaimProblem() throws Exception {
    JwtClaims expiredForeign = TokenSigner.claims("alice", -120);
    expiredForeign.setAudience("another-service");
    assertEquals(
        AuthFailure.Reason.AUDIENCE,
        refused(rs256(), TokenSigner.rs256(expiredForeign, SIGNER.rsa)));
  }

  @Test
  void es256WithAKeyInPemOrAsOneJwk() throws Exception {
    Path pem = dir.resolve("ec.pem");
    Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(SIGNER.ec.getPublicKey().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    assertEquals(
        "bob", verifier(pem.toString(), "ES256").verify(SIGNER.es256("bob", 60)).subject());
    Path jwk = dir.resolve("ec.jwk");
    Files.writeString(jwk, SIGNER.ec.toJson());
    JwtVerifier fromJwk = verifier("file:" + jwk, "ES256");
    assertEquals("bob", fromJwk.verify(SIGNER.es256("bob", 60)).subject());
    assertEquals(AuthFailure.Reason.ALGORITHM, refused(fromJwk, SIGNER.rs256("bob", 60)));
  }

  @Test
  void aTokenWithoutIatIsMalformed() throws Exception {
    JwtClaims noIat = TokenSigner.claims("alice", 300);
    noIat.unsetClaim("iat");
    assertEquals(
        AuthFailure.Reason.MALFORMED, refused(rs256(), TokenSigner.rs256(noIat, SIGNER.rsa)));
  }

  /** A key set in a file is read once, when the verifier starts: a key added later is unknown. */
  @Test
  void aKeyFileIsReadOnce() throws Exception {
    Path file = dir.resolve("once.json");
    Files.writeString(file, TokenSigner.jwks(SIGNER.rsa));
    JwtVerifier verifier = verifier("file:" + file, "RS256");
    verifier.warmUp();
    RsaJsonWebKey added = TokenSigner.rsaKey("rsa-added");
    Files.writeString(file, TokenSigner.jwks(SIGNER.rsa, added));
    JwtClaims claims = TokenSigner.claims("alice", 300);
    assertEquals(
        AuthFailure.Reason.UNKNOWN_KEY, refused(verifier, TokenSigner.rs256(claims, added)));
    assertEquals("alice", verifier.verify(SIGNER.rs256("alice", 60)).subject());
  }

  @Test
  void anUnreadableKeyFileFailsAtOnce() {
    assertThrows(
        IllegalArgumentException.class,
        () -> verifier("file:" + dir.resolve("missing.json"), "RS256"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AuthSettings.Verification("file:/x", Optional.empty(), List.of(), "HS256", 60));
  }

  /**
   * A key set served over HTTP: a token of a new {@code kid} makes the verifier load the set again
   * once, which takes in a rotated key; a {@code kid} still unknown after that is refused.
   */
  @Test
  void aRotatedKeyIsFoundByReloadingTheKeySetOnce() throws Exception {
    RsaJsonWebKey next = TokenSigner.rsaKey("rsa-2");
    try (JwksServer keys = new JwksServer(TokenSigner.jwks(SIGNER.rsa))) {
      JwtVerifier verifier = verifier(keys.location(), "RS256");
      verifier.warmUp();
      assertEquals(1, keys.fetches(), "the key set is loaded at the start");
      assertEquals("alice", verifier.verify(SIGNER.rs256("alice", 60)).subject());

      keys.serve(TokenSigner.jwks(SIGNER.rsa, next));
      // jose4j loads a key set at most every 300 ms, whatever asks it to: time must pass, as it
      // does between a deployment and a rotation
      Thread.sleep(400);
      JwtClaims claims = TokenSigner.claims("carol", 60);
      assertEquals("carol", verifier.verify(TokenSigner.rs256(claims, next)).subject());
      assertEquals(2, keys.fetches());

      RsaJsonWebKey stranger = TokenSigner.rsaKey("rsa-3");
      assertEquals(
          AuthFailure.Reason.UNKNOWN_KEY, refused(verifier, TokenSigner.rs256(claims, stranger)));
      assertEquals(2, keys.fetches(), "one reload per forced-refresh interval, not one per token");
      assertFalse(verifier.verify(SIGNER.rs256("alice", 60)).subject().isEmpty());
    }
  }
}
