package org.robustws.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.context.Flag;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.impl.TransactionTable;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;
import org.infinispan.util.concurrent.IsolationLevel;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.testing.LoopbackNodes;

/**
 * Three Infinispan nodes in this JVM, configured as cluster/configure-node.cli configures the
 * streams cache (replicated, pessimistic batches, {@code DENY_READ_WRITES}), each with its own
 * {@link ChannelStreams} and {@link TopologyFence}; the fences, and the completions of the copies
 * ({@link HeadCopies}), ask each other directly where a server uses WildFly's command dispatcher.
 */
class TopologyFenceTest {
  private static final int PAIRS = 6;

  private final List<DefaultCacheManager> nodes = new ArrayList<>();
  private final List<TopologyFence> fences = new ArrayList<>();
  private final List<JChannel> groups = new ArrayList<>();
  private final Set<Integer> running = ConcurrentHashMap.newKeySet();

  /** Each node's streams: the others read its own copies, as CopiesOf does between servers. */
  private final Map<Integer, ChannelStreams> started = new ConcurrentHashMap<>();

  private final HeldClock clock = new HeldClock();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  /** The messages logged under org.robustws once {@link #recordLog} was called. */
  private final List<String> logged = new CopyOnWriteArrayList<>();

  /**
   * Set by a test: read when copies found different are logged (RWS0033), into {@link #compared}.
   */
  private volatile BooleanSupplier comparedWhileRebalancing;

  private final List<Boolean> compared = new CopyOnWriteArrayList<>();

  /** Nodes started without an application (no fence, no copies to read): a cache only. */
  private final List<DefaultCacheManager> bare = new CopyOnWriteArrayList<>();

  private final Handler recorder =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record.getMessage());
          BooleanSupplier phase = comparedWhileRebalancing;
          if (phase != null && record.getMessage().startsWith("RWS0033: ")) {
            compared.add(phase.getAsBoolean());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private final Logger log = Logger.getLogger("org.robustws"); // held: JUL keeps loggers weakly

  @AfterEach
  void stop() {
    log.removeHandler(recorder);
    threads.shutdownNow();
    bare.forEach(DefaultCacheManager::stop);
    for (DefaultCacheManager node : nodes) {
      try {
        node.stop();
      } catch (RuntimeException e) { // node 0 after its channel was closed under it
      }
    }
  }

  /**
   * One node's fence, the others answering at once: an append of topology 1 is still under way when
   * topology 2 comes. An append of topology 2 waits for it for {@link TopologyFence#WAIT_MS} (10
   * s), not less, and then fails (its publications get {@code internal}) instead of waiting on;
   * once the old append has finished, the next append asks again and starts.
   */
  @Test
  void anAppendOfAnEarlierTopologyUnderWayForTenSecondsFailsTheNextOneAndTheOneAfterAsksAgain()
      throws Exception {
    AtomicInteger topology = new AtomicInteger(1);
    TopologyFence fence = new TopologyFence(topology::get, later -> true);
    int old = fence.enter();
    topology.set(2);
    long started = System.nanoTime();
    assertThrows(IllegalStateException.class, fence::enter);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    // the fence counts whole milliseconds left: it gives up within the last one
    assertTrue(waitedMs >= TopologyFence.WAIT_MS - 1, "gave up after " + waitedMs + " ms");
    fence.exit(old);
    int next = fence.enter();
    assertEquals(2, next);
    fence.exit(next);
  }

  /**
   * For each of six channels whose head node 0 owns: an append on node 1 (or 2) holds the head's
   * lock, one on the other node waits for it, node 0 stops, then the first goes on. Without the
   * fence, Infinispan gives the lock on the new owner to the waiting append while the first has not
   * committed: both read one head, and here they fail on locks each holds against the other.
   */
  @Test
  void theHeadOwnersStopLetsNoSecondAppendReadTheHeadBeforeTheFirstCommitted() throws Exception {
    leaveWhileAppending(() -> nodes.get(0).stop());
  }

  /**
   * The same when node 0 does not leave its cache but drops out of the group (its JGroups channel
   * closes under it): for the others it is a crash, its transactions and locks simply gone.
   */
  @Test
  void theHeadOwnersCrashLetsNoSecondAppendReadTheHeadBeforeTheFirstCommitted() throws Exception {
    leaveWhileAppending(() -> groups.get(0).close());
  }

  private void leaveWhileAppending(Runnable leave) throws Exception {
    List<ChannelStreams> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(start(i));
    }
    LoopbackNodes.awaitMembers(nodes, "streams", 3);
    List<String> channels = channelsOwnedBy(nodes.get(0).getAddress(), cache(1));
    for (String channel : channels) {
      streams.get(1).append(channel, Json.createValue("first"), null);
    }
    List<CompletableFuture<Long>> holding = new ArrayList<>();
    List<CompletableFuture<Long>> waiting = new ArrayList<>();
    CountDownLatch locked = new CountDownLatch(PAIRS);
    for (int pair = 0; pair < PAIRS; pair++) {
      String channel = channels.get(pair);
      ChannelStreams holder = streams.get(1 + pair % 2);
      holding.add(
          CompletableFuture.supplyAsync(
              () -> {
                clock.holdThisThread(locked);
                return holder.append(channel, Json.createValue("held"), null).offset();
              },
              threads));
    }
    assertTrue(locked.await(10, TimeUnit.SECONDS));
    for (int pair = 0; pair < PAIRS; pair++) {
      String channel = channels.get(pair);
      ChannelStreams waiter = streams.get(2 - pair % 2);
      waiting.add(
          CompletableFuture.supplyAsync(
              () -> waiter.append(channel, Json.createValue("waited"), null).offset(), threads));
    }
    recordLog();
    Thread.sleep(300); // the waiting appends ask node 0 for the locks
    running.remove(0);
    leave.run();
    Thread.sleep(500); // the topology without node 0 is installed while the locks are held
    clock.release();
    for (int pair = 0; pair < PAIRS; pair++) {
      String channel = channels.get(pair);
      long held = holding.get(pair).get(30, TimeUnit.SECONDS);
      long waited = waiting.get(pair).get(30, TimeUnit.SECONDS);
      assertEquals(Set.of(2L, 3L), Set.of(held, waited), channel + ": the offsets acknowledged");
      for (ChannelStreams node : streams.subList(1, 3)) {
        List<String> data = stored(node, channel);
        assertEquals(3, data.size(), channel + ": " + data);
        assertTrue(data.containsAll(List.of("\"held\"", "\"waited\"")), channel + ": " + data);
      }
    }
    for (String channel : channels) {
      assertTrue(
          logged.stream()
              .anyMatch(
                  message -> message.contains("RWS0032: An append to channel " + channel + " ")),
          channel
              + "'s waiting append got its lock in the new topology and started again: "
              + logged);
    }
  }

  /**
   * Node 2 dies in the middle of an append's commit, which reached node 1 and not node 0 (node 0
   * drops all that node 2 sends from the moment the append holds the head's lock). Infinispan
   * commits such an append in one phase and never sends it again: node 0's copy misses the event
   * and its head is one behind. The next append, on node 0, finds the copies different and
   * completes node 0's from node 1's before it appends: both nodes hold the dead node's event and
   * the new one, at consecutive offsets, and the copy is logged. The next append is the dying
   * publication's retry (its publisher got no answer), which then finds where it went, on node 0 as
   * on node 1, instead of being appended twice. Before that append, a reader whose position is the
   * lost event's is told on node 0 that the stream does not hold it.
   */
  @Test
  void anAppendCommittedOnOneNodeOnlyWhenItsNodeDiedIsCompletedByTheNextAppend() throws Exception {
    List<ChannelStreams> streams = startThree();
    String channel = channelsOwnedBy(nodes.get(1).getAddress(), cache(1)).get(0);
    Publication dying = new Publication(Json.createValue("dying"), Json.createValue(7), "s-a:7");
    CompletableFuture<Void> dyingAppend = commitOnNode1OnlyAndStopNode2(streams, channel, dying);
    assertTrue(
        logged.stream().noneMatch(message -> message.startsWith("RWS0031: ")),
        "the leaver check ran: " + logged);
    StreamHead copied = streams.get(1).head(channel).orElseThrow();
    assertEquals(1, streams.get(0).head(channel).orElseThrow().last(), "node 0 missed the commit");
    assertTrue(
        streams.get(0).readAfter(channel, copied.position(), Long.MAX_VALUE).isEmpty(),
        "a reader at the dead node's event is told on node 0 (a resume's gap) until the next append");

    // its publisher, unanswered, publishes it again on node 0: it is found there, not appended
    Appended retried = streams.get(0).appendAll(channel, List.of(dying)).get(0);
    assertTrue(retried.repeated(), "the retry found where the dying append put it");
    assertEquals(2, retried.offset());
    assertEquals(3, streams.get(0).append(channel, Json.createValue("next"), null).offset());
    for (ChannelStreams node : streams.subList(0, 2)) {
      assertEquals(List.of("\"first\"", "\"dying\"", "\"next\""), stored(node, channel));
      assertTrue(
          node.appendAll(channel, List.of(dying)).get(0).repeated(), "a retry on either survivor");
    }
    assertTrue(
        logged.stream()
            .anyMatch(message -> message.startsWith("RWS0033: ") && message.contains(channel)),
        logged.toString());
    dyingAppend.handle((done, failed) -> null).get(30, TimeUnit.SECONDS);
  }

  /**
   * As above, but the next append runs while a node joins, during the rebalance, as the first
   * appends after a node's death run during the rebalance that follows it (tens of milliseconds).
   * The copies are compared among the nodes the cache reads from, the joiner left out until it has
   * its copies: the append completes node 0's copy and goes after the dead node's event, and the
   * joiner gets all three.
   */
  @Test
  void copiesLeftDifferentAreCompletedByAnAppendDuringARebalance() throws Exception {
    List<ChannelStreams> streams = startThree();
    String channel = channelsOwnedBy(nodes.get(1).getAddress(), cache(1)).get(0);
    Publication dying = new Publication(Json.createValue("dying"), null);
    CompletableFuture<Void> dyingAppend = commitOnNode1OnlyAndStopNode2(streams, channel, dying);
    awaitTrue(() -> !rebalancing(0) && !rebalancing(1), "the topology without node 2 settled");

    // node 3 joins without an application; the state transfer of 200,000 other keys keeps the
    // rebalance in its first phase for about two seconds here, while node 0's append takes tens of
    // milliseconds (measured: rebalance 0.2-1.2 s after the join for 100,000 keys, append 53 ms)
    fill(200_000);
    CompletableFuture<DefaultCacheManager> joining =
        CompletableFuture.supplyAsync(this::joinWithoutApplication, threads);
    awaitTrue(() -> rebalancing(0), "node 3's rebalance started");
    comparedWhileRebalancing = () -> rebalancing(0);
    assertEquals(3, streams.get(0).append(channel, Json.createValue("next"), null).offset());
    for (ChannelStreams node : streams.subList(0, 2)) {
      assertEquals(List.of("\"first\"", "\"dying\"", "\"next\""), stored(node, channel));
    }
    assertTrue(
        logged.stream()
            .anyMatch(message -> message.startsWith("RWS0033: ") && message.contains(channel)),
        logged.toString());
    assertEquals(List.of(true), compared, "the copies were compared during the rebalance");
    Cache<String, String> joined = joining.get(60, TimeUnit.SECONDS).getCache("streams");
    for (long offset = 1; offset <= 3; offset++) {
      assertTrue(joined.containsKey(StreamFormat.entryKey(offset, channel)), "node 3: " + offset);
    }
    dyingAppend.handle((done, failed) -> null).get(30, TimeUnit.SECONDS);
  }

  /** Node 3, its cache only. */
  private DefaultCacheManager joinWithoutApplication() {
    DefaultCacheManager node = LoopbackNodes.start(3, "streams", streamsConfig());
    bare.add(node);
    node.getCache("streams");
    return node;
  }

  /** Writes {@code keys} keys of no stream (20 bytes each) from node 0: state for a joiner. */
  private void fill(int keys) {
    AdvancedCache<String, String> writes =
        cache(0).getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES);
    for (int from = 0; from < keys; from += 5_000) {
      Map<String, String> batch = new HashMap<>();
      for (int key = from; key < from + 5_000; key++) {
        batch.put("filler:" + key, "x".repeat(20));
      }
      writes.putAll(batch);
    }
  }

  private boolean rebalancing(int i) {
    return cache(i).getAdvancedCache().getDistributionManager().getCacheTopology().getPhase()
        != CacheTopology.Phase.NO_REBALANCE;
  }

  /**
   * Node 2 dies while its append holds the channel's head lock, before it commits. Node 1, the
   * head's primary owner, keeps node 2's transaction and its lock: Infinispan rolls such a
   * transaction back on the view change only if the stable topology no longer lists the dead node,
   * which right after a crash it still does (node 0 may hold a backup of the lock too). The leaver
   * checks roll it back and log it: the next append, on node 0, gets the lock and continues the
   * stream where the dead node's append would have gone, which left nothing.
   */
  @Test
  void aHeadLockOfANodeThatDiedBeforeItsCommitIsFreedByTheLeaverCheck() throws Exception {
    List<ChannelStreams> streams = startThree();
    String channel = channelsOwnedBy(nodes.get(1).getAddress(), cache(1)).get(0);
    streams.get(2).append(channel, Json.createValue("first"), null);
    Publication dying = new Publication(Json.createValue("dying"), null);
    CompletableFuture<Void> dyingAppend = appendHoldingTheLock(streams.get(2), channel, dying);
    stopNode2();
    assertEquals(1, leftTransactions(1), "node 1 still holds node 2's transaction and its lock");

    CompletableFuture<Long> next =
        CompletableFuture.supplyAsync(
            () -> streams.get(0).append(channel, Json.createValue("next"), null).offset(), threads);
    awaitTrue(
        () -> noLeaverTransactions(0) & noLeaverTransactions(1),
        "the leaver checks rolled it back");
    assertEquals(2, next.get(30, TimeUnit.SECONDS), "the dead node's append left no event");
    for (ChannelStreams node : streams.subList(0, 2)) {
      assertEquals(List.of("\"first\"", "\"next\""), stored(node, channel));
    }
    assertTrue(
        logged.stream().anyMatch(message -> message.startsWith("RWS0030: 1 transaction(s)")),
        logged.toString());
    clock.release();
    dyingAppend.handle((done, failed) -> null).get(30, TimeUnit.SECONDS);
  }

  /**
   * Node 2 appends "first", then {@code dying}, whose commit reaches node 1 and not node 0 (node 0
   * drops all that node 2 sends from the moment the append holds the head's lock); node 2 stops
   * once node 1 committed. Returns once the locks of node 2 are freed.
   *
   * @return the dying append, which fails
   */
  private CompletableFuture<Void> commitOnNode1OnlyAndStopNode2(
      List<ChannelStreams> streams, String channel, Publication dying) throws Exception {
    streams.get(2).append(channel, Json.createValue("first"), null);
    DISCARD fromNode2 = new DISCARD();
    groups
        .get(0)
        .getProtocolStack()
        .insertProtocol(fromNode2, ProtocolStack.Position.ABOVE, TP.class);
    CompletableFuture<Void> dyingAppend = appendHoldingTheLock(streams.get(2), channel, dying);
    fromNode2.addIgnoreMember(groups.get(2).getAddress());
    clock.release();
    awaitTrue(() -> streams.get(1).head(channel).orElseThrow().last() == 2, "node 1 committed");
    stopNode2();
    awaitTrue(() -> noLeaverTransactions(0) & noLeaverTransactions(1), "locks of node 2 freed");
    return dyingAppend;
  }

  private List<ChannelStreams> startThree() throws Exception {
    List<ChannelStreams> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(start(i));
    }
    LoopbackNodes.awaitMembers(nodes, "streams", 3);
    return streams;
  }

  /**
   * Starts the append on another thread and returns once it holds the channel's head lock; it goes
   * on after {@link HeldClock#release}.
   */
  private CompletableFuture<Void> appendHoldingTheLock(
      ChannelStreams node, String channel, Publication publication) throws Exception {
    CountDownLatch locked = new CountDownLatch(1);
    CompletableFuture<Void> append =
        CompletableFuture.runAsync(
            () -> {
              clock.holdThisThread(locked);
              node.appendAll(channel, List.of(publication));
            },
            threads);
    assertTrue(locked.await(10, TimeUnit.SECONDS));
    return append;
  }

  /** Node 2's channel closes as a crash would leave it; the log is recorded from then on. */
  private void stopNode2() throws Exception {
    running.remove(2);
    groups.get(2).close();
    awaitTrue(
        () -> nodes.get(0).getMembers().size() == 2 && nodes.get(1).getMembers().size() == 2,
        "nodes 0 and 1 without node 2");
    recordLog();
  }

  /**
   * Runs one tick of {@link LeaverTransactions} (a server's ticks every two seconds) on node {@code
   * i}. @return whether no transaction of a node that left is left
   */
  private boolean noLeaverTransactions(int i) {
    LeaverTransactions leavers = new LeaverTransactions();
    leavers.cache = cache(i);
    leavers.tick();
    return leftTransactions(i) == 0;
  }

  /** The transactions of nodes that left which node {@code i} still holds. */
  private long leftTransactions(int i) {
    TransactionTable transactions =
        ComponentRegistry.componentOf(cache(i).getAdvancedCache(), TransactionTable.class);
    List<Address> members = nodes.get(i).getMembers();
    return transactions.getRemoteTransactions().stream()
        .filter(tx -> !members.contains(tx.getGlobalTransaction().getAddress()))
        .count();
  }

  /** The data of every event a node's copy of the channel holds, in offset order. */
  private static List<String> stored(ChannelStreams node, String channel) {
    return node.readAfter(channel, StreamPosition.START, Long.MAX_VALUE).orElseThrow().stream()
        .map(entry -> entry.tail().replaceAll(".*\"data\":(\"[a-z]+\").*", "$1"))
        .toList();
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(Condition condition, String what) throws Exception {
    for (int i = 0; i < 500 && !condition.holds(); i++) {
      Thread.sleep(20);
    }
    assertTrue(condition.holds(), what + " within 10 s");
  }

  @Test
  void aNewTopologysAppendsWaitForTheOlderOnesOfThisNode() throws Exception {
    AtomicInteger topology = new AtomicInteger(1);
    TopologyFence fence = new TopologyFence(topology::get, later -> true);
    int older = fence.enter();
    topology.set(2);
    CompletableFuture<Integer> newer = CompletableFuture.supplyAsync(fence::enter, threads);
    Thread.sleep(200);
    assertFalse(newer.isDone(), "started while an append of topology 1 was under way");
    fence.exit(older);
    assertEquals(2, newer.get(5, TimeUnit.SECONDS));
    assertFalse(fence.current(1));
  }

  @Test
  void anAppendFailsWhileAnotherNodeHasNotAnsweredAndTheNextOneAsksAgain() {
    List<Integer> asked = new CopyOnWriteArrayList<>();
    TopologyFence fence = new TopologyFence(() -> 7, later -> asked.add(later) && asked.size() > 1);
    assertThrows(IllegalStateException.class, fence::enter);
    assertEquals(7, fence.enter());
    assertEquals(7, fence.enter()); // cleared: not asked again
    assertEquals(List.of(7, 7), asked);
  }

  @Test
  void aStoppingNodeWaitsForItsAppendsUnderWayAndStartsNoMore() throws Exception {
    TopologyFence fence = new TopologyFence(() -> 3, later -> true);
    int under = fence.enter();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(fence::close, threads);
    Thread.sleep(200);
    assertFalse(closing.isDone(), "closed while an append was under way");
    fence.exit(under);
    closing.get(5, TimeUnit.SECONDS);
    assertThrows(IllegalStateException.class, fence::enter);
  }

  @Test
  void aLoneCachesFenceNeverWaits() {
    TopologyFence fence = TopologyFence.none();
    int topology = fence.enter();
    assertTrue(fence.current(topology));
    assertTrue(fence.awaitNoneBefore(topology));
    fence.exit(topology);
  }

  private void recordLog() {
    log.addHandler(recorder);
  }

  /**
   * Starts node {@code index}; it takes part in the fences and the copies once started, as a
   * server's application once deployed.
   */
  private ChannelStreams start(int index) throws Exception {
    DefaultCacheManager node = LoopbackNodes.start(index, "streams", streamsConfig());
    nodes.add(node);
    groups.add(LoopbackNodes.group(node));
    Cache<String, String> cache = node.getCache("streams");
    TopologyFence fence =
        new TopologyFence(
            () ->
                cache
                    .getAdvancedCache()
                    .getDistributionManager()
                    .getCacheTopology()
                    .getTopologyId(),
            topology ->
                running.stream()
                    .filter(other -> other != index)
                    .allMatch(other -> fences.get(other).awaitNoneBefore(topology)));
    fences.add(fence);
    ChannelStreams streams =
        new ChannelStreams(
            cache,
            fence,
            keys -> {
              Map<String, List<String>> byNode = new HashMap<>();
              running.stream()
                  .filter(other -> other != index)
                  .forEach(
                      other ->
                          byNode.put(
                              String.valueOf(nodes.get(other).getAddress()),
                              started.get(other).localCopies(keys)));
              return byNode;
            },
            new HistoryLimits(100, 1 << 20, 600_000),
            60_000,
            clock);
    started.put(index, streams);
    running.add(index);
    return streams;
  }

  /** The streams cache as cluster/configure-node.cli configures it. */
  private static Configuration streamsConfig() {
    ConfigurationBuilder config = new ConfigurationBuilder();
    config
        .clustering()
        .cacheMode(CacheMode.REPL_SYNC)
        .partitionHandling()
        .whenSplit(PartitionHandling.DENY_READ_WRITES)
        .mergePolicy(MergePolicy.NONE);
    config.invocationBatching().enable(); // as WildFly's BATCH mode
    config
        .transaction()
        .transactionMode(TransactionMode.TRANSACTIONAL)
        .lockingMode(LockingMode.PESSIMISTIC)
        .transactionManagerLookup(new EmbeddedTransactionManagerLookup());
    config.locking().isolationLevel(IsolationLevel.REPEATABLE_READ).lockAcquisitionTimeout(15_000);
    return config.build();
  }

  private Cache<String, String> cache(int index) {
    return nodes.get(index).getCache("streams");
  }

  private static List<String> channelsOwnedBy(Address owner, Cache<String, String> cache) {
    List<String> channels = new ArrayList<>();
    for (int i = 0; channels.size() < PAIRS; i++) {
      String channel = "c" + i;
      Address primary =
          cache
              .getAdvancedCache()
              .getDistributionManager()
              .getCacheTopology()
              .getDistribution(StreamFormat.headKey(channel))
              .primary();
      if (primary.equals(owner)) {
        channels.add(channel);
      }
    }
    return channels;
  }

  /**
   * The wall clock, except that a held thread's first reading waits for {@link #release}:
   * ChannelStreams reads the clock while it holds the channel's head lock.
   */
  private static final class HeldClock extends Clock {
    private final ThreadLocal<CountDownLatch> held = new ThreadLocal<>();
    private final CountDownLatch released = new CountDownLatch(1);

    void holdThisThread(CountDownLatch locked) {
      held.set(locked);
    }

    void release() {
      released.countDown();
    }

    @Override
    public Instant instant() {
      CountDownLatch locked = held.get();
      if (locked != null) {
        held.remove();
        locked.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
