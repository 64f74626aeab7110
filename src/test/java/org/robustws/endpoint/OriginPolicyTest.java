package org.robustws.endpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

  @Test
  void allowsTheServersOwnHostAndListedOrigins() {
    OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com/"), true);
    assertTrue(policy.allows("http://localhost:8080", "localhost:8080"));
    assertTrue(policy.allows("https://APP.example.com", "ws.example.com"));
    assertFalse(policy.allows("https://evil.example", "localhost:8080"));
    assertFalse(policy.allows("http://localhost:9999", "localhost:8080"), "another port");
    assertFalse(policy.allows("null", "localhost:8080"), "sandboxed pages send 'null'");
  }

  @Test
  void missingOriginIsConfigurable() {
    assertTrue(new OriginPolicy(List.of(), true).allows(null, "localhost:8080"));
    assertFalse(new OriginPolicy(List.of(), false).allows(null, "localhost:8080"));
  }

  @Test
  void starAllowsAny() {
    assertTrue(new OriginPolicy(List.of("*"), false).allows("https://anyone.example", "h"));
  }
}
