package org.robustws.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustws.channel.InMemoryChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.connection.Outbound;
import org.robustws.fanout.LocalFanout;
import org.robustws.stream.HistoryLimits;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamPosition;
import org.robustws.testing.MutableClock;
import org.robustws.testing.TestSettings;
import org.robustws.testing.TestStores;

/** Sessions and their resume on real embedded caches, restarts included. */
class SessionStoreTest {
  private static final long GRACE = WsSettings.defaults().resumeGraceMs();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T12:00:00Z"));
  private final List<TestStores> open = new ArrayList<>();
  private TestStores stores = stores(new HistoryLimits(1000, 1 << 20, 600_000), null);
  private long opens;
  @TempDir Path dir;

  private TestStores stores(HistoryLimits limits, Path store) {
    TestStores created = new TestStores(WsSettings.defaults(), limits, clock, store);
    open.add(created);
    return created;
  }

  /** Stores in memory whose server keeps at most {@code maxSessions} sessions. */
  private TestStores cappedAt(int maxSessions) {
    TestStores created =
        new TestStores(
            TestSettings.defaultsWith(10, 1, maxSessions),
            new HistoryLimits(1000, 1 << 20, 600_000),
            clock,
            null);
    open.add(created);
    return created;
  }

  @AfterEach
  void stop() {
    open.forEach(TestStores::close);
  }

  /** A sink that keeps what it gets, for a connection opened after every one before. */
  static class ListSink implements Outbound {
    final List<String> frames = new ArrayList<>();
    final long openOrder;
    Executor writer = Runnable::run;
    int bound = Integer.MAX_VALUE;
    int closedWith;

    ListSink(long openOrder) {
      this.openOrder = openOrder;
    }

    @Override
    public String id() {
      return "c-" + openOrder;
    }

    @Override
    public synchronized boolean enqueue(String type, String frame, int bytes, boolean forced) {
      if (!forced && frames.size() >= bound) {
        return false;
      }
      frames.add(frame);
      return true;
    }

    @Override
    public void flush() {}

    @Override
    public Executor writer() {
      return writer;
    }

    @Override
    public void closeAsSlowConsumer() {
      closedWith = 4008;
    }

    @Override
    public void closeAsTakenOver() {
      closedWith = 4001;
    }

    @Override
    public long openOrder() {
      return openOrder;
    }

    synchronized List<JsonObject> events() {
      return frames.stream()
          .map(f -> Json.createReader(new StringReader(f)).readObject())
          .filter(o -> o.getString("type", "").equals("event"))
          .toList();
    }

    List<Long> seqs() {
      return events().stream().map(e -> e.getJsonNumber("seq").longValue()).toList();
    }
  }

  private ListSink sink() {
    return new ListSink(++opens);
  }

  private StreamEntry publish(String channel, String data) {
    StreamEntry entry = stores.streams.append(channel, Json.createValue(data), null);
    stores.fanout.deliver(entry);
    return entry;
  }

  private ResumeResult resume(SessionStore.Created created, long lastSeq, ListSink sink) {
    return resume(created.session().id(), created.resumeToken(), lastSeq, Map.of(), sink);
  }

  private ResumeResult resume(
      String id, String token, long lastSeq, Map<String, StreamPosition> positions, ListSink sink) {
    return stores.sessions.resume(
        new ResumeRequest(id, token, lastSeq, positions, null, channel -> true),
        sink,
        clock.millis(),
        (sessionId, newToken, replayed, seq, at) ->
            "{\"type\":\"resumed\",\"token\":\"" + newToken + "\",\"replayed\":" + replayed + "}");
  }

  private ResumeResult resumeAs(
      SessionStore.Created created, String subject, Predicate<String> mayRead, ListSink sink) {
    return stores.sessions.resume(
        new ResumeRequest(
            created.session().id(), created.resumeToken(), 0, Map.of(), subject, mayRead),
        sink,
        clock.millis(),
        (sessionId, newToken, replayed, seq, at) ->
            "{\"type\":\"resumed\",\"token\":\"" + newToken + "\",\"replayed\":" + replayed + "}");
  }

  @Test
  void aSessionOfASubjectResumesOnlyForThatSubjectAndIsLeftUntouchedOtherwise() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, "alice");
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a");
    stores.sessions.closed(old, clock.millis());
    publish("x", "b");
    assertReason(ResumeResult.Reason.INVALID_TOKEN, resumeAs(created, "bob", c -> true, sink()));
    assertReason(ResumeResult.Reason.INVALID_TOKEN, resumeAs(created, null, c -> true, sink()));
    ListSink alice = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(ResumeResult.Resumed.class, resumeAs(created, "alice", c -> true, alice));
    assertEquals(2, ok.replayed(), "the refused attempts changed nothing");
    assertEquals("alice", ok.session().subject());
  }

  @Test
  void aSessionOfNoSubjectBecomesTheFirstSubjectsThatClaimsOrResumesIt() {
    SessionStore.Created claimed = stores.sessions.create(sink(), null);
    stores.sessions.claim(claimed.session(), "carol");
    stores.sessions.claim(claimed.session(), "dave");
    assertEquals("carol", claimed.session().subject());

    ListSink old = sink();
    SessionStore.Created anonymous = stores.sessions.create(old, null);
    stores.sessions.closed(old, clock.millis());
    ResumeResult.Resumed ok =
        assertInstanceOf(
            ResumeResult.Resumed.class, resumeAs(anonymous, "erin", c -> true, sink()));
    assertEquals("erin", ok.session().subject());
  }

  /**
   * A server killed while the session was attached: its record is older than what the client got.
   * With positions the client resumes exactly (every event after them, once, in order, numbered on
   * from its lastSeq); with lastSeq alone it is told which channels it may have lost.
   */
  @Test
  void afterAKillASessionThatWasAttachedResumesFromTheClientsPositions() {
    HistoryLimits limits = new HistoryLimits(1000, 1 << 20, 600_000);
    stores = stores(limits, dir);
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    stores.sessions.subscribe(created.session(), "y");
    for (int i = 1; i <= 3; i++) {
      publish("x", "x" + i);
      publish("y", "y" + i);
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), old.seqs());
    Map<String, StreamPosition> processed = new HashMap<>();
    for (JsonObject event : old.events()) {
      processed.put(
          event.getString("channel"),
          new StreamPosition(event.getString("epoch"), event.getJsonNumber("offset").longValue()));
    }
    open.remove(open.size() - 1).close(); // killed: no saveAll, no detach

    stores = stores(limits, dir);
    publish("x", "x4");
    publish("y", "y4");
    publish("x", "x5");
    assertReason(
        ResumeResult.Reason.GAP,
        resume(created.session().id(), created.resumeToken(), 6, Map.of(), sink()),
        "lastSeq alone: unknown where it stands");
    ResumeResult.Failed gap =
        assertInstanceOf(
            ResumeResult.Failed.class,
            resume(created.session().id(), created.resumeToken(), 6, Map.of(), sink()));
    assertEquals(List.of("x", "y"), gap.channels(), "the gap names its channels");

    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(
            ResumeResult.Resumed.class,
            resume(created.session().id(), created.resumeToken(), 6, processed, fresh));
    assertEquals(3, ok.replayed());
    assertEquals(List.of(7L, 8L, 9L), fresh.seqs());
    // in each channel's order (across channels by append time, which may tie within a millisecond)
    for (String channel : List.of("x", "y")) {
      assertEquals(
          channel.equals("x") ? List.of("x4", "x5") : List.of("y4"),
          fresh.events().stream()
              .filter(e -> e.getString("channel").equals(channel))
              .map(e -> e.getString("data"))
              .toList());
    }
    publish("y", "y5");
    assertEquals(List.of(7L, 8L, 9L, 10L), fresh.seqs(), "live events follow, numbered on");
  }

  /**
   * A session that only publishes is recorded before its first publication with an id: after a kill
   * it resumes (so its client can send that publication again under it). One that did nothing yet
   * was never recorded and is unknown.
   */
  @Test
  void aSessionIsRecordedBeforeItsFirstPublicationWithAnId() {
    HistoryLimits limits = new HistoryLimits(1000, 1 << 20, 600_000);
    stores = stores(limits, dir);
    SessionStore.Created publisher = stores.sessions.create(sink(), null);
    SessionStore.Created idle = stores.sessions.create(sink(), null);
    stores.sessions.recordBeforePublishing(publisher.session());
    open.remove(open.size() - 1).close(); // killed: no saveAll, no detach

    stores = stores(limits, dir);
    assertInstanceOf(ResumeResult.Resumed.class, resume(publisher, 0, sink()));
    assertReason(ResumeResult.Reason.UNKNOWN, resume(idle, 0, sink()));
  }

  /**
   * A held session's record lives an hour after each write and is rewritten in one of every {@link
   * SessionStore#REFRESH_TICKS} ticks, so a connection's record outlives it however long it lives
   * (and a crash); once detached, it lives twice the grace period. A session never recorded is not
   * written by the refresh.
   */
  @Test
  void aHeldSessionsRecordIsKeptAliveAndADetachedOnesExpiresAfterTwiceTheGrace() {
    HistoryLimits limits = new HistoryLimits(1000, 1 << 20, 600_000);
    stores = stores(limits, dir);
    ListSink sink = sink();
    SessionStore.Created held = stores.sessions.create(sink, null);
    stores.sessions.create(sink(), null); // never recorded
    stores.sessions.subscribe(held.session(), "x");
    String id = held.session().id();
    assertEquals(
        SessionRecords.HELD_LIFESPAN_MS,
        stores.sessionCache.getAdvancedCache().getCacheEntry(id).getLifespan());
    int rewritten = 0;
    for (int tick = 0; tick < SessionStore.REFRESH_TICKS; tick++) {
      rewritten += stores.sessions.refreshRecords(tick);
    }
    assertEquals(1, rewritten, "the held, recorded session once per round of ticks");
    stores.sessions.closed(sink, clock.millis());
    assertEquals(
        2 * WsSettings.defaults().resumeGraceMs(),
        stores.sessionCache.getAdvancedCache().getCacheEntry(id).getLifespan());
    for (int tick = 0; tick < SessionStore.REFRESH_TICKS; tick++) {
      assertEquals(0, stores.sessions.refreshRecords(tick), "none held");
    }
  }

  /** A subject claimed after the first subscribe is in the stored record: a restart keeps it. */
  @Test
  void aClaimAfterASubscriptionIsRecorded() {
    HistoryLimits limits = new HistoryLimits(1000, 1 << 20, 600_000);
    stores = stores(limits, dir);
    SessionStore.Created created = stores.sessions.create(sink(), null);
    stores.sessions.subscribe(created.session(), "x"); // the first record: no subject yet
    stores.sessions.claim(created.session(), "alice");
    open.remove(open.size() - 1).close(); // killed: no saveAll, no detach

    stores = stores(limits, dir);
    assertReason(ResumeResult.Reason.INVALID_TOKEN, resumeAs(created, "bob", c -> true, sink()));
    assertInstanceOf(ResumeResult.Resumed.class, resumeAs(created, "alice", c -> true, sink()));
  }

  @Test
  void aResumeLeavesOutTheChannelsTheIdentityMayNoLongerRead() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, "alice");
    stores.sessions.subscribe(created.session(), "admin:x");
    stores.sessions.subscribe(created.session(), "news");
    stores.sessions.closed(old, clock.millis());
    publish("admin:x", "secret");
    publish("news", "public");
    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(
            ResumeResult.Resumed.class,
            resumeAs(created, "alice", channel -> !channel.startsWith("admin:"), fresh));
    assertEquals(List.of("admin:x"), ok.revoked());
    assertEquals(List.of("public"), fresh.events().stream().map(e -> e.getString("data")).toList());
    assertEquals(Set.of("news"), ok.session().channels());
    publish("admin:x", "later");
    assertEquals(1, fresh.events().size(), "no longer delivered");
  }

  private static String newToken(ListSink sink) {
    String last = sink.frames.get(sink.frames.size() - 1);
    return Json.createReader(new StringReader(last)).readObject().getString("token");
  }

  @Test
  void numbersEventsPerSessionAcrossChannelsWithOffsetsAndEpochs() {
    ListSink a = sink();
    ListSink b = sink();
    SessionStore.Created sa = stores.sessions.create(a, null);
    SessionStore.Created sb = stores.sessions.create(b, null);
    stores.sessions.subscribe(sa.session(), "x");
    stores.sessions.subscribe(sa.session(), "y");
    stores.sessions.subscribe(sb.session(), "y");
    publish("x", "1");
    StreamEntry y1 = publish("y", "2");
    publish("x", "3");
    assertEquals(List.of(1L, 2L, 3L), a.seqs());
    assertEquals(List.of(1L), b.seqs());
    JsonObject event = b.events().get(0);
    assertEquals(1, event.getInt("offset"));
    assertEquals(y1.epoch(), event.getString("epoch"));
  }

  /**
   * A thread that runs tasks, as an io thread does: deliveries made on it never wait for others.
   */
  static final class WriterThread extends Thread implements Executor {
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    WriterThread(String name) {
      super(name);
      setDaemon(true);
      start();
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public void run() {
      try {
        while (true) {
          tasks.take().run();
        }
      } catch (InterruptedException e) {
        // the test is over
      }
    }
  }

  @Test
  void givesEachSessionTheEventOnItsWriterThreadAndReturnsOnceAllQueuedIt() throws Exception {
    WriterThread io1 = new WriterThread("io-1");
    WriterThread io2 = new WriterThread("io-2");
    List<ListSink> sinks = new ArrayList<>();
    Map<ListSink, Set<String>> threadsOf = new ConcurrentHashMap<>();
    for (int i = 0; i < 40; i++) {
      ListSink sink =
          new ListSink(++opens) {
            @Override
            public synchronized boolean enqueue(
                String type, String frame, int bytes, boolean forced) {
              threadsOf
                  .computeIfAbsent(this, k -> ConcurrentHashMap.newKeySet())
                  .add(Thread.currentThread().getName());
              return super.enqueue(type, frame, bytes, forced);
            }
          };
      sink.writer = i % 2 == 0 ? io1 : io2;
      sinks.add(sink);
      stores.sessions.subscribe(stores.sessions.create(sink, null).session(), "x");
    }
    for (int n = 1; n <= 50; n++) {
      StreamEntry entry = stores.streams.append("x", Json.createValue(n), null);
      assertEquals(40, stores.fanout.deliver(entry));
      for (ListSink sink : sinks) {
        assertEquals(n, sink.seqs().size(), "queued before deliver returned");
      }
    }
    for (int i = 0; i < sinks.size(); i++) {
      assertEquals(Set.of(i % 2 == 0 ? "io-1" : "io-2"), threadsOf.get(sinks.get(i)));
    }
    // an io thread that publishes gives it to everyone itself: waiting for io-2 could deadlock
    CompletableFuture<Integer> fromIo1 = new CompletableFuture<>();
    io1.execute(
        () -> fromIo1.complete(stores.fanout.deliver(stores.streams.append("x", null, null))));
    assertEquals(40, fromIo1.get(10, TimeUnit.SECONDS));
    assertEquals(51, sinks.get(1).seqs().size());
    assertTrue(threadsOf.get(sinks.get(1)).contains("io-1"));
    io1.interrupt();
    io2.interrupt();
  }

  @Test
  void aSessionWhoseSinkFailsDoesNotKeepTheEventFromTheOthers() {
    ListSink broken =
        new ListSink(++opens) {
          @Override
          public synchronized boolean enqueue(
              String type, String frame, int bytes, boolean forced) {
            throw new IllegalStateException("broken sink");
          }
        };
    ListSink before = sink();
    stores.sessions.subscribe(stores.sessions.create(before, null).session(), "x");
    stores.sessions.subscribe(stores.sessions.create(broken, null).session(), "x");
    ListSink after = sink();
    stores.sessions.subscribe(stores.sessions.create(after, null).session(), "x");
    assertEquals(3, stores.fanout.deliver(stores.streams.append("x", null, null)));
    assertEquals(List.of(1L), before.seqs());
    assertEquals(List.of(1L), after.seqs());
  }

  @Test
  void eventsDeliveredOutOfOrderReachTheSessionInOffsetOrderOnce() {
    ListSink a = sink();
    SessionStore.Created sa = stores.sessions.create(a, null);
    stores.sessions.subscribe(sa.session(), "x");
    StreamEntry first = stores.streams.append("x", Json.createValue(1), null);
    StreamEntry second = stores.streams.append("x", Json.createValue(2), null);
    // two publishers committed in one order and fanned out in the other
    stores.fanout.deliver(second);
    stores.fanout.deliver(first);
    assertEquals(List.of(1L, 2L), a.seqs());
    assertEquals(1, a.events().get(0).getInt("offset"));
  }

  @Test
  void aResumeAfterADropReplaysWithTheOriginalSeqsThenNewOnes() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    stores.sessions.subscribe(created.session(), "y");
    publish("x", "a"); // seq 1, processed
    publish("y", "b"); // seq 2, queued but lost with the connection
    stores.sessions.closed(old, clock.millis());
    publish("x", "c"); // while detached
    publish("y", "d");

    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(ResumeResult.Resumed.class, resume(created, 1, fresh));
    assertEquals(3, ok.replayed());
    assertEquals(List.of(2L, 3L, 4L), fresh.seqs());
    assertEquals(
        List.of("b", "c", "d"), fresh.events().stream().map(e -> e.getString("data")).toList());
    assertEquals(2, ok.positions().get("x").offset());
    publish("x", "e");
    assertEquals(List.of(2L, 3L, 4L, 5L), fresh.seqs(), "the counter continues");
  }

  /**
   * docs/protocol.md section 8: an ack above the session's latest seq counts as that seq, so the
   * events numbered after it are still replayed to a resume from that seq.
   */
  @Test
  void anAckBeyondTheLatestSeqCountsAsTheLatest() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a"); // seq 1
    created.session().acknowledge(100);
    publish("x", "b"); // seq 2, lost with the connection
    stores.sessions.closed(old, clock.millis());

    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(ResumeResult.Resumed.class, resume(created, 1, fresh));
    assertEquals(1, ok.replayed());
    assertEquals(List.of(2L), fresh.seqs());
    assertEquals("b", fresh.events().get(0).getString("data"));
  }

  @Test
  void aRestartKeepsSessionsAndStreams() {
    HistoryLimits limits = new HistoryLimits(1000, 1 << 20, 600_000);
    stores = stores(limits, dir);
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a");
    publish("x", "b");
    // a stop: the records of held sessions are written, then the caches stop
    stores.sessions.saveAll();
    open.remove(open.size() - 1).close();

    stores = stores(limits, dir);
    publish("x", "c");
    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(ResumeResult.Resumed.class, resume(created, 1, fresh));
    assertEquals(2, ok.replayed());
    assertEquals(List.of(2L, 3L), fresh.seqs());
    assertEquals(List.of("b", "c"), fresh.events().stream().map(e -> e.getString("data")).toList());
  }

  @Test
  void eachResumeRotatesTheTokenAndTheUsedOneWorksOnceMore() {
    ListSink first = sink();
    SessionStore.Created created = stores.sessions.create(first, null);
    String id = created.session().id();
    String original = created.resumeToken();
    ListSink second = sink();
    ResumeResult.Resumed took =
        assertInstanceOf(ResumeResult.Resumed.class, resume(id, original, 0, Map.of(), second));
    assertSame(first, took.previous(), "the old connection is handed back to be closed");
    String rotated = newToken(second);

    // the connection died before `resumed` arrived: the client still has the original token
    ListSink third = sink();
    assertInstanceOf(ResumeResult.Resumed.class, resume(id, original, 0, Map.of(), third));
    assertReason(
        ResumeResult.Reason.INVALID_TOKEN,
        resume(id, rotated, 0, Map.of(), sink()),
        "a token of a `resumed` never used is void once an older one resumed");
    String newest = newToken(third);
    assertInstanceOf(ResumeResult.Resumed.class, resume(id, newest, 0, Map.of(), sink()));
    assertReason(ResumeResult.Reason.INVALID_TOKEN, resume(id, original, 0, Map.of(), sink()));
  }

  @Test
  void aLateResumeFromAnOlderConnectionDoesNotTakeTheSessionBack() {
    SessionStore.Created created = stores.sessions.create(sink(), null);
    stores.sessions.subscribe(created.session(), "x");
    ListSink older = sink();
    ListSink newer = sink();
    assertInstanceOf(ResumeResult.Resumed.class, resume(created, 0, newer));
    assertInstanceOf(ResumeResult.Superseded.class, resume(created, 0, older));
    publish("x", "a");
    assertEquals(List.of(1L), newer.seqs());
    assertTrue(older.frames.isEmpty());
  }

  @Test
  void failsWithTheRightReasonAndNamesTheChannelsOfAGap() {
    stores = stores(new HistoryLimits(3, 1 << 20, 600_000), null);
    ListSink sink = sink();
    SessionStore.Created created = stores.sessions.create(sink, null);
    stores.sessions.subscribe(created.session(), "x");
    stores.sessions.subscribe(created.session(), "y");
    String id = created.session().id();
    assertReason(ResumeResult.Reason.UNKNOWN, resume("s-nope", "t", 0, Map.of(), sink()));
    assertReason(ResumeResult.Reason.INVALID_TOKEN, resume(id, "wrong", 0, Map.of(), sink()));

    publish("y", "kept");
    for (int i = 0; i < 5; i++) {
      publish("x", "e" + i);
    }
    stores.sessions.closed(sink, clock.millis());
    ResumeResult.Failed gap =
        assertInstanceOf(ResumeResult.Failed.class, resume(created, 1, sink()));
    assertEquals(ResumeResult.Reason.GAP, gap.reason());
    assertEquals(List.of("x"), gap.channels(), "x keeps 3 events: seq 2 and 3 are gone");
    assertReason(ResumeResult.Reason.GAP, resume(created, 7, sink()), "beyond the last seq");

    clock.advance(Duration.ofMillis(GRACE + 1));
    assertReason(ResumeResult.Reason.EXPIRED, resume(created, 6, sink()));
  }

  @Test
  void aClientWithPositionsResumesWhereTheSessionRecordCannotReach() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    StreamEntry a = publish("x", "a");
    publish("x", "b");
    publish("x", "c");
    // the client confirmed seq 3, so the record keeps no runs before it, yet processed only "a"
    created.session().acknowledge(3);
    stores.sessions.closed(old, clock.millis());
    assertReason(ResumeResult.Reason.GAP, resume(created, 1, sink()));

    ListSink fresh = sink();
    ResumeResult.Resumed ok =
        assertInstanceOf(
            ResumeResult.Resumed.class,
            resume(
                created.session().id(),
                created.resumeToken(),
                1,
                Map.of("x", a.position()),
                fresh));
    assertEquals(List.of("b", "c"), fresh.events().stream().map(e -> e.getString("data")).toList());
    assertEquals(List.of(2L, 3L), fresh.seqs(), "numbered on from the client's lastSeq");
    assertEquals(3, ok.positions().get("x").offset());
  }

  @Test
  void aPositionInAnotherEpochIsAGapOfItsChannel() {
    SessionStore.Created created = stores.sessions.create(sink(), null);
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a");
    created.session().acknowledge(1);
    ResumeResult.Failed failed =
        assertInstanceOf(
            ResumeResult.Failed.class,
            resume(
                created.session().id(),
                created.resumeToken(),
                0,
                Map.of("x", new StreamPosition("an-old-epoch", 1)),
                sink()));
    assertEquals(List.of("x"), failed.channels());
  }

  @Test
  void aSlowConsumerIsClosedOutsideTheSessionLockAndResumesWithNothingLost() {
    ListSink slow = sink();
    slow.bound = 3;
    SessionStore.Created created = stores.sessions.create(slow, null);
    stores.sessions.subscribe(created.session(), "x");
    String euros = "€".repeat(1365); // ~4 KiB of UTF-8
    for (int i = 0; i < 5; i++) {
      publish("x", euros + i);
    }
    assertEquals(4008, slow.closedWith);
    stores.sessions.closed(slow, clock.millis());
    ListSink fresh = sink();
    assertInstanceOf(ResumeResult.Resumed.class, resume(created, 0, fresh));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), fresh.seqs());
  }

  /**
   * Undertow runs a connection's close callbacks on the thread that closes it, and those reach
   * every observer of the close and the session itself: they must not run under the session's lock,
   * nor must the sends (which may complete, and fail, on the calling thread).
   */
  @Test
  void sendsAndTheSlowConsumerCloseHappenOutsideTheSessionLock() {
    List<String> underLock = new ArrayList<>();
    ClientSession[] held = new ClientSession[1];
    ListSink sink =
        new ListSink(++opens) {
          @Override
          public void flush() {
            if (Thread.holdsLock(held[0])) {
              underLock.add("flush");
            }
          }

          @Override
          public void closeAsSlowConsumer() {
            if (Thread.holdsLock(held[0])) {
              underLock.add("close");
            }
            super.closeAsSlowConsumer();
          }
        };
    sink.bound = 1;
    SessionStore.Created created = stores.sessions.create(sink, null);
    held[0] = created.session();
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a");
    publish("x", "b");
    assertEquals(4008, sink.closedWith);
    assertEquals(List.of(), underLock);
  }

  /**
   * A publisher on another thread keeps appending while the client resumes again and again: live
   * events once overtook the replay (the resumed session listened before it replayed, unlocked),
   * and the client got offsets 30, 31, 32, then 29-32 again.
   */
  @Test
  void resumesDuringAConcurrentPublisherLoseNothingAndRepeatNothing() throws Exception {
    // room for every event: the publisher may run far ahead of the resumes
    stores = stores(new HistoryLimits(10_000, 1 << 24, 600_000), null);
    ListSink first = sink();
    SessionStore.Created created = stores.sessions.create(first, null);
    stores.sessions.subscribe(created.session(), "x");
    int events = 2_000;
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 1; i <= events; i++) {
                publish("x", Integer.toString(i));
              }
            });
    publisher.setDaemon(true); // if the test fails, it must not keep the JVM alive
    publisher.start();
    List<String> got = new ArrayList<>();
    ListSink current = first;
    ClientSession session = created.session();
    String token = created.resumeToken();
    long lastSeq = 0;
    int resumes = 0;
    while (publisher.isAlive() && resumes < 100) {
      // let a few live events arrive between two cuts
      while (current.events().size() < 5 && publisher.isAlive()) {
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      }
      stores.sessions.closed(current, clock.millis());
      List<JsonObject> received;
      synchronized (current) {
        received = current.events();
      }
      for (JsonObject event : received) {
        got.add(event.getString("data"));
        lastSeq = event.getJsonNumber("seq").longValue();
      }
      ListSink next = sink();
      ResumeResult attempt = resume(session.id(), token, lastSeq, Map.of(), next);
      if (!(attempt instanceof ResumeResult.Resumed ok)) {
        throw new AssertionError("resume " + resumes + " at seq " + lastSeq + ": " + attempt);
      }
      token = newTokenAfterReplay(next);
      session = ok.session();
      current = next;
      resumes++;
    }
    publisher.join();
    assertTrue(resumes >= 20, "only " + resumes + " resumes while publishing");
    stores.sessions.closed(current, clock.millis());
    for (JsonObject event : current.events()) {
      got.add(event.getString("data"));
    }
    List<String> all = new ArrayList<>();
    for (int i = 1; i <= events; i++) {
      all.add(Integer.toString(i));
    }
    assertEquals(all, got, "after " + resumes + " resumes");
  }

  /** The token of the {@code resumed} frame among the frames, which live events may follow. */
  private static String newTokenAfterReplay(ListSink sink) {
    synchronized (sink) {
      for (String frame : sink.frames) {
        JsonObject message = Json.createReader(new StringReader(frame)).readObject();
        if (message.containsKey("token")) {
          return message.getString("token");
        }
      }
    }
    throw new AssertionError("no resumed frame");
  }

  @Test
  void aDetachThatLosesTheRaceToAResumeDoesNotOverwriteItsRecord() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    ClientSession first = created.session();
    ListSink fresh = sink();
    ResumeResult.Resumed resumed =
        assertInstanceOf(ResumeResult.Resumed.class, resume(created, 0, fresh));
    String token = newToken(fresh);
    // the old connection's close arrives after the resume took the session from it
    stores.sessions.closed(old, clock.millis());
    publish("x", "a");
    assertEquals(List.of(1L), fresh.seqs(), "the resumed session still listens");
    assertSame(resumed.session(), stores.sessions.find(first.id()).orElseThrow());
    // and its record is the resume's: the rotated token works
    stores.sessions.closed(fresh, clock.millis());
    assertInstanceOf(
        ResumeResult.Resumed.class,
        resume(first.id(), token, 1, Map.of(), sink()),
        "the record the late detach would have written back had the old token only");
  }

  /**
   * Two nodes resume one session at the same moment (two tabs that share its token, a client that
   * resumed twice): each reads the record and asks the other to hand the session over before either
   * holds it. Afterwards one of them holds it and gets the next event; the other connection is
   * closed as taken over and gets nothing more. Two stores on one cache, each the other's other
   * node, with a round trip of 2 ms per ask, as between nodes.
   */
  @Test
  void twoNodesResumingOneSessionAtOnceLeaveItToOneConnection() throws Exception {
    SessionStore[] nodes = new SessionStore[2];
    LocalFanout[] fanouts = new LocalFanout[2];
    for (int n = 0; n < 2; n++) {
      int other = 1 - n;
      OtherNodes others =
          (id, openOrder, claim) -> {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            return nodes[other].handOver(id, openOrder, claim, clock.millis());
          };
      InMemoryChannelRegistry channels = new InMemoryChannelRegistry();
      nodes[n] =
          new SessionStore(
              stores.sessionCache, channels, stores.streams, others, WsSettings.defaults());
      fanouts[n] = new LocalFanout(stores.streams, nodes[n], channels, clock);
    }
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      int races = 0;
      for (int round = 0; round < 30; round++) {
        ListSink old = sink();
        SessionStore.Created created = nodes[0].create(old, null);
        nodes[0].subscribe(created.session(), "x");
        nodes[0].closed(old, clock.millis());
        ListSink[] sinks = {sink(), sink()};
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<ResumeResult>> results = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
          SessionStore node = nodes[n];
          ListSink sink = sinks[n];
          results.add(
              threads.submit(
                  () -> {
                    together.await();
                    return node.resume(
                        new ResumeRequest(
                            created.session().id(),
                            created.resumeToken(),
                            0,
                            Map.of(),
                            null,
                            channel -> true),
                        sink,
                        clock.millis(),
                        (id, token, replayed, seq, at) -> "{\"type\":\"resumed\"}");
                  }));
        }
        for (int n = 0; n < 2; n++) {
          // as WsProtocol does: a superseded request's connection is closed as taken over
          if (results.get(n).get(10, TimeUnit.SECONDS) instanceof ResumeResult.Superseded) {
            sinks[n].closeAsTakenOver();
          }
        }
        boolean bothResumed = sinks[0].frames.size() == 1 && sinks[1].frames.size() == 1;
        races += bothResumed ? 1 : 0;
        StreamEntry entry = stores.streams.append("x", Json.createValue("after " + round), null);
        fanouts[0].deliver(entry);
        fanouts[1].deliver(entry);
        String why = "round " + round;
        List<Integer> holders = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
          if (nodes[n].find(created.session().id()).isPresent()) {
            holders.add(n);
          }
        }
        assertEquals(1, holders.size(), why + ": nodes holding the session " + holders);
        ListSink kept = sinks[holders.get(0)];
        ListSink closed = sinks[1 - holders.get(0)];
        assertEquals(0, kept.closedWith, why);
        assertEquals(1, kept.events().size(), why + ": the next event reaches the one kept");
        assertEquals(4001, closed.closedWith, why);
        assertTrue(closed.events().isEmpty(), why + ": and not the one closed");
      }
      assertTrue(races > 0, "both resumes answered `resumed` in no round: no race happened");
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * A resume on another node that fails (the client acknowledged beyond its {@code lastSeq} and
   * sends no positions: where it stands is unknown) leaves the connection holding the session
   * alone, as a resume on its own node does: the holder is not closed, keeps the session and gets
   * the next event. Two stores on one cache, each the other's other node.
   */
  @Test
  void aResumeOnAnotherNodeThatFailsLeavesTheConnectionHoldingTheSessionAlone() {
    SessionStore[] nodes = new SessionStore[2];
    LocalFanout[] fanouts = new LocalFanout[2];
    for (int n = 0; n < 2; n++) {
      int other = 1 - n;
      OtherNodes others =
          (id, openOrder, claim) -> nodes[other].handOver(id, openOrder, claim, clock.millis());
      InMemoryChannelRegistry channels = new InMemoryChannelRegistry();
      nodes[n] =
          new SessionStore(
              stores.sessionCache, channels, stores.streams, others, WsSettings.defaults());
      fanouts[n] = new LocalFanout(stores.streams, nodes[n], channels, clock);
    }
    ListSink holder = sink();
    SessionStore.Created created = nodes[0].create(holder, null);
    nodes[0].subscribe(created.session(), "x");
    for (int i = 1; i <= 2; i++) {
      fanouts[0].deliver(stores.streams.append("x", Json.createValue(i), null));
    }
    created.session().acknowledge(2);

    for (SessionStore node : List.of(nodes[1], nodes[0])) { // and on its own node
      ResumeResult result =
          node.resume(
              new ResumeRequest(
                  created.session().id(), created.resumeToken(), 1, Map.of(), null, c -> true),
              sink(),
              clock.millis(),
              (id, token, replayed, seq, at) -> "{\"type\":\"resumed\"}");
      assertEquals(
          ResumeResult.Reason.GAP, assertInstanceOf(ResumeResult.Failed.class, result).reason());
      assertEquals(0, holder.closedWith, "not taken over");
    }
    assertTrue(nodes[0].find(created.session().id()).isPresent());
    assertTrue(nodes[1].find(created.session().id()).isEmpty());
    fanouts[0].deliver(stores.streams.append("x", Json.createValue(3), null));
    assertEquals(3, holder.events().size(), "the holder gets the next event");
  }

  /**
   * A close whose record write fails (on a split, the side without a majority refuses writes) still
   * lets the session go: nothing of it stays held or listening on this node.
   */
  @Test
  void aDetachWhoseRecordWriteFailsStillLetsTheSessionGo() {
    ListSink sink = sink();
    SessionStore.Created created = stores.sessions.create(sink, null);
    stores.sessions.subscribe(created.session(), "x");
    stores.sessionCache.stop();
    assertThrows(RuntimeException.class, () -> stores.sessions.closed(sink, clock.millis()));
    assertTrue(stores.sessions.find(created.session().id()).isEmpty(), "still held");
    assertTrue(stores.sessions.heldSubscribers("x").isEmpty(), "still listening");
  }

  /** Beyond {@code ws.max-sessions}, the session detached first expires first. */
  @Test
  void beyondTheSessionCapTheOldestDetachedSessionsExpireFirst() {
    stores = cappedAt(3);
    List<SessionStore.Created> created = new ArrayList<>();
    List<ListSink> sinks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ListSink sink = sink();
      sinks.add(sink);
      created.add(stores.sessions.create(sink, null));
    }
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMillis(1));
      stores.sessions.closed(sinks.get(i), clock.millis());
    }
    assertReason(ResumeResult.Reason.EXPIRED, resume(created.get(0), 0, sink()), "the oldest");
    for (int i = 1; i < 4; i++) {
      assertInstanceOf(ResumeResult.Resumed.class, resume(created.get(i), 0, sink()), "" + i);
    }
  }

  /**
   * A frame of the old connection that found the session before a resume moved it to a newer
   * connection, and is handled after: it leaves the resumed session's channels and record alone.
   */
  @Test
  void anOldConnectionsFramesAfterAResumeLeaveTheResumedSessionAlone() {
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    ClientSession before = created.session();
    stores.sessions.subscribe(before, "x");
    ListSink fresh = sink();
    assertInstanceOf(ResumeResult.Resumed.class, resume(created, 0, fresh));
    String token = newToken(fresh);

    assertTrue(stores.sessions.unsubscribe(before, "x"));
    stores.sessions.subscribe(before, "y");
    publish("x", "a");
    publish("y", "b");
    assertEquals(List.of(1L), fresh.seqs(), "the resumed session still listens to x, not to y");
    assertTrue(stores.sessions.heldSubscribers("y").isEmpty());
    stores.sessions.closed(fresh, clock.millis());
    ResumeResult.Resumed again =
        assertInstanceOf(
            ResumeResult.Resumed.class, resume(before.id(), token, 1, Map.of(), sink()));
    assertEquals(Set.of("x"), again.session().channels(), "and its record is the resumed one's");
  }

  /**
   * A session detached on one node, then resumed and detached on another, is no longer the first
   * node's to expire at its cap: the first node's oldest detached session is, but this one resumes.
   * Two stores on one cache.
   */
  @Test
  void theCapOfANodeLeavesASessionResumedElsewhereSinceAlone() {
    List<SessionStore> nodes = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      nodes.add(
          new SessionStore(
              stores.sessionCache,
              new InMemoryChannelRegistry(),
              stores.streams,
              OtherNodes.NONE,
              TestSettings.defaultsWith(10, 1, 2)));
    }
    SessionStore first = nodes.get(0);
    SessionStore second = nodes.get(1);
    ListSink sink = sink();
    SessionStore.Created moved = first.create(sink, null);
    first.closed(sink, clock.millis());
    ListSink elsewhere = sink();
    assertInstanceOf(
        ResumeResult.Resumed.class,
        second.resume(
            new ResumeRequest(
                moved.session().id(), moved.resumeToken(), 0, Map.of(), null, c -> true),
            elsewhere,
            clock.millis(),
            (id, token, replayed, seq, at) ->
                "{\"type\":\"resumed\",\"token\":\"" + token + "\"}"));
    clock.advance(Duration.ofMillis(1));
    second.closed(elsewhere, clock.millis());
    for (int i = 0; i < 2; i++) { // two more detached on the first node: one over its cap of two
      ListSink other = sink();
      first.create(other, null);
      clock.advance(Duration.ofMillis(1));
      first.closed(other, clock.millis());
    }
    assertInstanceOf(
        ResumeResult.Resumed.class,
        resume(moved.session().id(), newToken(elsewhere), 0, Map.of(), sink()),
        "expired by the first node's cap");
  }

  /**
   * A claim of a session no longer held here (its connection closed meanwhile, and the cap has
   * expired it since) writes nothing: the record stays expired.
   */
  @Test
  void aClaimOfASessionNoLongerHeldWritesNothing() {
    stores = cappedAt(1);
    ListSink sink = sink();
    SessionStore.Created created = stores.sessions.create(sink, null);
    stores.sessions.subscribe(created.session(), "x");
    stores.sessions.closed(sink, clock.millis());
    ListSink next = sink();
    stores.sessions.create(next, null);
    clock.advance(Duration.ofMillis(1));
    stores.sessions.closed(next, clock.millis()); // over the cap of one: the first expires
    stores.sessions.claim(created.session(), "alice");
    assertReason(ResumeResult.Reason.EXPIRED, resume(created, 0, sink()));
  }

  /**
   * An {@code auth} whose claim comes while the session's first record (a publication's) is being
   * written: the stored record gets the subject, by that write or the next.
   */
  @Test
  void aClaimDuringTheFirstRecordWriteIsRecorded() throws Exception {
    WriteGate gate = new WriteGate();
    stores.sessionCache.addListener(gate);
    SessionStore.Created created = stores.sessions.create(sink(), null);
    gate.hold = true;
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<?> publishing =
          threads.submit(() -> stores.sessions.recordBeforePublishing(created.session()));
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
      Future<?> claiming = threads.submit(() -> stores.sessions.claim(created.session(), "alice"));
      Thread.sleep(200); // the claim runs into the write under way, or waits for it
      gate.release.countDown();
      publishing.get(10, TimeUnit.SECONDS);
      claiming.get(10, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    assertEquals(
        "alice",
        new SessionRecords(stores.sessionCache, GRACE).read(created.session().id()).subject());
  }

  /**
   * A resume whose record write fails (a cache that refuses writes, as the side of a split without
   * a majority does) moves nothing: the client gets no {@code resumed} (no new token the record
   * does not know), the connection holding the session keeps it, and the token still resumes.
   */
  @Test
  void aResumeWhoseRecordWriteFailsMovesNothing() {
    WriteGate gate = new WriteGate();
    stores.sessionCache.addListener(gate);
    ListSink old = sink();
    SessionStore.Created created = stores.sessions.create(old, null);
    stores.sessions.subscribe(created.session(), "x");
    publish("x", "a");
    gate.fail = true;
    ListSink fresh = sink();
    assertThrows(RuntimeException.class, () -> resume(created, 0, fresh));
    gate.fail = false;
    assertTrue(fresh.frames.isEmpty(), "sent: " + fresh.frames);
    assertEquals(0, old.closedWith);
    assertSame(created.session(), stores.sessions.find(created.session().id()).orElseThrow());
    publish("x", "b");
    assertEquals(List.of(1L, 2L), old.seqs(), "the holder still gets the events");
    stores.sessions.closed(old, clock.millis());
    assertInstanceOf(ResumeResult.Resumed.class, resume(created, 0, sink()));
  }

  /** Holds or fails the writes of a cache, in the writing thread, before they take effect. */
  @Listener(sync = true)
  public static final class WriteGate {
    volatile boolean fail;
    volatile boolean hold;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @CacheEntryCreated
    @CacheEntryModified
    public void before(CacheEntryEvent<String, String> event) throws InterruptedException {
      if (!event.isPre()) {
        return;
      }
      if (fail) {
        throw new IllegalStateException("writes refused");
      }
      if (hold) {
        hold = false;
        entered.countDown();
        release.await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void assertReason(ResumeResult.Reason reason, ResumeResult result) {
    assertReason(reason, result, "");
  }

  private static void assertReason(ResumeResult.Reason reason, ResumeResult result, String why) {
    assertEquals(reason, assertInstanceOf(ResumeResult.Failed.class, result, why).reason(), why);
  }
}
