package org.robustws.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.HistoryLimits;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.TopologyFence;
import org.robustws.testing.LocalCaches;
import org.robustws.testing.MutableClock;

/** Real threads publishing on one channel through one {@link GroupCommit}, on a real cache. */
class GroupCommitTest {
  private final LocalCaches caches = new LocalCaches(null);
  private final ChannelStreams streams =
      new ChannelStreams(
          caches.cache("streams"),
          TopologyFence.none(),
          new HistoryLimits(10_000, 1 << 24, 600_000),
          60_000,
          new MutableClock(Instant.ofEpochMilli(1_000_000)));
  private final GroupCommit<Publication, StreamEntry> appends =
      new GroupCommit<>(
          (channel, batch) -> {
            List<StreamEntry> entries =
                streams.appendAll(channel, batch).stream().map(Appended::entry).toList();
            return () -> entries;
          });

  @AfterEach
  void stop() {
    caches.close();
  }

  @Test
  void concurrentPublishersGetEveryOffsetOnceEachInTheirOwnOrder() throws Exception {
    int publishers = 8;
    int each = 200;
    ExecutorService threads = Executors.newFixedThreadPool(publishers);
    List<Future<List<StreamEntry>>> results = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      results.add(
          threads.submit(
              () -> {
                List<StreamEntry> mine = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  mine.add(
                      appends.submit(
                          "hot", new Publication(Json.createValue(publisher * 1000 + i), null)));
                }
                return mine;
              }));
    }
    TreeSet<Long> offsets = new TreeSet<>();
    for (Future<List<StreamEntry>> result : results) {
      List<StreamEntry> mine = result.get(60, TimeUnit.SECONDS);
      for (int i = 1; i < mine.size(); i++) {
        assertTrue(mine.get(i).offset() > mine.get(i - 1).offset(), "a publisher's own order");
      }
      mine.forEach(entry -> offsets.add(entry.offset()));
    }
    threads.shutdown();
    assertEquals(publishers * each, offsets.size(), "every offset once");
    assertEquals(1L, offsets.first());
    assertEquals((long) publishers * each, offsets.last());
    assertEquals(publishers * each, streams.head("hot").orElseThrow().last());
  }

  /**
   * While a batch of channel "a" holds its turn in the first step, five publishers of "a" wait and
   * then run as one batch (one append, one notice to the other nodes), and "b" runs meanwhile.
   */
  @Test
  void publicationsWaitingForOneChannelRunAsOneBatchAndOtherChannelsDoNotWait() throws Exception {
    CountDownLatch firstHolds = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> batches = new CopyOnWriteArrayList<>();
    GroupCommit<String, String> lanes =
        new GroupCommit<>(
            (channel, batch) -> {
              batches.add(channel + " " + new TreeSet<>(batch));
              if (batch.contains("first")) {
                firstHolds.countDown();
                await(release);
              }
              return () -> batch;
            });
    ThreadPoolExecutor threads =
        new ThreadPoolExecutor(7, 7, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    List<Future<String>> results = new ArrayList<>();
    results.add(threads.submit(() -> lanes.submit("a", "first")));
    assertTrue(firstHolds.await(10, TimeUnit.SECONDS));
    for (int i = 1; i <= 5; i++) {
      String item = "w" + i;
      results.add(threads.submit(() -> lanes.submit("a", item)));
    }
    assertEquals(
        "other", threads.submit(() -> lanes.submit("b", "other")).get(10, TimeUnit.SECONDS));
    while (threads.getActiveCount() < 6) {
      Thread.sleep(10);
    }
    Thread.sleep(500); // the five running threads have joined "a"'s lane
    release.countDown();
    for (Future<String> result : results) {
      result.get(10, TimeUnit.SECONDS);
    }
    threads.shutdown();
    assertEquals(List.of("a [first]", "b [other]", "a [w1, w2, w3, w4, w5]"), batches);
  }

  @Test
  void anInvalidChannelFailsItsPublisherAndNoOther() {
    assertThrows(
        IllegalArgumentException.class,
        () -> appends.submit("no spaces", new Publication(Json.createValue(1), null)));
    assertEquals(1, appends.submit("fine", new Publication(Json.createValue(2), null)).offset());
  }

  @Test
  void theNextBatchRunsWhileOneWaitsInItsSecondStepAndAFailureStaysInItsBatch() throws Exception {
    CountDownLatch firstWaits = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> batches =
        new GroupCommit<>(
            (channel, batch) ->
                () -> {
                  if (batch.contains("slow")) {
                    firstWaits.countDown();
                    await(release);
                  }
                  if (batch.contains("bad")) {
                    throw new IllegalStateException("bad batch");
                  }
                  return batch.stream().map(item -> item + "!").toList();
                });
    ExecutorService threads = Executors.newFixedThreadPool(2);
    Future<String> slow = threads.submit(() -> batches.submit("c", "slow"));
    assertTrue(firstWaits.await(10, TimeUnit.SECONDS));
    assertThrows(IllegalStateException.class, () -> batches.submit("c", "bad"));
    assertEquals(
        "next!", threads.submit(() -> batches.submit("c", "next")).get(10, TimeUnit.SECONDS));
    assertFalse(slow.isDone(), "the first batch still waits in its second step");
    release.countDown();
    assertEquals("slow!", slow.get(10, TimeUnit.SECONDS));
    threads.shutdown();
  }

  /** An Error in either step fails its batch and passes the turn on: the channel does not hang. */
  @Test
  void anErrorInAStepFailsItsBatchAndTheNextOneRuns() throws Exception {
    GroupCommit<String, String> batches =
        new GroupCommit<>(
            (channel, batch) -> {
              if (batch.contains("first")) {
                throw new StackOverflowError("in the first step");
              }
              return () -> {
                if (batch.contains("second")) {
                  throw new AssertionError("in the second step");
                }
                return batch.stream().map(item -> item + "!").toList();
              };
            });
    ExecutorService threads = Executors.newCachedThreadPool();
    for (String item : List.of("first", "second")) {
      Future<String> failing = threads.submit(() -> batches.submit("c", item));
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof Error, failed.toString());
    }
    assertEquals(
        "next!", threads.submit(() -> batches.submit("c", "next")).get(10, TimeUnit.SECONDS));
    threads.shutdownNow();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
