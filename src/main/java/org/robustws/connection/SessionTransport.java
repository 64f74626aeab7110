package org.robustws.connection;

import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.robustws.logging.WsLog;

/** A connection's transport on a Jakarta WebSocket session; asynchronous sends only. */
public final class SessionTransport implements Transport {

  /** RFC 6455 allows 123 bytes of reason in a close frame. */
  private static final int MAX_REASON_BYTES = 123;

  private final Session session;

  public SessionTransport(Session session) {
    this.session = session;
  }

  @Override
  public void sendText(String text, Consumer<Throwable> done) {
    session.getAsyncRemote().sendText(text, handler(done));
  }

  @Override
  public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
    session.getAsyncRemote().sendBinary(data, handler(done));
  }

  /**
   * Undertow's io thread of this connection: a send made there writes the socket at once, a send
   * from any other thread queues a task there first.
   */
  @Override
  public Executor writer() {
    return session instanceof UndertowSession undertow
        ? undertow.getWebSocketChannel().getIoThread()
        : Runnable::run;
  }

  @Override
  public void sendPing(ByteBuffer payload) throws IOException {
    // the asynchronous remote's ping does not wait for the socket (the basic one does)
    session.getAsyncRemote().sendPing(payload);
  }

  @Override
  public void close(int code, String reason) {
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
    } catch (IOException | IllegalStateException e) {
      WsLog.LOG.closeFailed(session.getId(), e);
    }
  }

  private static SendHandler handler(Consumer<Throwable> done) {
    return result -> done.accept(result.isOK() ? null : result.getException());
  }

  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return reason;
    }
    return new String(bytes, 0, MAX_REASON_BYTES - 3, StandardCharsets.UTF_8) + "...";
  }
}
