package org.robustws.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustws.protocol.Publication;

class SessionResumeTest {
  private static final long GRACE = 120_000;
  private final InMemorySessionStore store = new InMemorySessionStore(5, 1_048_576, GRACE);
  private final ClientSession.ResumedFrame resumed =
      (id, token, replayed, lastSeq) -> "resumed " + replayed + " " + lastSeq;

  private long opens;

  /** A sink that keeps what it gets. */
  static final class ListSink implements EventSink {
    final List<String> frames = new ArrayList<>();
    private final long openOrder;

    ListSink(long openOrder) {
      this.openOrder = openOrder;
    }

    @Override
    public long openOrder() {
      return openOrder;
    }

    @Override
    public void offer(String type, String frame) {
      frames.add(frame);
    }

    @Override
    public void replay(String type, String frame) {
      frames.add(frame);
    }
  }

  /** A sink for a connection opened after every one before. */
  private ListSink sink() {
    return new ListSink(++opens);
  }

  @Test
  void aNewSessionIsNotExpiredBeforeItsFirstConnectionAttaches() {
    long created = 1_000_000;
    ClientSession session = store.create(created);
    // the heartbeat's sweep may run between create and attach (it did in the resume storm)
    assertTrue(store.expire(created + 1_000).isEmpty());
    assertSame(session, store.find(session.id()).orElseThrow());
    // a session no connection ever attached to expires one grace after its creation
    assertEquals(List.of(session), store.expire(created + GRACE + 1));
  }

  @Test
  void numbersEventsPerSessionWithoutGaps() {
    ClientSession a = store.create(0);
    ClientSession b = store.create(0);
    ListSink sinkA = sink();
    a.attach(sinkA);
    b.attach(sink());
    b.deliver(publication("x"));
    a.deliver(publication("x"));
    a.deliver(publication("y"));
    assertEquals(2, a.lastSeq());
    assertEquals(1, b.lastSeq());
    assertTrue(sinkA.frames.get(0).contains("\"seq\":1,"));
    assertTrue(sinkA.frames.get(1).contains("\"seq\":2,"));
  }

  @Test
  void resumeReplaysMissedEventsThenConfirmsWithANewToken() {
    ClientSession session = store.create(0);
    ListSink old = sink();
    session.attach(old);
    session.deliver(publication("x")); // seq 1, seen
    session.detach(old, 1_000);
    session.deliver(publication("x")); // seq 2, missed
    session.deliver(publication("x")); // seq 3, missed
    String token = session.resumeToken();

    ListSink fresh = sink();
    ResumeResult result = store.resume(session.id(), token, 1, fresh, 2_000, resumed);

    ResumeResult.Resumed ok = assertInstanceOf(ResumeResult.Resumed.class, result);
    assertEquals(2, ok.replayed());
    assertEquals(3, fresh.frames.size());
    assertTrue(fresh.frames.get(0).contains("\"seq\":2,"));
    assertTrue(fresh.frames.get(1).contains("\"seq\":3,"));
    assertEquals("resumed 2 3", fresh.frames.get(2));
    assertNotEquals(token, session.resumeToken(), "each resume rotates the token");

    session.deliver(publication("x"));
    assertTrue(fresh.frames.get(3).contains("\"seq\":4,"), "the counter continues");
  }

  @Test
  void aResumeCutOffBeforeResumedArrivedCanBeRepeatedWithTheSameToken() {
    ClientSession session = store.create(0);
    session.attach(sink());
    String first = session.resumeToken();
    assertInstanceOf(
        ResumeResult.Resumed.class, store.resume(session.id(), first, 0, sink(), 1, resumed));
    String second = session.resumeToken();

    // the connection died before `resumed` (with `second`) arrived: the client still has `first`
    assertInstanceOf(
        ResumeResult.Resumed.class, store.resume(session.id(), first, 0, sink(), 2, resumed));
    assertInstanceOf(
        ResumeResult.Failed.class,
        store.resume(session.id(), second, 0, sink(), 3, resumed),
        "a token issued in a `resumed` that was never used is void once an older one resumed");
    String third = session.resumeToken();
    assertInstanceOf(
        ResumeResult.Resumed.class, store.resume(session.id(), third, 0, sink(), 4, resumed));
    assertReason(
        ResumeResult.Reason.INVALID_TOKEN,
        store.resume(session.id(), first, 0, sink(), 5, resumed),
        "once the client resumed with a newer token, the older ones are void");
  }

  @Test
  void aLateResumeFromAnOlderConnectionDoesNotTakeTheSessionBack() {
    ClientSession session = store.create(0);
    session.attach(sink());
    String token = session.resumeToken();
    ListSink older = sink(); // the client's first reconnection, given up on before its answer
    ListSink newer = sink();
    assertInstanceOf(
        ResumeResult.Resumed.class, store.resume(session.id(), token, 0, newer, 1, resumed));
    String current = session.resumeToken();

    assertInstanceOf(
        ResumeResult.Superseded.class, store.resume(session.id(), token, 0, older, 2, resumed));
    assertEquals(current, session.resumeToken(), "the token the client holds still works");
    session.deliver(publication("x"));
    assertEquals(1, newer.frames.stream().filter(f -> f.contains("\"seq\":1,")).count());
    assertTrue(older.frames.isEmpty());
  }

  @Test
  void resumeOfALiveSessionHandsOverThePreviousConnection() {
    ClientSession session = store.create(0);
    ListSink old = sink();
    session.attach(old);
    ResumeResult result = store.resume(session.id(), session.resumeToken(), 0, sink(), 5, resumed);
    assertSame(old, assertInstanceOf(ResumeResult.Resumed.class, result).previous());
  }

  @Test
  void failsWithTheRightReason() {
    ClientSession session = store.create(0);
    ListSink sink = sink();
    session.attach(sink);
    String token = session.resumeToken();

    assertReason(ResumeResult.Reason.UNKNOWN, store.resume("s-nope", token, 0, sink, 0, resumed));
    assertReason(
        ResumeResult.Reason.INVALID_TOKEN,
        store.resume(session.id(), "wrong", 0, sink, 0, resumed));

    for (int i = 0; i < 7; i++) {
      session.deliver(publication("x"));
    }
    assertReason(
        ResumeResult.Reason.GAP,
        store.resume(session.id(), token, 1, sink(), 0, resumed),
        "the buffer holds 5 events, seq 3-7; seq 2 is lost");

    session.detach(sink, 10_000);
    assertReason(
        ResumeResult.Reason.EXPIRED,
        store.resume(session.id(), token, 7, sink(), 10_000 + GRACE + 1, resumed));

    assertEquals(1, store.expire(10_000 + GRACE + 1).size());
    assertReason(
        ResumeResult.Reason.EXPIRED,
        store.resume(session.id(), token, 7, sink(), 10_000 + GRACE + 2, resumed),
        "still 'expired', not 'unknown', after it was removed");
  }

  @Test
  void expiresOnlyDetachedSessionsPastTheGrace() {
    ClientSession attached = store.create(0);
    attached.attach(sink());
    ClientSession detached = store.create(0);
    ListSink sink = sink();
    detached.attach(sink);
    detached.detach(sink, 1_000);

    assertEquals(List.of(), store.expire(1_000 + GRACE));
    assertEquals(List.of(detached), store.expire(1_000 + GRACE + 1));
    assertEquals(1, store.size());
  }

  private static void assertReason(ResumeResult.Reason reason, ResumeResult result) {
    assertReason(reason, result, reason.name());
  }

  private static void assertReason(
      ResumeResult.Reason reason, ResumeResult result, String message) {
    assertEquals(
        reason, assertInstanceOf(ResumeResult.Failed.class, result, message).reason(), message);
  }

  private static Publication publication(String channel) {
    return new Publication(channel, Json.createValue("d"), null);
  }
}
