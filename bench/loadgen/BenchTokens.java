import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

/**
 * Key and tokens for bench/run-auth.sh: a fresh 2048-bit RSA key, its public JWKS (with a {@code
 * kid}) for the server's {@code mp.jwt.verify.publickey.location}, and {@code n} RS256 tokens, one
 * per line, with distinct {@code sub}s ({@code bench-user-0} …), {@code iss}, {@code aud}, {@code
 * groups}, {@code iat} now and {@code exp} in {@code exp-minutes}. The private key is never
 * written. Prints only counts and sizes, never a token.
 *
 * <p>Compiled against jose4j 0.9.6 and slf4j-api (from ~/.m2), as run-auth.sh does. Arguments
 * key=value: {@code jwks}, {@code tokens}, {@code n} (1000), {@code issuer}, {@code audience},
 * {@code exp-minutes} (60).
 */
public final class BenchTokens {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int n = Integer.parseInt(a.getOrDefault("n", "1000"));
    float expMinutes = Float.parseFloat(a.getOrDefault("exp-minutes", "60"));
    String issuer = a.getOrDefault("issuer", "https://bench.invalid/auth");
    String audience = a.getOrDefault("audience", "robust-ws-bench");

    RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId("bench-" + Long.toString(System.currentTimeMillis(), 36));
    key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
    key.setUse("sig");
    String jwks = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    Files.writeString(Path.of(a.get("jwks")), jwks);

    List<String> tokens = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JwtClaims claims = new JwtClaims();
      claims.setIssuer(issuer);
      claims.setAudience(audience);
      claims.setSubject("bench-user-" + i);
      claims.setStringListClaim("groups", "user");
      claims.setIssuedAtToNow();
      claims.setExpirationTimeMinutesInTheFuture(expMinutes);
      claims.setGeneratedJwtId();
      JsonWebSignature jws = new JsonWebSignature();
      jws.setPayload(claims.toJson());
      jws.setKey(key.getPrivateKey());
      jws.setKeyIdHeaderValue(key.getKeyId());
      jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
      tokens.add(jws.getCompactSerialization());
    }
    Path out = Path.of(a.get("tokens"));
    Files.write(out, tokens);
    System.err.printf(
        "wrote a JWKS (kid %s) and %d RS256 tokens of %d characters each (exp in %.0f min)%n",
        key.getKeyId(), n, tokens.get(0).length(), expMinutes);
  }
}
