package org.robustws.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ThreadLocalRandom;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.logging.WsLog;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ServerMessage;
import org.robustws.session.SessionStore;

/**
 * The graceful stop: no new clients, every client told when to come back ({@code system/shutdown},
 * a random delay so they do not return all at once) and closed with 1012, a bounded wait for them
 * to go, and every session recorded for its resume. Must run before the container closes the
 * sockets with a bare 1001.
 */
@ApplicationScoped
public class Drain {
  private WsSettings settings;
  private ConnectionManager connections;
  private SessionStore sessions;
  private MessageCodec codec;

  /** For the CDI proxy only. */
  protected Drain() {}

  @Inject
  public Drain(
      WsSettings settings,
      ConnectionManager connections,
      SessionStore sessions,
      MessageCodec codec) {
    this.settings = settings;
    this.connections = connections;
    this.sessions = sessions;
    this.codec = codec;
  }

  /** The whole stop: {@link #start()}, then {@link #awaitGone()}. */
  public void shutdown() {
    start();
    awaitGone();
  }

  /**
   * The first half, which never waits: refuses new connections, and queues {@code system/shutdown}
   * and the 1012 close to every open connection. Idempotent.
   */
  public void start() {
    connections.stopAdmitting();
    int told = 0;
    for (Connection connection : connections.connections()) {
      if (connection.state() != ConnectionState.CONNECTED) {
        continue;
      }
      if (connection.endpoint() == EndpointKind.WS) {
        long delay =
            ThreadLocalRandom.current()
                .nextLong(settings.shutdownReconnectMinMs(), settings.shutdownReconnectMaxMs() + 1);
        ServerMessage.Shutdown shutdown = ServerMessage.Shutdown.of(delay);
        connection.offer(shutdown.type(), codec.encode(shutdown));
      }
      connection.closeAfterQueued(CloseCodes.SERVICE_RESTART, "server restart");
      told++;
    }
    if (told > 0) {
      WsLog.LOG.shuttingDown(told);
    }
  }

  /**
   * The second half: waits until every connection has gone or {@code ws.shutdown.drain-ms} has
   * passed, then records the sessions still held (each is recorded when its connection closes).
   */
  public void awaitGone() {
    long deadline = System.nanoTime() + settings.shutdownDrainMs() * 1_000_000;
    while (connections.size() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // the clients' close frames complete asynchronously
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (connections.size() > 0) {
      WsLog.LOG.drainIncomplete(connections.size(), settings.shutdownDrainMs());
    }
    sessions.saveAll();
  }
}
