package org.robustws.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.InvalidJwtSignatureException;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies JWTs with SmallRye JWT, the library WildFly ships, configured by the standard {@code
 * mp.jwt.verify.*} keys: signature with the configured key and algorithm only (so never {@code
 * none}, nor HS256 with the public key as a secret), {@code exp} required, {@code iss}, {@code
 * aud}, {@code nbf}, each with the clock skew. A key set at an {@code http(s)} location is loaded
 * again on a token whose {@code kid} it lacks, at most once per {@code
 * smallrye.jwt.jwks.forced-refresh-interval} minutes; a file is read once. Thread-safe: one parser
 * for all connections.
 *
 * <p>Key fetching is blocking I/O on the calling thread: the first verification after the start and
 * a reload run it, so {@link #warmUp()} loads the key at deploy time.
 */
public final class JwtVerifier implements TokenVerifier {
  private final DefaultJWTParser parser;
  private final String algorithm;

  public JwtVerifier(
      AuthSettings.Verification settings, int jwksRefreshMinutes, int forcedMinutes) {
    String location = settings.keyLocation();
    if (location.startsWith("file:") || !location.contains(":")) {
      Path file = Path.of(location.startsWith("file:") ? location.substring(5) : location);
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            "mp.jwt.verify.publickey.location: " + file + " cannot be read");
      }
    }
    JWTAuthContextInfo context = new JWTAuthContextInfo();
    context.setPublicKeyLocation(location);
    settings.issuer().ifPresent(context::setIssuedBy);
    if (!settings.audiences().isEmpty()) {
      context.setExpectedAudience(new HashSet<>(settings.audiences()));
    }
    context.setSignatureAlgorithm(SignatureAlgorithm.fromAlgorithm(settings.algorithm()));
    context.setClockSkew(settings.clockSkewSeconds());
    context.setJwksRefreshInterval(jwksRefreshMinutes);
    context.setForcedJwksRefreshInterval(forcedMinutes);
    this.parser = new DefaultJWTParser(context);
    this.algorithm = settings.algorithm();
  }

  /** Loads the key (set) now, on the deploying thread, rather than at the first client's token. */
  public void warmUp() {
    try {
      parser.parse("e30.e30.e30");
    } catch (ParseException expected) {
      // the point was the key resolver's creation and its first load
    }
  }

  @Override
  public Identity verify(String token) throws AuthFailure {
    requireAlgorithm(token);
    JsonWebToken jwt;
    try {
      jwt = parser.parse(token);
    } catch (ParseException e) {
      throw classify(e);
    }
    String subject = jwt.getSubject();
    if (subject == null || subject.isEmpty()) {
      throw new AuthFailure(AuthFailure.Reason.MALFORMED, "the token has no 'sub'");
    }
    Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
    return new Identity(subject, groups, jwt.getExpirationTime() * 1000);
  }

  /**
   * Refuses a token of another algorithm before any key is looked up: SmallRye looks the key up
   * first, so such a token would be refused as of an unknown key, and a token without {@code kid}
   * ({@code none}) would make it load the key set again.
   */
  private void requireAlgorithm(String token) throws AuthFailure {
    String alg;
    try {
      alg = JsonWebStructure.fromCompactSerialization(token).getAlgorithmHeaderValue();
    } catch (JoseException e) {
      throw failure(AuthFailure.Reason.MALFORMED, "not a signed JWT");
    }
    if (!algorithm.equals(alg)) {
      throw failure(AuthFailure.Reason.ALGORITHM, "its algorithm is not the configured one");
    }
  }

  /**
   * Why SmallRye refused a token. Its messages quote the token's claims, so only the reason and a
   * fixed text leave this method. A claim problem other than expiry wins over expiry: a fresh token
   * of the same kind would fail again.
   */
  static AuthFailure classify(ParseException e) {
    InvalidJwtException invalid = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvableKeyException) {
        return failure(AuthFailure.Reason.UNKNOWN_KEY, "no key of the key set verifies it");
      }
      if (t instanceof InvalidAlgorithmException) {
        return failure(AuthFailure.Reason.ALGORITHM, "its algorithm is not the configured one");
      }
      if (invalid == null && t instanceof InvalidJwtException found) {
        invalid = found;
      }
    }
    if (invalid == null) {
      return failure(AuthFailure.Reason.MALFORMED, "not a signed JWT");
    }
    if (invalid instanceof InvalidJwtSignatureException
        || invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
      return failure(AuthFailure.Reason.SIGNATURE, "its signature does not verify");
    }
    if (invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
      return failure(AuthFailure.Reason.MISSING_EXP, "it has no 'exp'");
    }
    if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID)
        || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
      return failure(AuthFailure.Reason.ISSUER, "it is from another issuer");
    }
    if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)
        || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
      return failure(AuthFailure.Reason.AUDIENCE, "it is for another audience");
    }
    if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
      return failure(AuthFailure.Reason.NOT_BEFORE, "it is not valid yet ('nbf')");
    }
    if (invalid.hasExpired()) {
      return failure(AuthFailure.Reason.EXPIRED, "it has expired");
    }
    return failure(AuthFailure.Reason.MALFORMED, "it is not a valid JWT");
  }

  private static AuthFailure failure(AuthFailure.Reason reason, String why) {
    return new AuthFailure(reason, "token refused: " + why);
  }
}
