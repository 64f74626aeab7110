package org.robustws.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustws.config.WsSettings;
import org.robustws.protocol.CloseCodes;
import org.robustws.testing.RecordingTransport;

class ConnectionStateTest {

  @Test
  void followsTheLifecycle() {
    assertTrue(ConnectionState.CONNECTING.canMoveTo(ConnectionState.CONNECTED));
    assertTrue(ConnectionState.CONNECTED.canMoveTo(ConnectionState.DISCONNECTING));
    assertTrue(ConnectionState.DISCONNECTING.canMoveTo(ConnectionState.DISCONNECTED));
    assertTrue(ConnectionState.CONNECTED.canMoveTo(ConnectionState.DISCONNECTED));
  }

  @Test
  void errorIsReachableFromEveryLiveStateAndStillEndsDisconnected() {
    for (ConnectionState state :
        List.of(
            ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.DISCONNECTING)) {
      assertTrue(state.canMoveTo(ConnectionState.ERROR), state::name);
    }
    assertTrue(ConnectionState.ERROR.canMoveTo(ConnectionState.DISCONNECTED));
  }

  @Test
  void rejectsIllegalTransitions() {
    assertFalse(ConnectionState.CONNECTED.canMoveTo(ConnectionState.CONNECTING));
    assertFalse(ConnectionState.DISCONNECTING.canMoveTo(ConnectionState.CONNECTED));
    assertFalse(ConnectionState.ERROR.canMoveTo(ConnectionState.CONNECTED));
    for (ConnectionState next : ConnectionState.values()) {
      assertFalse(ConnectionState.DISCONNECTED.canMoveTo(next), next::name);
    }
  }

  @Test
  void connectionRefusesIllegalMovesAndClosesOnce() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = newConnection(transport);
    assertTrue(connection.moveTo(ConnectionState.CONNECTED));
    assertFalse(connection.moveTo(ConnectionState.CONNECTING));
    assertEquals(ConnectionState.CONNECTED, connection.state());

    assertTrue(connection.close(CloseCodes.NORMAL, "bye"));
    assertFalse(connection.close(CloseCodes.SERVER_ERROR, "again"));
    assertEquals(1, transport.closeCalls);
    assertEquals(CloseCodes.NORMAL, transport.closeCode);
    assertEquals(ConnectionState.DISCONNECTING, connection.state());
  }

  static Connection newConnection(RecordingTransport transport) {
    WsSettings settings = WsSettings.defaults();
    return new Connection(
        "c-test",
        1,
        EndpointKind.WS,
        new ConnectionInfo("127.0.0.1", "test", null, ""),
        0,
        transport,
        TrafficListener.NONE,
        settings,
        Runnable::run);
  }
}
