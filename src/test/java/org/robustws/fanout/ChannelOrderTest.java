package org.robustws.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamHead;
import org.robustws.stream.StreamPosition;

class ChannelOrderTest {
  private final List<Long> given = new CopyOnWriteArrayList<>();
  private final Map<Long, StreamEntry> stream = new ConcurrentHashMap<>();
  private StreamPosition start = new StreamPosition("e1", 0);

  /** Given to three sessions, queued at once. */
  private static final String UNREADABLE = "unreadable";

  private static final Delivery THREE =
      new Delivery() {
        @Override
        public int sessions() {
          return 3;
        }

        @Override
        public void awaitQueued() {}
      };

  private ChannelOrder order(long holdMillis) {
    return new ChannelOrder(
        entry -> {
          given.add(entry.offset());
          return THREE;
        },
        channel -> Optional.ofNullable(start),
        channel -> start != null,
        (channel, after, upTo) -> {
          List<StreamEntry> found = new java.util.ArrayList<>();
          for (long o = after.offset() + 1; o <= upTo; o++) {
            if (!stream.containsKey(o)) {
              return Optional.empty();
            }
            found.add(stream.get(o));
          }
          return Optional.of(found);
        },
        channel -> {
          if (channel.equals(UNREADABLE)) {
            throw new IllegalStateException("its stream cannot be read");
          }
          return stream.isEmpty()
              ? Optional.empty()
              : Optional.of(
                  new StreamHead(
                      stream.get(Collections.max(stream.keySet())).epoch(),
                      Collections.min(stream.keySet()),
                      Collections.max(stream.keySet()),
                      0));
        },
        holdMillis);
  }

  private StreamEntry entry(String epoch, long offset) {
    StreamEntry entry = new StreamEntry("c", epoch, offset, "}", 1, offset);
    stream.put(offset, entry);
    return entry;
  }

  @Test
  void anEventThatComesEarlyWaitsForTheOnesBeforeIt() throws Exception {
    ChannelOrder order = order(5_000);
    StreamEntry first = entry("e1", 1);
    StreamEntry second = entry("e1", 2);
    CompletableFuture<Integer> early = CompletableFuture.supplyAsync(() -> order.offer(second));
    Thread.sleep(100);
    assertEquals(List.of(), given, "held");
    assertEquals(3, order.offer(first));
    assertEquals(3, early.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(1L, 2L), given);
  }

  @Test
  void aSecondNoticeOfAnEventIsDropped() {
    ChannelOrder order = order(5_000);
    StreamEntry first = entry("e1", 1);
    assertEquals(3, order.offer(first));
    assertEquals(0, order.offer(first));
    assertEquals(List.of(1L), given);
  }

  @Test
  void aLostNoticeIsReadFromTheStreamAfterTheHold() {
    ChannelOrder order = order(100);
    entry("e1", 1); // its notice never comes
    assertEquals(3, order.offer(entry("e1", 2)));
    assertEquals(List.of(1L, 2L), given);
  }

  @Test
  void whatTheStreamNoLongerHasIsSkipped() {
    ChannelOrder order = order(100);
    StreamEntry third = entry("e1", 3); // 1 and 2: trimmed, never noticed
    assertEquals(3, order.offer(third));
    assertEquals(List.of(3L), given);
  }

  @Test
  void aNewStreamStartsTheLaneAgain() {
    ChannelOrder order = order(5_000);
    order.offer(entry("e1", 1));
    assertEquals(3, order.offer(entry("e2", 1)));
    assertEquals(0, order.offer(new StreamEntry("c", "e1", 2, "}", 1, 2)), "the old history");
    assertEquals(List.of(1L, 1L), given);
  }

  @Test
  void subscribersOfAStreamNotYetStartedTakeItsFirstEvent() {
    start = StreamPosition.START;
    ChannelOrder order = order(5_000);
    assertEquals(3, order.offer(entry("e1", 1)));
    assertEquals(List.of(1L), given);
  }

  @Test
  void noSubscriberHereNoDelivery() {
    start = null;
    assertEquals(0, order(5_000).offer(entry("e1", 1)));
    assertEquals(List.of(), given);
  }

  @Test
  void aBatchThatComesBeforeItsTurnWaitsAndIsGivenOutInOrder() throws Exception {
    ChannelOrder order = order(5_000);
    StreamEntry first = entry("e1", 1);
    List<StreamEntry> batch = List.of(entry("e1", 2), entry("e1", 3));
    CompletableFuture<int[]> early = CompletableFuture.supplyAsync(() -> order.offer(batch));
    Thread.sleep(100);
    assertEquals(List.of(), given, "held");
    assertEquals(3, order.offer(first));
    assertArrayEquals(new int[] {3, 3}, early.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(1L, 2L, 3L), given);
  }

  @Test
  void theCatchUpGivesOutWhatNoNoticeBroughtOnceItsHoldHasPassed() {
    ChannelOrder order = order(1_000);
    entry("e1", 1); // appended at 1 ms, its notice lost
    entry("e1", 2); // appended at 2 ms
    order.catchUp(List.of("c"), 1_001);
    assertEquals(List.of(1L), given, "offset 2 is still within its hold");
    order.catchUp(List.of("c"), 5_000);
    assertEquals(List.of(1L, 2L), given);
    assertEquals(0, order.offer(stream.get(2L)), "its notice, late: a second one");
    assertEquals(3, order.offer(entry("e1", 3)));
    assertEquals(List.of(1L, 2L, 3L), given);
  }

  @Test
  void theCatchUpFollowsANewStreamWhoseFirstNoticeWasLost() {
    ChannelOrder order = order(1_000);
    order.offer(entry("e1", 1));
    stream.clear();
    stream.put(1L, new StreamEntry("c", "e2", 1, "}", 1, 10)); // a new history, never noticed
    order.catchUp(List.of("c"), 5_000);
    assertEquals(List.of(1L, 1L), given);
    assertEquals(3, order.offer(new StreamEntry("c", "e2", 2, "}", 1, 11)));
  }

  /** A channel whose stream cannot be read does not keep the catch-up from the others. */
  @Test
  void aChannelThatFailsIsLeftAndTheOthersAreCaughtUp() {
    ChannelOrder order = order(1_000);
    entry("e1", 1); // its notice lost
    RuntimeException failed =
        assertThrows(
            IllegalStateException.class,
            () -> order.catchUp(List.of(UNREADABLE, "c", UNREADABLE), 5_000));
    assertEquals(1, failed.getSuppressed().length, "each failure is reported");
    assertEquals(List.of(1L), given, "c was caught up after the channel that failed");
  }

  @Test
  void theCatchUpLeavesChannelsWithoutSubscribersHereAlone() {
    start = null;
    ChannelOrder order = order(1_000);
    entry("e1", 1);
    order.catchUp(List.of("c"), 5_000);
    assertEquals(List.of(), given);
  }
}
