package org.robustws.admin;

import java.util.List;
import java.util.Locale;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;

/**
 * The filters and the page of {@code GET /api/connections}, parsed from query parameters.
 *
 * @param endpoint only this endpoint, or {@code null} for both
 * @param state only this state, or {@code null} for all
 */
record ConnectionQuery(EndpointKind endpoint, ConnectionState state, int offset, int limit) {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  /**
   * Reads the query parameters; {@code null} means absent. A limit above {@value #MAX_LIMIT} is
   * lowered to it.
   *
   * @throws IllegalArgumentException with a message for the client if a value is not valid
   */
  static ConnectionQuery parse(String endpoint, String state, String offset, String limit) {
    return new ConnectionQuery(
        endpoint == null ? null : endpoint(endpoint),
        state == null ? null : state(state),
        number("offset", offset, 0, 0),
        Math.min(number("limit", limit, DEFAULT_LIMIT, 1), MAX_LIMIT));
  }

  ConnectionPage apply(List<ConnectionSnapshot> connections) {
    List<ConnectionSnapshot> matching =
        connections.stream()
            .filter(c -> endpoint == null || endpoint.label().equals(c.endpoint()))
            .filter(c -> state == null || state.label().equals(c.state()))
            .toList();
    int from = Math.min(offset, matching.size());
    int to = (int) Math.min((long) from + limit, matching.size());
    return new ConnectionPage(matching.size(), offset, limit, matching.subList(from, to));
  }

  private static EndpointKind endpoint(String value) {
    for (EndpointKind kind : EndpointKind.values()) {
      if (kind.label().equalsIgnoreCase(value)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("endpoint must be 'ws' or 'legacy'");
  }

  private static ConnectionState state(String value) {
    try {
      return ConnectionState.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "state must be connecting, connected, disconnecting, disconnected or error", e);
    }
  }

  private static int number(String name, String value, int absent, int min) {
    if (value == null) {
      return absent;
    }
    String problem = name + " must be an integer of at least " + min;
    int number;
    try {
      number = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(problem, e);
    }
    if (number < min) {
      throw new IllegalArgumentException(problem);
    }
    return number;
  }
}
