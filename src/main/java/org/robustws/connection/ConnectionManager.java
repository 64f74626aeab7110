package org.robustws.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.robustws.config.WsSettings;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ServerMessage;

/**
 * The registry of open connections on both endpoints, with their admission: the caps in all and per
 * client address, and no new connection while the server drains. A place is reserved when a
 * connection registers and given back when it leaves, so concurrent handshakes cannot overshoot.
 */
@ApplicationScoped
public class ConnectionManager {
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private volatile boolean draining;
  private AdmissionControl admissions;
  private MessageCodec codec;
  private Clock clock;

  /** For the CDI proxy only. */
  protected ConnectionManager() {}

  @Inject
  public ConnectionManager(WsSettings settings, MessageCodec codec, Clock clock) {
    this.admissions =
        new AdmissionControl(settings.maxConnections(), settings.maxConnectionsPerAddress());
    this.codec = codec;
    this.clock = clock;
  }

  /**
   * Admits and registers a connection, or says why not (changing nothing).
   *
   * @return {@link Admission#OPEN} if it is registered
   */
  public Admission register(Connection connection) {
    Admission admission =
        draining ? Admission.DRAINING : admissions.admit(connection.remoteAddress());
    if (admission == Admission.OPEN) {
      connections.put(connection.id(), connection);
    }
    return admission;
  }

  /**
   * Removes a connection and gives back its place, once however often called.
   *
   * @return true if this call removed it
   */
  public boolean unregister(Connection connection) {
    if (!connections.remove(connection.id(), connection)) {
      return false;
    }
    admissions.release(connection.remoteAddress());
    return true;
  }

  /** Would a connection from this address be admitted now? Reserves nothing. */
  public Admission check(String remoteAddress) {
    return draining ? Admission.DRAINING : admissions.check(remoteAddress);
  }

  /** From now on no connection is admitted: the server is stopping. */
  public void stopAdmitting() {
    draining = true;
  }

  /** Whether the server is shutting down and takes no new clients. */
  public boolean isDraining() {
    return draining;
  }

  /**
   * Whether a new client would be admitted, per-address caps aside: not draining and not full. What
   * readiness reports, so a load balancer sends new clients elsewhere.
   */
  public boolean admitsNewClients() {
    return !draining && !admissions.full();
  }

  /** The most connections admitted at once ({@code ws.max-connections}). */
  public int capacity() {
    return admissions.capacity();
  }

  /** The open connections, a live view that never fails to iterate. */
  public Collection<Connection> connections() {
    return Collections.unmodifiableCollection(connections.values());
  }

  /** Sends {@code broadcast} to every open connection of both endpoints. */
  public int broadcast(JsonValue data) {
    String frame = codec.encode(ServerMessage.Broadcast.of(data, clock.millis()));
    int sent = 0;
    for (Connection connection : connections.values()) {
      if (connection.state() == ConnectionState.CONNECTED) {
        connection.offer("broadcast", frame);
        sent++;
      }
    }
    return sent;
  }

  /** Sends {@code direct} to one connection. @return false if it is not open */
  public boolean sendTo(String connectionId, JsonValue data) {
    Connection connection = connections.get(connectionId);
    if (connection == null || connection.state() != ConnectionState.CONNECTED) {
      return false;
    }
    ServerMessage.Direct direct = ServerMessage.Direct.of(data, clock.millis());
    connection.offer(direct.type(), codec.encode(direct));
    return true;
  }

  /** Closes one connection. @return false if it is not open */
  public boolean close(String connectionId, int code, String reason) {
    Connection connection = connections.get(connectionId);
    return connection != null && connection.close(code, reason);
  }

  public Optional<ConnectionSnapshot> find(String connectionId) {
    return Optional.ofNullable(connections.get(connectionId)).map(Connection::snapshot);
  }

  /**
   * Every open connection, oldest first. The snapshots are taken first and sorted afterwards:
   * nothing but the map's own weakly consistent iteration runs while connections come and go.
   */
  public List<ConnectionSnapshot> snapshots() {
    List<ConnectionSnapshot> all = new ArrayList<>(connections.size());
    for (Connection connection : connections.values()) {
      all.add(connection.snapshot());
    }
    all.sort(Comparator.comparingLong(ConnectionSnapshot::connectedAt));
    return all;
  }

  public int size() {
    return connections.size();
  }

  /** Open connections of one endpoint. */
  public int count(EndpointKind endpoint) {
    return count(connection -> connection.endpoint() == endpoint);
  }

  /** Open connections of one endpoint in one state. */
  public int count(EndpointKind endpoint, ConnectionState state) {
    return count(connection -> connection.endpoint() == endpoint && connection.state() == state);
  }

  private int count(Predicate<Connection> which) {
    int count = 0;
    for (Connection connection : connections.values()) {
      if (which.test(connection)) {
        count++;
      }
    }
    return count;
  }
}
