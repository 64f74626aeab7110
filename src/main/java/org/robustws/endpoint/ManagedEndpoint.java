package org.robustws.endpoint;

import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.SessionTransport;
import org.robustws.dispatch.Dispatcher;
import org.robustws.wire.FrameLimits;

/**
 * What both endpoints do: hand every container callback to the dispatcher. One instance per
 * connection; the container calls it for one connection at a time, in order.
 */
abstract class ManagedEndpoint {
  private final EndpointKind kind;
  @Inject Dispatcher dispatcher;
  @Inject ClientInfoReader clientInfo;
  @Inject WsSettings settings;
  // the dispatcher itself, for the calls on every frame; error and close (rare, and possibly before
  // open completed) go through the injected proxy
  private Dispatcher direct;
  // volatile: the container may report the close on another thread while the open still runs
  private volatile Connection connection;
  private volatile Closed closedEarly;

  /** A close as the dispatcher gets it: the code that was really sent or received. */
  private record Closed(int code, String reason) {}

  ManagedEndpoint(EndpointKind kind) {
    this.kind = kind;
  }

  @OnOpen
  public void open(Session session) {
    session.setMaxBinaryMessageBufferSize(settings.maxMessageBytes());
    FrameLimits.arm(session, settings.maxMessageBytes());
    direct = dispatcher.direct().get();
    Connection created =
        direct.connection(kind, clientInfo.read(session), new SessionTransport(session));
    if (session.getUserPrincipal() instanceof TokenPrincipal bearer) {
      created.authenticate(bearer.identity()); // verified by HandshakeGuard
    }
    connection = created;
    direct.open(created);
    // a close reported before the connection was set found nothing to close: close it now
    Closed early = closedEarly;
    if (early != null) {
      dispatcher.onClose(created, early.code(), early.reason());
    }
  }

  /** Text arrives in parts so that the size limit holds before a whole message is buffered. */
  @OnMessage
  public void text(String part, boolean last) {
    direct.onTextPart(connection, part, last);
  }

  @OnMessage
  public void binary(ByteBuffer data) {
    direct.onBinary(connection, data);
  }

  @OnMessage
  public void pong(PongMessage pong) {
    direct.onPong(connection, pong.getApplicationData());
  }

  @OnError
  public void error(Throwable failure) {
    dispatcher.onError(connection, failure);
  }

  @OnClose
  public void close(Session session, CloseReason reason) {
    Closed closed = new Closed(SentCloseCode.of(session, reason), reason.getReasonPhrase());
    closedEarly = closed; // before reading the connection: one of open and close sees the other
    dispatcher.onClose(connection, closed.code(), closed.reason());
  }
}
