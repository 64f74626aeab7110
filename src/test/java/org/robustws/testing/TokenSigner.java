package org.robustws.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Real keys made with the JDK (through jose4j) and real signed tokens for tests: an RSA and an EC
 * key pair, their public JWKS, and tokens with whatever claims a test needs, valid or not.
 */
public final class TokenSigner {
  public static final String ISSUER = "https://issuer.test/realms/robust";
  public static final String AUDIENCE = "robust-ws";

  public final RsaJsonWebKey rsa;
  public final EllipticCurveJsonWebKey ec;

  public TokenSigner() {
    this("rsa-1", "ec-1");
  }

  public TokenSigner(String rsaKid, String ecKid) {
    try {
      rsa = RsaJwkGenerator.generateJwk(2048);
      rsa.setKeyId(rsaKid);
      ec = EcJwkGenerator.generateJwk(EllipticCurves.P256);
      ec.setKeyId(ecKid);
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new RSA key with this {@code kid}, for rotations. */
  public static RsaJsonWebKey rsaKey(String kid) throws JoseException {
    RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId(kid);
    return key;
  }

  /** The public JWKS of {@code keys}. */
  public static String jwks(PublicJsonWebKey... keys) {
    return new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
  }

  /** Writes this signer's public JWKS (both keys) to {@code file}. */
  public Path writeJwks(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, jwks(rsa, ec), StandardCharsets.UTF_8);
  }

  /**
   * Claims of a token that is valid now: this issuer and audience, issued now, expiring in {@code
   * lifeSeconds}.
   */
  public static JwtClaims claims(String subject, long lifeSeconds, String... groups) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(ISSUER);
    claims.setAudience(AUDIENCE);
    claims.setSubject(subject);
    claims.setIssuedAtToNow();
    claims.setExpirationTime(
        NumericDate.fromMilliseconds(System.currentTimeMillis() + lifeSeconds * 1000));
    if (groups.length > 0) {
      claims.setStringListClaim("groups", new ArrayList<>(List.of(groups)));
    }
    return claims;
  }

  /** An RS256 token of the RSA key, valid for {@code lifeSeconds}. */
  public String rs256(String subject, long lifeSeconds, String... groups) {
    return rs256(claims(subject, lifeSeconds, groups), rsa);
  }

  /** An ES256 token of the EC key, valid for {@code lifeSeconds}. */
  public String es256(String subject, long lifeSeconds, String... groups) {
    return sign(
        claims(subject, lifeSeconds, groups),
        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
        ec);
  }

  /** {@code claims} signed with RS256 by {@code key}, its {@code kid} named. */
  public static String rs256(JwtClaims claims, RsaJsonWebKey key) {
    return sign(claims, AlgorithmIdentifiers.RSA_USING_SHA256, key);
  }

  /** {@code claims} signed by {@code key} with {@code algorithm}, the key's {@code kid} named. */
  public static String sign(JwtClaims claims, String algorithm, PublicJsonWebKey key) {
    return sign(claims, algorithm, key.getPrivateKey(), key.getKeyId());
  }

  public static String sign(JwtClaims claims, String algorithm, Key key, String kid) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(algorithm);
    jws.setHeader("typ", "JWT");
    if (kid != null) {
      jws.setKeyIdHeaderValue(kid);
    }
    jws.setKey(key);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code claims} with {@code alg} {@code none}: no signature at all. */
  public static String unsigned(JwtClaims claims) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code claims} signed with HS256, the RSA public key's encoded bytes as the secret: the old
   * attack on verifiers that let the token choose the algorithm.
   */
  public String hs256WithPublicKey(JwtClaims claims) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
    jws.setKeyIdHeaderValue(rsa.getKeyId());
    jws.setKey(new HmacKey(rsa.getPublicKey().getEncoded()));
    jws.setDoKeyValidation(false);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }
}
