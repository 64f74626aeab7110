package org.robustws.wire;

import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The read side of an upgraded connection, under Undertow's WebSocket parser: every byte it reads
 * passes a {@link FrameHeaderScanner} first. At the first offending header it hands Undertow only
 * the bytes before that header, fails the connection with the scanner's close code (RFC 6455
 * section 7.1.7: the close frame, then the end of the TCP connection, without waiting for the
 * peer's answer) and reads nothing more: the announced payload is never read or buffered.
 *
 * <p>Undertow reads through it on the connection's io thread only.
 */
final class FrameLimitConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
  private final WebSocketChannel channel;
  private final StreamConnection connection;
  private final ResetCloser closer;
  private final FrameHeaderScanner scanner;
  private boolean failed;
  private boolean reset;

  FrameLimitConduit(
      StreamSourceConduit next,
      WebSocketChannel channel,
      StreamConnection connection,
      ResetCloser closer,
      long maxMessageBytes) {
    super(next);
    this.channel = channel;
    this.connection = connection;
    this.closer = closer;
    this.scanner = new FrameHeaderScanner(maxMessageBytes);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (failed) {
      return -1;
    }
    if (reset) {
      return 0;
    }
    int start = dst.position();
    int read;
    try {
      read = next.read(dst);
    } catch (IOException e) {
      closeElsewhere(e);
      return 0;
    }
    if (read <= 0) {
      return read;
    }
    int fine = scanner.scan(dst, start, start + read);
    if (scanner.violation() == 0) {
      return read;
    }
    dst.position(fine);
    failed = true;
    fail(channel, scanner.violation(), scanner.reason());
    return fine - start;
  }

  /**
   * The peer reset the connection. Undertow would close it here, on the io thread, where XNIO's
   * close cancels the key and then runs {@code selectNow()}, which walks every ready socket of the
   * thread: when many peers reset at once (a network cut, a load balancer restart), every one of
   * them is still ready, so N resets cost O(N x ready sockets). Closed from another thread ({@link
   * ResetCloser}), XNIO only cancels the key and wakes the selector, and the next select
   * deregisters them all at once. Until then this side reads nothing more.
   */
  private void closeElsewhere(IOException cause) throws IOException {
    reset = true;
    next.suspendReads();
    if (!closer.close(connection)) {
      throw cause; // the application is stopping: Undertow closes it here after all
    }
  }

  private static void fail(WebSocketChannel channel, int code, String reason) {
    WebSockets.sendClose(
        new CloseMessage(code, reason),
        channel,
        new WebSocketCallback<Void>() {
          @Override
          public void complete(WebSocketChannel sent, Void context) {
            IoUtils.safeClose(sent);
          }

          @Override
          public void onError(WebSocketChannel failed, Void context, Throwable cause) {
            IoUtils.safeClose(failed);
          }
        });
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    for (int i = offs; i < offs + len; i++) {
      if (dsts[i].hasRemaining()) {
        return read(dsts[i]);
      }
    }
    return 0;
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    return Conduits.transfer(this, count, throughBuffer, target);
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
  }
}
