package org.robustws.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.robustws.testing.RecordingTransport;

class OutboundQueueTest {
  private final AtomicInteger sentBytes = new AtomicInteger();
  private final List<Throwable> failures = new ArrayList<>();
  private final OutboundQueue.Listener listener =
      new OutboundQueue.Listener() {
        @Override
        public void sent(String type, int bytes) {
          sentBytes.addAndGet(bytes);
        }

        @Override
        public void failed(Throwable failure) {
          failures.add(failure);
        }
      };

  @Test
  void sendsInOrderWhenSendsCompleteOnTheCallingThread() {
    RecordingTransport transport = new RecordingTransport();
    OutboundQueue queue = new OutboundQueue(transport, listener, 100_000, 100_000_000);
    // 50,000 inline completions would overflow the stack if draining recursed
    IntStream.range(0, 50_000).forEach(i -> assertTrue(queue.offerText("t", "m" + i)));
    assertEquals(50_000, transport.texts.size());
    assertEquals("m49999", transport.texts.get(49_999));
    assertEquals(0, queue.queuedFrames());
  }

  @Test
  void keepsOneSendInFlightAndRefusesBeyondTheBound() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 3, 1_000);
    assertTrue(queue.offerText("t", "a"));
    assertTrue(queue.offerText("t", "b"));
    assertTrue(queue.offerText("t", "c"));
    assertFalse(queue.offerText("t", "d"), "a fourth frame exceeds the bound of 3");
    assertEquals(List.of("a"), transport.texts, "one send at a time");

    transport.completePending();
    assertEquals(List.of("a", "b"), transport.texts);
    transport.completePending();
    transport.completePending();
    assertEquals(List.of("a", "b", "c"), transport.texts);
    assertEquals(3, sentBytes.get());
    assertFalse(queue.offerText("t", "e"), "after a refusal: the connection closes (4008)");
  }

  /**
   * After a frame refused for the bytes, a smaller one that would fit is refused too: it would
   * reach the client before the slow consumer's close, ahead of the one refused.
   */
  @Test
  void nothingIsQueuedAfterARefusedFrameButForcedFrames() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 100, 10);
    assertTrue(queue.offerText("t", "12345678"));
    assertFalse(queue.offerText("t", "abc"), "11 bytes");
    assertFalse(queue.offerText("t", "a"), "10 bytes would fit, but it would overtake abc");
    assertTrue(queue.enqueueText("resumed", "forced", 6, true), "forced frames are not bound");
    transport.completePending();
    transport.completePending();
    assertEquals(List.of("12345678", "forced"), transport.texts);
  }

  @Test
  void framesOfSeveralThreadsAreSentInEachThreadsOrder() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    OutboundQueue queue = new OutboundQueue(transport, listener, 1_000_000, 1_000_000_000);
    int threads = 4;
    int each = 20_000;
    List<Thread> offering = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      offering.add(
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  assertTrue(queue.offerText("t", prefix + i));
                }
              }));
    }
    offering.forEach(Thread::start);
    for (Thread thread : offering) {
      thread.join();
    }
    assertEquals(threads * each, transport.texts.size());
    int[] next = new int[threads];
    for (String text : transport.texts) {
      int t = text.charAt(0) - '0';
      assertEquals(next[t]++, Integer.parseInt(text.substring(2)), "each thread's frames in order");
    }
    assertEquals(0, queue.queuedFrames());
  }

  @Test
  void boundsBytesToo() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 100, 10);
    assertTrue(queue.offerText("t", "12345"));
    assertTrue(queue.offerText("t", "12345"));
    assertFalse(queue.offerText("t", "1"));
    assertEquals(10, queue.queuedBytes());
  }

  @Test
  void theByteBoundCountsUtf8BytesNotChars() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 100, 10);
    assertTrue(queue.offerText("t", "€€€")); // 3 chars, 9 bytes
    assertFalse(queue.offerText("t", "xx"));
    assertEquals(9, queue.queuedBytes());
  }

  @Test
  void replayIgnoresTheBoundsAndDoesNotCountAgainstThem() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 2, 1_000);
    queue.enqueueText("event", "r1", 2, true);
    queue.enqueueText("event", "r2", 2, true);
    queue.enqueueText("event", "r3", 2, true);
    queue.drain();
    assertEquals(3, queue.queuedFrames());
    // live events after a long replay: the bounds hold for them alone
    assertTrue(queue.offerText("t", "x"));
    assertTrue(queue.offerText("t", "y"));
    assertEquals(5, queue.queuedFrames());
    assertEquals(8, queue.queuedBytes());

    transport.completePending(); // r1 (one send in flight at a time)
    transport.completePending(); // r2
    transport.completePending(); // r3
    assertFalse(queue.offerText("t", "z"), "x and y fill the bound");
    assertEquals(2, queue.queuedFrames(), "a refusal leaves the counts right");
    assertEquals(2, queue.queuedBytes());
  }

  @Test
  void closesOnlyAfterTheFramesBeforeIt() {
    RecordingTransport transport = new RecordingTransport();
    transport.hold();
    OutboundQueue queue = new OutboundQueue(transport, listener, 100, 1_000);
    queue.offerText("t", "goodbye");
    queue.closeAfterQueued(1012, "restart");
    assertEquals(0, transport.closeCalls);
    transport.completePending();
    assertEquals(1, transport.closeCalls);
    assertEquals(1012, transport.closeCode);
  }
}
