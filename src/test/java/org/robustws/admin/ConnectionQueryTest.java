package org.robustws.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;

class ConnectionQueryTest {
  private static final List<ConnectionSnapshot> CONNECTIONS =
      List.of(
          Snapshots.of("c-1", "ws", "connected", 0, 0, null),
          Snapshots.of("c-2", "legacy", "connected", 0, 0, null),
          Snapshots.of("c-3", "ws", "disconnecting", 0, 0, null),
          Snapshots.of("c-4", "ws", "connected", 0, 0, null));

  @Test
  void defaultsToEverythingAndAHundredPerPage() {
    ConnectionQuery query = ConnectionQuery.parse(null, null, null, null);
    assertNull(query.endpoint());
    assertNull(query.state());
    assertEquals(0, query.offset());
    assertEquals(100, query.limit());
    assertEquals(4, query.apply(CONNECTIONS).items().size());
  }

  @Test
  void filtersByEndpointAndState() {
    ConnectionPage page = ConnectionQuery.parse("ws", "connected", null, null).apply(CONNECTIONS);
    assertEquals(2, page.total());
    assertEquals(List.of("c-1", "c-4"), ids(page));
    assertEquals(
        List.of("c-2"), ids(ConnectionQuery.parse("LEGACY", null, null, null).apply(CONNECTIONS)));
    assertEquals(
        ConnectionState.DISCONNECTING,
        ConnectionQuery.parse(null, "Disconnecting", null, null).state());
    assertEquals(EndpointKind.LEGACY, ConnectionQuery.parse("legacy", null, null, null).endpoint());
  }

  @Test
  void pagesWithTheTotalOfAllMatches() {
    ConnectionPage page = ConnectionQuery.parse(null, null, "1", "2").apply(CONNECTIONS);
    assertEquals(4, page.total());
    assertEquals(1, page.offset());
    assertEquals(2, page.limit());
    assertEquals(List.of("c-2", "c-3"), ids(page));
    ConnectionPage beyond = ConnectionQuery.parse(null, null, "10", "2").apply(CONNECTIONS);
    assertEquals(4, beyond.total());
    assertEquals(List.of(), beyond.items());
  }

  @Test
  void lowersTheLimitToAThousand() {
    List<ConnectionSnapshot> many =
        IntStream.range(0, 1_500)
            .mapToObj(i -> Snapshots.of("c-" + i, "ws", "connected", 0, 0, null))
            .toList();
    ConnectionPage page = ConnectionQuery.parse(null, null, "0", "5000").apply(many);
    assertEquals(1_000, page.limit());
    assertEquals(1_000, page.items().size());
    assertEquals(1_500, page.total());
    assertEquals(1_000, ConnectionQuery.parse(null, null, null, "2147483647").limit());
  }

  @Test
  void refusesValuesThatMakeNoSense() {
    assertThrows(IllegalArgumentException.class, () -> parse("wss", null, null, null));
    assertThrows(IllegalArgumentException.class, () -> parse(null, "open", null, null));
    assertThrows(IllegalArgumentException.class, () -> parse(null, null, "-1", null));
    assertThrows(IllegalArgumentException.class, () -> parse(null, null, "x", null));
    assertThrows(IllegalArgumentException.class, () -> parse(null, null, null, "0"));
    assertThrows(IllegalArgumentException.class, () -> parse(null, null, null, "9999999999"));
  }

  private static ConnectionQuery parse(String endpoint, String state, String offset, String limit) {
    return ConnectionQuery.parse(endpoint, state, offset, limit);
  }

  private static List<String> ids(ConnectionPage page) {
    return page.items().stream().map(ConnectionSnapshot::id).toList();
  }
}
