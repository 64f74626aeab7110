package org.robustws.endpoint;

import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.robustws.connection.Transport;
import org.robustws.logging.WsLog;
import org.xnio.XnioIoThread;

/**
 * A connection's transport on a Jakarta WebSocket session; asynchronous sends only.
 *
 * <p>Sends from another thread than the connection's own IO thread (a publisher's fan-out, the
 * heartbeat timer) are handed to that IO thread: Undertow otherwise writes to the socket on the
 * calling thread, so a publication to 2,000 subscribers was written one socket after the other on
 * the publisher's thread (p50 150 ms until the last one, bench/RESULTS.md), while the other IO
 * threads idled.
 */
final class SessionTransport implements Transport {

  /** RFC 6455 allows 123 bytes of reason in a close frame. */
  private static final int MAX_REASON_BYTES = 123;

  private final Session session;
  private final XnioIoThread ioThread;

  SessionTransport(Session session) {
    this.session = session;
    this.ioThread =
        session instanceof UndertowSession undertow
            ? undertow.getWebSocketChannel().getIoThread()
            : null;
  }

  @Override
  public void sendText(String text, Consumer<Throwable> done) {
    onIoThread(() -> session.getAsyncRemote().sendText(text, handler(done)), done);
  }

  @Override
  public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
    onIoThread(() -> session.getAsyncRemote().sendBinary(data, handler(done)), done);
  }

  @Override
  public void sendPing(ByteBuffer payload) throws IOException {
    onIoThread(
        () -> {
          try {
            // the asynchronous remote's ping does not wait for the socket (the basic one does)
            session.getAsyncRemote().sendPing(payload);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        failure -> {
          // a failed ping needs no answer: the close callback or the heartbeat timeout follows
        });
  }

  /** Runs {@code send} on the connection's IO thread; {@code done} gets any failure to start it. */
  private void onIoThread(Runnable send, Consumer<Throwable> done) {
    if (ioThread == null || Thread.currentThread() == ioThread) {
      start(send, done);
      return;
    }
    try {
      ioThread.execute(() -> start(send, done));
    } catch (RejectedExecutionException e) {
      done.accept(e); // the server is stopping
    }
  }

  private static void start(Runnable send, Consumer<Throwable> done) {
    try {
      send.run();
    } catch (RuntimeException e) {
      done.accept(e);
    }
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
