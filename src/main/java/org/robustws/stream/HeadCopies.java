package org.robustws.stream;

import static org.robustws.stream.StreamFormat.encode;
import static org.robustws.stream.StreamFormat.entryKey;
import static org.robustws.stream.StreamFormat.headKey;
import static org.robustws.stream.StreamFormat.idKeyOf;
import static org.robustws.stream.StreamFormat.parseHead;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.time.TimeService;
import org.infinispan.container.entries.InternalCacheEntry;
import org.infinispan.container.impl.InternalDataContainer;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.encoding.DataConversion;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.remoting.transport.Address;
import org.robustws.logging.WsLog;

/**
 * Completes the copies of a channel's stream that an append committed on some nodes only.
 * Infinispan commits an append in one phase, sent to every node at once; a node that dies while
 * sending it can leave it applied on some nodes and not on others, and no node sends it again. A
 * node whose copy missed it reads a head one behind and would give those offsets a second time, and
 * the nodes that had delivered the lost events would then skip the new ones. So the first append to
 * each channel after a change of the cache's topology (a node that left changes it) asks every node
 * for its own copy of the head ({@link OtherCopies}: one command to each, read there from its data
 * container). Copies that differ are completed in that append's transaction, which holds the head's
 * lock: the events the oldest copy lacks and the newest head, read from the node that has it, are
 * written to every node, and the append goes on after the newest head, with the idempotency keys of
 * the events copied, so that a publisher retrying its unanswered publication on a node that missed
 * it is told where it went instead of having it appended twice. A lone server's local cache has one
 * copy.
 *
 * <p>Not Infinispan's {@code ConflictManager.getAllVersions}: in 16.0.5 a topology change while one
 * of its requests is under way fails that node's topology update ({@code
 * VersionRequest.cancelRequestIfOutdated} clears an immutable list), and the node's cache then
 * stays in the old topology: the next rebalance waits for it for 240 s, a node joining meanwhile
 * never gets ready.
 */
final class HeadCopies {
  private final boolean clustered;
  private final OtherCopies others;
  private final String self;
  private final InternalDataContainer<Object, Object> container;
  private final TimeService time;
  private final DistributionManager distribution;
  private final DataConversion keys;
  private final DataConversion values;
  private final long lifespanMs;
  private final long idMillis;

  /** The topology {@link #checked} belongs to. Guarded by this. */
  private int topology = Integer.MIN_VALUE;

  /**
   * The channels whose copies were compared in {@link #topology}: at most one name per channel the
   * cache holds. Guarded by this.
   */
  private final Set<String> checked = new HashSet<>();

  @SuppressWarnings("unchecked")
  HeadCopies(Cache<String, String> cache, OtherCopies others, long lifespanMs, long idMillis) {
    AdvancedCache<String, String> advanced = cache.getAdvancedCache();
    this.clustered = cache.getCacheConfiguration().clustering().cacheMode().isClustered();
    this.others = others;
    this.self = String.valueOf(cache.getCacheManager().getAddress());
    this.container = ComponentRegistry.componentOf(advanced, InternalDataContainer.class);
    this.time = ComponentRegistry.componentOf(advanced, TimeService.class);
    this.distribution = advanced.getDistributionManager();
    this.keys = advanced.getKeyDataConversion();
    this.values = advanced.getValueDataConversion();
    this.lifespanMs = lifespanMs;
    this.idMillis = idMillis;
  }

  /**
   * On a cluster, notes in the append's transaction which idempotency key {@code entry}'s
   * publication had ({@code k:<offset>:<channel>}): the events a completion copies are found by
   * offset, their keys only through this note.
   */
  void noteIdKey(AdvancedCache<String, String> writes, StreamEntry entry, String idKey) {
    if (clustered) {
      writes.put(idKeyOf(entry.offset(), entry.channel()), idKey, idMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * This node's own copy of each key, read from its data container: no lock, no wait for a
   * topology, no call to another node; {@code null} where it holds none (or one expired).
   */
  List<String> local(List<String> wanted) {
    long now = time.wallClockTime();
    List<String> found = new ArrayList<>(wanted.size());
    for (String key : wanted) {
      InternalCacheEntry<Object, Object> entry = container.peek(keys.toStorage(key));
      found.add(
          entry == null || entry.isExpired(now)
              ? null
              : (String) values.fromStorage(entry.getValue()));
    }
    return found;
  }

  /**
   * The head to append after: {@code local}, or the newest copy if the copies differed and were
   * completed through {@code writes} (the caller's transaction, holding the head's lock).
   *
   * @throws IllegalStateException if a node did not answer ({@link OtherCopies})
   */
  StreamHead newest(
      String channel, StreamHead local, int topology, AdvancedCache<String, String> writes) {
    if (!clustered || !unchecked(channel, topology)) {
      return local;
    }
    Set<String> whole = wholeCopies();
    if (!whole.contains(self)) {
      return local; // still receiving its copies: its cache has not started, so it appends nothing
    }
    Map<String, StreamHead> heads = new TreeMap<>();
    heads.put(self, local); // read under the head's lock: this node's copy
    others
        .of(List.of(headKey(channel)))
        .forEach(
            (node, copy) -> {
              if (whole.contains(node)) {
                heads.put(node, parseHead(copy.get(0)));
              }
            });
    StreamHead newest = local;
    String holder = self;
    for (Map.Entry<String, StreamHead> copy : heads.entrySet()) {
      StreamHead its = copy.getValue();
      if (its != null && (newest == null || its.last() > newest.last())) {
        newest = its;
        holder = copy.getKey();
      }
    }
    markChecked(channel, topology); // once per topology whatever the outcome: a bound on the cost
    if (heads.values().stream().allMatch(its -> Objects.equals(its, local))) {
      return local;
    }
    // what some copy lacks: the events after the lowest head of the newest one's epoch (all of them
    // if a copy is of another epoch, or has none)
    long lowest = newest.last();
    for (StreamHead its : heads.values()) {
      boolean sameEpoch = its != null && its.epoch().equals(newest.epoch());
      lowest = Math.min(lowest, sameEpoch ? its.last() : newest.first() - 1);
    }
    long from = Math.max(newest.first(), lowest + 1);
    copyFrom(holder, channel, from, newest.last(), writes);
    writes.put(headKey(channel), encode(newest), lifespanMs, TimeUnit.MILLISECONDS);
    WsLog.LOG.headCopiesCompleted(channel, heads.toString(), from, newest.last(), newest.epoch());
    return newest;
  }

  /**
   * Writes the events {@code from} … {@code to} as {@code holder} has them, and the idempotency
   * keys their notes name, with the notes.
   */
  private void copyFrom(
      String holder, String channel, long from, long to, AdvancedCache<String, String> writes) {
    List<String> wanted = new ArrayList<>();
    for (long offset = from; offset <= to; offset++) {
      wanted.add(entryKey(offset, channel));
      wanted.add(idKeyOf(offset, channel));
    }
    List<String> held = copiesOn(holder, wanted);
    Map<String, String> notes = new TreeMap<>();
    for (int i = 0; i < wanted.size(); i += 2) {
      if (held.get(i) != null) {
        writes.put(wanted.get(i), held.get(i), lifespanMs, TimeUnit.MILLISECONDS);
        if (held.get(i + 1) != null) {
          notes.put(wanted.get(i + 1), held.get(i + 1));
        }
      }
    }
    if (notes.isEmpty()) {
      return;
    }
    List<String> idKeys = List.copyOf(notes.values());
    List<String> places = copiesOn(holder, idKeys);
    int i = 0;
    for (Map.Entry<String, String> note : notes.entrySet()) {
      String place = places.get(i++);
      if (place != null) {
        writes.put(note.getKey(), note.getValue(), idMillis, TimeUnit.MILLISECONDS);
        writes.put(note.getValue(), place, idMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** {@code node}'s own copy of each key. */
  private List<String> copiesOn(String node, List<String> wanted) {
    if (node.equals(self)) {
      return local(wanted);
    }
    List<String> there = others.of(wanted).get(node);
    if (there == null) {
      throw new IllegalStateException(node + " left before its copies were read");
    }
    return there;
  }

  /**
   * The nodes whose copies are whole: those the cache reads from in its current topology. During a
   * rebalance that is not a joining node until the state transfer has written its copies, but it is
   * every node that was there before: the rebalance that follows a node's death (tens of
   * milliseconds) is when the first appends after it run, and the copies its half-sent commit left
   * different must be compared then too.
   */
  private Set<String> wholeCopies() {
    Set<String> names = new HashSet<>();
    for (Address member : distribution.getCacheTopology().getReadConsistentHash().getMembers()) {
      names.add(String.valueOf(member));
    }
    return names;
  }

  private synchronized boolean unchecked(String channel, int topology) {
    if (topology != this.topology) {
      checked.clear();
      this.topology = topology;
    }
    return !checked.contains(channel);
  }

  private synchronized void markChecked(String channel, int topology) {
    if (topology == this.topology) {
      checked.add(channel);
    }
  }
}
