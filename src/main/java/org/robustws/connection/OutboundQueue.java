package org.robustws.connection;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.robustws.protocol.Utf8;

/**
 * One connection's frames on their way out, in order, one send in flight at a time, bounded by
 * count and bytes. Any thread may offer; nobody waits for the network. A send that completes on the
 * calling thread does not recurse: the work-in-progress counter turns it into a loop.
 */
final class OutboundQueue {

  /** What the queue reports back to its connection. */
  interface Listener {
    void sent(String type, int bytes);

    void failed(Throwable failure);
  }

  /**
   * A text or binary frame, or (both null) the request to close once all before it are sent, with
   * its UTF-8 size. {@code forced}: queued whatever the bounds, and not counted against them.
   */
  private record Frame(
      String type,
      String text,
      ByteBuffer binary,
      int bytes,
      int closeCode,
      String reason,
      boolean forced) {}

  private final Queue<Frame> frames = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicInteger queuedFrames = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicInteger forcedFrames = new AtomicInteger();
  private final AtomicLong forcedBytes = new AtomicLong();
  private final Transport transport;
  private final Listener listener;
  private final int maxFrames;
  private final long maxBytes;
  private volatile boolean sending;

  /**
   * Set by the first frame refused for the bounds; from then on every frame not forced is refused
   * too. A refusal closes the connection as a slow consumer, and a frame queued after a refused one
   * would reach the client before that close: an event after a refused event would skip a {@code
   * seq}, and the client, resuming from the last one it got, would miss the refused one for good.
   */
  private volatile boolean refused;

  OutboundQueue(Transport transport, Listener listener, int maxFrames, long maxBytes) {
    this.transport = transport;
    this.listener = listener;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /**
   * Queues a text frame and starts sending.
   *
   * @return false, queueing nothing, if the frame would exceed a bound
   */
  boolean offerText(String type, String text) {
    if (!enqueueText(type, text, Utf8.length(text), false)) {
      return false;
    }
    drain();
    return true;
  }

  /**
   * Queues a text frame of {@code bytes} UTF-8 bytes without sending it yet ({@link #drain()}
   * does). {@code forced}: whatever the bounds, and not counted against them, for frames bounded
   * elsewhere: a resume's replay, which the channel history bounds, must not fail for the very
   * backlog it is meant to deliver, nor make the live events after it overflow.
   *
   * @return false, queueing nothing, if the frame would exceed a bound or one was refused before
   */
  boolean enqueueText(String type, String text, int bytes, boolean forced) {
    Frame frame = new Frame(type, text, null, bytes, 0, null, forced);
    if (forced) {
      forcedFrames.incrementAndGet();
      forcedBytes.addAndGet(bytes);
      queuedFrames.incrementAndGet();
      queuedBytes.addAndGet(bytes);
      frames.add(frame);
      return true;
    }
    return enqueue(frame);
  }

  boolean offerBinary(ByteBuffer data) {
    if (!enqueue(new Frame("binary", null, data, data.remaining(), 0, null, false))) {
      return false;
    }
    drain();
    return true;
  }

  /** Closes the transport after the frames queued so far, whatever the bounds. */
  void closeAfterQueued(int code, String reason) {
    queuedFrames.incrementAndGet();
    frames.add(new Frame("close", null, null, 0, code, reason, false));
    drain();
  }

  int queuedFrames() {
    return queuedFrames.get();
  }

  long queuedBytes() {
    return queuedBytes.get();
  }

  private boolean enqueue(Frame frame) {
    if (refused) {
      return false;
    }
    int count = queuedFrames.incrementAndGet();
    long bytes = queuedBytes.addAndGet(frame.bytes());
    if (count - forcedFrames.get() > maxFrames || bytes - forcedBytes.get() > maxBytes) {
      refused = true;
      queuedFrames.decrementAndGet();
      queuedBytes.addAndGet(-frame.bytes());
      return false;
    }
    frames.add(frame);
    return true;
  }

  /** Sends what is queued, one frame at a time; any thread may call it, none waits. */
  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      if (!sending) {
        Frame next = frames.poll();
        if (next != null) {
          sending = true;
          send(next);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void send(Frame frame) {
    try {
      if (frame.text() != null) {
        transport.sendText(frame.text(), failure -> completed(frame, failure));
      } else if (frame.binary() != null) {
        transport.sendBinary(frame.binary(), failure -> completed(frame, failure));
      } else {
        transport.close(frame.closeCode(), frame.reason());
        completed(frame, null);
      }
    } catch (RuntimeException e) {
      completed(frame, e);
    }
  }

  private void completed(Frame frame, Throwable failure) {
    if (frame.forced()) {
      forcedFrames.decrementAndGet();
      forcedBytes.addAndGet(-frame.bytes());
    }
    queuedFrames.decrementAndGet();
    queuedBytes.addAndGet(-frame.bytes());
    if (failure != null) {
      listener.failed(failure);
    } else if (frame.closeCode() == 0) {
      listener.sent(frame.type(), frame.bytes());
    }
    sending = false;
    drain();
  }
}
