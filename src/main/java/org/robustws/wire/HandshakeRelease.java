package org.robustws.wire;

import io.undertow.server.protocol.http.HttpServerConnection;
import java.lang.reflect.Field;
import java.util.List;

/**
 * Lets go of the handshake's request once the connection is a WebSocket. Undertow 2.3 keeps every
 * HTTP connection in its listener's set of open connections until it closes, and an upgraded
 * connection keeps three references to its last exchange: its read listener's exchange, its
 * response conduit's exchange, and its upgrade listener (which holds the servlet request and
 * response). So the handshake's exchange, servlet request and response, header maps and their
 * strings stay reachable as long as the WebSocket lives (bench/RESULTS.md, issue 15: 2.3 of the 9.9
 * KiB an idle connection cost). Undertow reads none of them after the upgrade.
 *
 * <p>There is no API for it: the fields are set to null by reflection. If a later Undertow renames
 * one, that one is skipped and the connection simply keeps it, as it does without this class;
 * HandshakeReleaseTest fails then, so that an upgrade does not lose this silently.
 */
final class HandshakeRelease {
  // looked up once: the same fields for every connection
  private static final Field UPGRADE_LISTENER =
      field(HttpServerConnection.class, "upgradeListener");
  private static final Field RESPONSE_CONDUIT =
      field(HttpServerConnection.class, "responseConduit");
  private static final Field READ_LISTENER = field(HttpServerConnection.class, "readListener");
  private static final Field RESPONSE_EXCHANGE = fieldOf(RESPONSE_CONDUIT, "exchange");
  private static final Field READ_EXCHANGE = fieldOf(READ_LISTENER, "httpServerExchange");

  private HandshakeRelease() {}

  /** After the upgrade listener ran (that is, from {@code @OnOpen} on). */
  static void release(HttpServerConnection connection) {
    clear(UPGRADE_LISTENER, connection);
    clear(RESPONSE_EXCHANGE, read(RESPONSE_CONDUIT, connection));
    clear(READ_EXCHANGE, read(READ_LISTENER, connection));
  }

  private static Object read(Field field, Object owner) {
    try {
      return field == null ? null : field.get(owner);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static void clear(Field field, Object owner) {
    if (field != null && owner != null) {
      try {
        field.set(owner, null);
      } catch (IllegalAccessException e) {
        // not accessible after all: the reference stays, as without this class
      }
    }
  }

  /** The reference field {@code name} of the type {@code holder} declares, or null. */
  private static Field fieldOf(Field holder, String name) {
    return holder == null ? null : field(holder.getType(), name);
  }

  /** The reference field {@code name} of {@code type}, accessible, or null. */
  static Field field(Class<?> type, String name) {
    for (Field field : List.of(type.getDeclaredFields())) {
      if (field.getName().equals(name) && !field.getType().isPrimitive()) {
        try {
          field.setAccessible(true);
          return field;
        } catch (RuntimeException e) {
          return null;
        }
      }
    }
    return null;
  }
}
