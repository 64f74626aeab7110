package org.robustws.admin;

import java.util.Set;
import org.robustws.connection.ConnectionSnapshot;

/** Connection snapshots with only the fields the admin code reads set. */
final class Snapshots {
  private Snapshots() {}

  static ConnectionSnapshot of(
      String id, String endpoint, String state, long in, long out, Double rttMillis) {
    return new ConnectionSnapshot(
        id,
        endpoint,
        state,
        "127.0.0.1",
        null,
        null,
        "",
        1_000,
        1_000,
        in,
        in * 10,
        out,
        out * 10,
        0,
        0,
        "ws".equals(endpoint) ? "s-" + id : null,
        Set.of(),
        rttMillis,
        null,
        null);
  }
}
