import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;

/**
 * What one token's verification costs on its own, on one thread: SmallRye JWT's parse as the
 * server's {@code JwtVerifier} configures it (RS256, the file JWKS, issuer, audience, 60 s skew),
 * and the bare {@code SHA256withRSA} check of the signature, in CPU µs per token, six repetitions
 * of ten passes over the tokens of bench/run-auth.sh (the first ones warm the JIT). Run it with
 * the jars of the provisioned server, under the lock:
 *
 * <pre>
 * M=target/server/modules/system/layers/base
 * CP=$(find $M/io/smallrye/jwt $M/io/smallrye/config $M/io/smallrye/common $M/org/bitbucket/jose4j \
 *   $M/org/eclipse/microprofile/jwt $M/org/eclipse/microprofile/config $M/org/eclipse/parsson \
 *   $M/jakarta/json/api $M/org/jboss/logging/main -name '*.jar' | tr '\n' :)$HOME/.m2/repository/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar
 * javac -cp "$CP" -d bench/work/classes bench/loadgen/VerifyCost.java
 * flock /tmp/heavy.lock java -cp "bench/work/classes:$CP" VerifyCost bench/work/auth/jwks.json bench/work/auth/tokens.txt
 * </pre>
 *
 * The tokens expire an hour after run-auth.sh made them. Prints no token.
 */
public final class VerifyCost {
  public static void main(String[] args) throws Exception {
    String jwks = Files.readString(Path.of(args[0]));
    List<String> tokens = Files.readAllLines(Path.of(args[1]));
    JWTAuthContextInfo context = new JWTAuthContextInfo();
    context.setPublicKeyLocation("file:" + args[0]);
    context.setIssuedBy("https://bench.invalid/auth");
    context.setExpectedAudience(Set.of("robust-ws-bench"));
    context.setSignatureAlgorithm(SignatureAlgorithm.RS256);
    context.setClockSkew(60);
    DefaultJWTParser parser = new DefaultJWTParser(context);
    PublicKey key = ((PublicJsonWebKey) new JsonWebKeySet(jwks).getJsonWebKeys().get(0)).getPublicKey();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < 6; rep++) {
      long t0 = mx.getCurrentThreadCpuTime();
      int n = 0;
      for (int pass = 0; pass < 10; pass++) {
        for (String t : tokens) {
          n += parser.parse(t).getSubject() != null ? 1 : 0;
        }
      }
      long t1 = mx.getCurrentThreadCpuTime();
      for (int pass = 0; pass < 10; pass++) {
        for (String t : tokens) {
          int dot = t.lastIndexOf('.');
          Signature s = Signature.getInstance("SHA256withRSA");
          s.initVerify(key);
          s.update(t.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
          if (!s.verify(Base64.getUrlDecoder().decode(t.substring(dot + 1)))) {
            throw new AssertionError("a signature did not verify");
          }
        }
      }
      long t2 = mx.getCurrentThreadCpuTime();
      System.out.printf(
          "repetition %d: SmallRye parse + verify %.1f µs per token; SHA256withRSA alone %.1f µs%n",
          rep, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
    }
  }
}
