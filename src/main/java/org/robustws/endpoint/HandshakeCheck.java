package org.robustws.endpoint;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Base64;
import java.util.Collections;

/** The parts of RFC 6455 section 4.2.1 that Undertow does not check before its upgrade. */
final class HandshakeCheck {
  /** The only version RFC 6455 defines. */
  static final String VERSION = "13";

  private static final int KEY_BYTES = 16;

  private HandshakeCheck() {}

  /** Why this WebSocket upgrade request is malformed, or null when it is not. */
  static String invalid(HttpServletRequest request) {
    if (!"GET".equals(request.getMethod())) {
      return "a WebSocket handshake must be a GET request";
    }
    if (!hasToken(request, "Connection", "upgrade")) {
      return "the Connection header must contain Upgrade";
    }
    if (!validKey(request.getHeader("Sec-WebSocket-Key"))) {
      return "Sec-WebSocket-Key must be 16 bytes in base64";
    }
    return null;
  }

  static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == KEY_BYTES;
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  private static boolean hasToken(HttpServletRequest request, String header, String token) {
    for (String value : Collections.list(request.getHeaders(header))) {
      for (String part : value.split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }
}
