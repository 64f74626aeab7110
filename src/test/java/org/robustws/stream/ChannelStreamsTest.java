package org.robustws.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustws.protocol.ServerMessage;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.testing.LocalCaches;
import org.robustws.testing.MutableClock;

class ChannelStreamsTest {
  private static final long ID_MILLIS = 60_000;
  private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_000_000));
  private final List<LocalCaches> open = new ArrayList<>();
  @TempDir Path dir;

  @AfterEach
  void stop() {
    open.forEach(LocalCaches::close);
  }

  private ChannelStreams streams(HistoryLimits limits, Path store) {
    return streamsOn(cacheIn(store), limits);
  }

  /** A streams cache with its file store in {@code store} (none: memory only), closed after. */
  private org.infinispan.Cache<String, String> cacheIn(Path store) {
    LocalCaches caches = new LocalCaches(store);
    open.add(caches);
    return caches.cache("streams");
  }

  private ChannelStreams streamsOn(
      org.infinispan.Cache<String, String> cache, HistoryLimits limits) {
    return new ChannelStreams(cache, TopologyFence.none(), limits, ID_MILLIS, clock);
  }

  private static JsonValue text(String s) {
    return Json.createValue(s);
  }

  @Test
  void appendsGetConsecutiveOffsetsInOneEpochPerChannel() {
    ChannelStreams streams = streams(new HistoryLimits(10, 1 << 20, 60_000), null);
    StreamEntry a1 = streams.append("a", text("x"), null);
    StreamEntry a2 = streams.append("a", text("y"), Json.createValue("p-1"));
    StreamEntry b1 = streams.append("b", text("z"), null);
    assertEquals(1, a1.offset());
    assertEquals(2, a2.offset());
    assertEquals(1, b1.offset());
    assertEquals(a1.epoch(), a2.epoch());
    assertNotEquals(a1.epoch(), b1.epoch());
    assertEquals(
        "{\"type\":\"event\",\"seq\":7,\"channel\":\"a\",\"offset\":2,\"epoch\":\""
            + a2.epoch()
            + "\",\"data\":\"y\",\"id\":\"p-1\"}",
        a2.frame(7));
    assertEquals(a2.frame(7).length(), a2.frameBytes(7));
  }

  @Test
  void aPublicationWithAnEarlierKeyIsNotAppendedAgainUntilTheKeyIsForgotten() throws Exception {
    long idMillis = 300; // Infinispan expires entries by the wall clock
    ChannelStreams streams =
        new ChannelStreams(
            cacheIn(null),
            TopologyFence.none(),
            new HistoryLimits(10, 1 << 20, 600_000),
            idMillis,
            clock);
    Publication first = new Publication(text("x"), Json.createValue("p-1"), "s-1:\"p-1\"");
    List<Appended> batch =
        streams.appendAll(
            "a", List.of(first, new Publication(text("y"), null), first)); // twice in one batch
    assertEquals(List.of(1L, 2L, 1L), batch.stream().map(Appended::offset).toList());
    assertEquals(List.of(false, false, true), batch.stream().map(Appended::repeated).toList());
    Appended again = streams.appendAll("a", List.of(first)).get(0);
    assertTrue(again.repeated());
    assertEquals(1, again.offset());
    assertEquals(batch.get(0).epoch(), again.epoch());
    assertEquals(2, streams.head("a").orElseThrow().last(), "nothing appended twice");
    assertFalse(streams.appendAll("b", List.of(first)).get(0).repeated(), "a key is per channel");
    Thread.sleep(idMillis + 200);
    assertEquals(3, streams.appendAll("a", List.of(first)).get(0).offset(), "forgotten");
  }

  @Test
  void eventFramesMatchTheDocumentedEventRecord() {
    ChannelStreams streams = streams(new HistoryLimits(10, 1 << 20, 60_000), null);
    JsonValue data = Json.createObjectBuilder().add("x", "€ \"quoted\"").build();
    StreamEntry entry = streams.append("news", data, Json.createValue("p-7"));
    ServerMessage.Event expected =
        ServerMessage.Event.of("news", data, 17, 1, entry.epoch(), Json.createValue("p-7"));
    try (Jsonb jsonb = JsonbBuilder.create()) {
      assertEquals(expected, jsonb.fromJson(entry.frame(17), ServerMessage.Event.class));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertEquals(
        entry.frame(17).getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
        entry.frameBytes(17));
  }

  @Test
  void readsWhatFollowsAPositionAndSaysWhenItIsGone() {
    ChannelStreams streams = streams(new HistoryLimits(3, 1 << 20, 60_000), null);
    for (int i = 1; i <= 5; i++) {
      streams.append("a", text("e" + i), null);
    }
    StreamHead head = streams.head("a").orElseThrow();
    assertEquals(3, head.first());
    assertEquals(5, head.last());
    String epoch = head.epoch();
    List<StreamEntry> after2 =
        streams.readAfter("a", new StreamPosition(epoch, 2), Long.MAX_VALUE).orElseThrow();
    assertEquals(List.of(3L, 4L, 5L), after2.stream().map(StreamEntry::offset).toList());
    assertTrue(
        streams.readAfter("a", new StreamPosition(epoch, 5), Long.MAX_VALUE).get().isEmpty());
    assertEquals(1, streams.readAfter("a", new StreamPosition(epoch, 3), 4).get().size());
    // offset 2 was trimmed: a client at 1 misses it
    assertTrue(streams.readAfter("a", new StreamPosition(epoch, 1), Long.MAX_VALUE).isEmpty());
    assertTrue(streams.readAfter("a", StreamPosition.START, Long.MAX_VALUE).isEmpty());
    assertTrue(streams.readAfter("a", new StreamPosition("other", 4), Long.MAX_VALUE).isEmpty());
    assertTrue(streams.readAfter("a", new StreamPosition(epoch, 6), Long.MAX_VALUE).isEmpty());
    assertTrue(streams.readAfter("none", StreamPosition.START, Long.MAX_VALUE).get().isEmpty());
    assertTrue(streams.readAfter("none", new StreamPosition("e", 3), Long.MAX_VALUE).isEmpty());
  }

  /**
   * Appends to one channel made on nodes whose clocks disagree: a later offset may carry an earlier
   * time. A replay across channels keeps each channel's offsets in order and merges them by time.
   */
  @Test
  void aReplayAcrossChannelsKeepsEachChannelsOffsetOrder() {
    ChannelStreams streams = streams(new HistoryLimits(10, 1 << 20, 60_000), null);
    streams.append("a", text("x"), null);
    clock.advance(java.time.Duration.ofMillis(-50)); // another node's clock
    streams.append("a", text("x"), null);
    streams.append("b", text("x"), null);
    clock.advance(java.time.Duration.ofMillis(100));
    streams.append("b", text("x"), null);
    Catchup catchup =
        streams.readAfterEach(Map.of("a", StreamPosition.START, "b", StreamPosition.START));
    assertEquals(
        List.of("b1", "a1", "a2", "b2"),
        catchup.entries().stream().map(entry -> entry.channel() + entry.offset()).toList());
    assertEquals(List.of(), catchup.lost());
  }

  /**
   * An entry the head counts but this node's copy does not hold yet, or holds as an older epoch's
   * (a commit applied here after its head, as on a cluster's backup), is read again after short
   * pauses, not answered as lost; one that never comes is lost.
   */
  @Test
  void anEntryTheHeadCountsThatArrivesLateIsWaitedForBriefly() throws Exception {
    org.infinispan.Cache<String, String> cache = cacheIn(null);
    ChannelStreams streams = streamsOn(cache, new HistoryLimits(10, 1 << 20, 60_000));
    for (int i = 1; i <= 3; i++) {
      streams.append("a", text("e" + i), null);
    }
    StreamPosition start = new StreamPosition(streams.head("a").orElseThrow().epoch(), 0);
    String key = StreamFormat.entryKey(3, "a");
    String third = cache.remove(key);
    ExecutorService late = Executors.newSingleThreadExecutor();
    try {
      Future<?> applied = late.submit(putAfter20Ms(cache, key, third));
      List<StreamEntry> read = streams.readAfter("a", start, Long.MAX_VALUE).orElseThrow();
      assertEquals(List.of(1L, 2L, 3L), read.stream().map(StreamEntry::offset).toList());
      applied.get();
      // an older epoch's entry at that offset: this epoch's append has not overwritten it yet
      cache.put(key, "older" + third.substring(third.indexOf('|')));
      applied = late.submit(putAfter20Ms(cache, key, third));
      assertEquals(3, streams.readAfter("a", start, Long.MAX_VALUE).orElseThrow().size());
      applied.get();
    } finally {
      late.shutdown();
    }
    cache.remove(key);
    assertTrue(streams.readAfter("a", start, Long.MAX_VALUE).isEmpty(), "never came: lost");
  }

  /**
   * An append locks its channel's head and nothing else: the head's lock already orders the
   * channel's other keys, and on a cluster each further lock was a call to that key's primary owner
   * (bench/RESULTS.md). Another transaction holding the locks of the next entry's key, of the
   * publication's key and of another channel's head does not hold the append up.
   */
  @Test
  void anAppendLocksOnlyItsChannelsHead() throws Exception {
    org.infinispan.Cache<String, String> cache = cacheIn(null);
    ChannelStreams streams = streamsOn(cache, new HistoryLimits(1, 1 << 20, 60_000));
    streams.append("a", text("e1"), null);
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService holder = Executors.newSingleThreadExecutor();
    ExecutorService appender = Executors.newSingleThreadExecutor();
    try {
      Future<?> held =
          holder.submit(
              () -> {
                cache.startBatch();
                cache
                    .getAdvancedCache()
                    .lock(
                        StreamFormat.entryKey(1, "a"),
                        StreamFormat.entryKey(2, "a"),
                        StreamFormat.idKey("a", "k"),
                        StreamFormat.headKey("b"));
                locked.countDown();
                release.await();
                cache.endBatch(false);
                return null;
              });
      locked.await();
      Future<List<Appended>> append =
          appender.submit(
              () -> streams.appendAll("a", List.of(new Publication(text("e2"), null, "k"))));
      assertEquals(2, append.get(5, TimeUnit.SECONDS).get(0).offset());
      release.countDown();
      held.get();
    } finally {
      release.countDown();
      holder.shutdown();
      appender.shutdown();
    }
  }

  /** Puts {@code value} at {@code key} 20 ms after it is called, as a late commit does. */
  private static java.util.concurrent.Callable<String> putAfter20Ms(
      org.infinispan.Cache<String, String> cache, String key, String value) {
    return () -> {
      Thread.sleep(20);
      return cache.put(key, value);
    };
  }

  @Test
  void theByteBoundCountsUtf8BytesOfTheFrames() {
    String euros = "€".repeat(1000); // 3,000 UTF-8 bytes, 1,000 UTF-16 chars
    ChannelStreams streams = streams(new HistoryLimits(1000, 10_000, 60_000), null);
    StreamEntry entry = null;
    for (int i = 0; i < 5; i++) {
      entry = streams.append("a", text(euros), null);
    }
    assertTrue(entry.maxBytes() > 3_000);
    StreamHead head = streams.head("a").orElseThrow();
    assertEquals(3, head.events(), "three frames of ~3 KB fit in 10,000 bytes, four do not");
    assertEquals(3L * entry.maxBytes(), head.bytes());
  }

  @Test
  void eventsOlderThanTheAgeBoundAreDroppedAtTheNextAppend() {
    ChannelStreams streams = streams(new HistoryLimits(1000, 1 << 20, 10_000), null);
    streams.append("a", text("old"), null);
    clock.advance(java.time.Duration.ofMillis(10_001));
    streams.append("a", text("new"), null);
    StreamHead head = streams.head("a").orElseThrow();
    assertEquals(2, head.first());
    assertEquals(1, head.events());
  }

  @Test
  void aRestartKeepsStreamsAndTheirEpoch() {
    HistoryLimits limits = new HistoryLimits(10, 1 << 20, 60_000);
    ChannelStreams first = streams(limits, dir);
    StreamEntry before = first.append("a", text("kept"), null);
    open.remove(0).close();
    ChannelStreams second = streams(limits, dir);
    StreamEntry after = second.append("a", text("next"), null);
    assertEquals(before.epoch(), after.epoch());
    assertEquals(2, after.offset());
    assertEquals(
        before.tail(), second.readAfter("a", StreamPosition.START, 1).orElseThrow().get(0).tail());
  }

  @Test
  void concurrentPublishersGetEveryOffsetOnce() throws Exception {
    ChannelStreams streams = streams(new HistoryLimits(10_000, 1 << 24, 60_000), null);
    int threads = 4;
    int each = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                List<Long> offsets = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  offsets.add(streams.append("a", text("x"), null).offset());
                }
                return offsets;
              }));
    }
    start.countDown();
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      all.addAll(result.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    Collections.sort(all);
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1, all.get(i));
    }
    assertFalse(streams.readAfter("a", StreamPosition.START, Long.MAX_VALUE).isEmpty());
  }
}
