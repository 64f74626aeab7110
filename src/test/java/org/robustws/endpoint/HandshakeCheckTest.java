package org.robustws.endpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class HandshakeCheckTest {
  @Test
  void aKeyIsSixteenBytesInBase64() {
    assertTrue(HandshakeCheck.validKey("dGhlIHNhbXBsZSBub25jZQ==")); // RFC 6455 section 1.3
    assertTrue(HandshakeCheck.validKey(Base64.getEncoder().encodeToString(new byte[16])));
    assertFalse(HandshakeCheck.validKey(Base64.getEncoder().encodeToString(new byte[15])));
    assertFalse(HandshakeCheck.validKey(Base64.getEncoder().encodeToString(new byte[17])));
    assertFalse(HandshakeCheck.validKey("abc"));
    assertFalse(HandshakeCheck.validKey("dGhlIHNhbXBsZSBub25jZQ=!"));
    assertFalse(HandshakeCheck.validKey(""));
    assertFalse(HandshakeCheck.validKey(null));
  }
}
