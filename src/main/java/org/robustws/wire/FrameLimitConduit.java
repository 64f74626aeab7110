package org.robustws.wire;

import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.IoUtils;
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
  private final FrameHeaderScanner scanner;
  private boolean failed;

  FrameLimitConduit(StreamSourceConduit next, WebSocketChannel channel, long maxMessageBytes) {
    super(next);
    this.channel = channel;
    this.scanner = new FrameHeaderScanner(maxMessageBytes);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (failed) {
      return -1;
    }
    int start = dst.position();
    int read = next.read(dst);
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
