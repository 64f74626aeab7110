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
   * A text or binary frame, or (both null) the request to close once all before it are sent. {@code
   * forced}: queued whatever the bounds, and not counted against them.
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

  OutboundQueue(Transport transport, Listener listener, int maxFrames, long maxBytes) {
    this.transport = transport;
    this.listener = listener;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /**
   * @return false, queueing nothing, if the frame would exceed a bound
   */
  boolean offerText(String type, String text) {
    // UTF-16 length is a cheap upper bound of the UTF-8 size for the usual ASCII JSON
    return offer(new Frame(type, text, null, text.length(), 0, null, false));
  }

  boolean offerBinary(ByteBuffer data) {
    return offer(new Frame("binary", null, data, data.remaining(), 0, null, false));
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

  /**
   * Queues a text frame whatever the bounds, for frames bounded elsewhere: a resume's replayed
   * events (the replay buffer bounds them). They do not count against the bounds either, or the
   * live events that follow a long replay would close the client as a slow consumer before it got
   * {@code resumed}.
   */
  void forceText(String type, String text) {
    forcedFrames.incrementAndGet();
    forcedBytes.addAndGet(text.length());
    queuedFrames.incrementAndGet();
    queuedBytes.addAndGet(text.length());
    frames.add(new Frame(type, text, null, text.length(), 0, null, true));
    drain();
  }

  private boolean offer(Frame frame) {
    int count = queuedFrames.incrementAndGet();
    long bytes = queuedBytes.addAndGet(frame.bytes());
    if (count - forcedFrames.get() > maxFrames || bytes - forcedBytes.get() > maxBytes) {
      queuedFrames.decrementAndGet();
      queuedBytes.addAndGet(-frame.bytes());
      return false;
    }
    frames.add(frame);
    drain();
    return true;
  }

  private void drain() {
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
      listener.sent(frame.type(), frame.text() != null ? Utf8.length(frame.text()) : frame.bytes());
    }
    sending = false;
    drain();
  }
}
