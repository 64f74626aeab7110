package org.robustws.endpoint;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import org.robustws.wire.FrameLimits;

/**
 * Copies the few headers we keep out of the handshake request into the connection's user
 * properties. The request itself must not be kept: it would hold its buffers for the life of the
 * connection. Undertow gives each handshake its own copy of the properties map. Also prepares the
 * connection's frame-length check ({@link FrameLimits}).
 */
public class HandshakeCapture extends ServerEndpointConfig.Configurator {
  static final String USER_AGENT = "robustws.user-agent";
  static final String ORIGIN = "robustws.origin";
  static final String FORWARDED_FOR = "robustws.forwarded-for";

  @Override
  public void modifyHandshake(
      ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
    Map<String, List<String>> headers = request.getHeaders();
    Map<String, Object> properties = config.getUserProperties();
    copy(headers, "User-Agent", properties, USER_AGENT);
    copy(headers, "Origin", properties, ORIGIN);
    copy(headers, "X-Forwarded-For", properties, FORWARDED_FOR);
    FrameLimits.prepare(properties);
  }

  private static void copy(
      Map<String, List<String>> headers, String name, Map<String, Object> into, String key) {
    List<String> values = headers.get(name);
    if (values == null) {
      // header names are case-insensitive; the map's keys may not be
      values =
          headers.entrySet().stream()
              .filter(e -> e.getKey().equalsIgnoreCase(name))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(null);
    }
    if (values != null && !values.isEmpty()) {
      into.put(key, String.join(",", values));
    }
  }
}
