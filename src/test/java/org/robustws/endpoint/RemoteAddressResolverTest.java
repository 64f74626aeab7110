package org.robustws.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteAddressResolverTest {

  @Test
  void ignoresForwardedForFromUntrustedPeers() {
    RemoteAddressResolver resolver = new RemoteAddressResolver(List.of());
    assertEquals("203.0.113.9", resolver.resolve("203.0.113.9", "1.2.3.4"));
  }

  @Test
  void takesTheFirstUntrustedHopFromTheRight() {
    RemoteAddressResolver resolver = new RemoteAddressResolver(List.of("10.0.0.0/8", "::1"));
    assertEquals("198.51.100.7", resolver.resolve("10.1.2.3", "1.2.3.4, 198.51.100.7, 10.9.9.9"));
    assertEquals("198.51.100.7", resolver.resolve("::1", "198.51.100.7"));
    assertEquals("10.1.2.3", resolver.resolve("10.1.2.3", null));
  }

  @Test
  void stopsAtGarbageAndNeverLooksUpNames() {
    RemoteAddressResolver resolver = new RemoteAddressResolver(List.of("127.0.0.1"));
    assertEquals("127.0.0.1", resolver.resolve("127.0.0.1", "example.com"));
    assertEquals("127.0.0.1", resolver.resolve("127.0.0.1", "999.1.1.1"));
  }

  @Test
  void rejectsBadConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> new RemoteAddressResolver(List.of("proxy")));
  }
}
