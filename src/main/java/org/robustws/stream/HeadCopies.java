package org.robustws.stream;

import static org.robustws.stream.StreamFormat.encode;
import static org.robustws.stream.StreamFormat.entryKey;
import static org.robustws.stream.StreamFormat.headKey;
import static org.robustws.stream.StreamFormat.idKeyOf;
import static org.robustws.stream.StreamFormat.parseHead;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.conflict.ConflictManager;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.encoding.DataConversion;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;
import org.robustws.logging.WsLog;

/**
 * Completes the copies of a channel's stream that an append committed on some nodes only.
 * Infinispan commits an append in one phase, sent to every node at once; a node that dies while
 * sending it can leave it applied on some nodes and not on others, and no node sends it again. A
 * node whose copy missed it reads a head one behind and would give those offsets a second time, and
 * the nodes that had delivered the lost events would then skip the new ones. So the first append to
 * each channel after a change of the cache's topology (a node that left changes it) asks every node
 * for its copy of the head ({@link ConflictManager#getAllVersions}: one call to each). Copies that
 * differ are completed in that append's transaction, which holds the head's lock: the events the
 * oldest copy lacks and the newest head, read from the node that has it, are written to every node,
 * and the append goes on after the newest head, with the idempotency keys of the events copied, so
 * that a publisher retrying its unanswered publication on a node that missed it is told where it
 * went instead of having it appended twice. A lone server's local cache has one copy.
 */
final class HeadCopies {
  /** {@code null} on a local cache. Works on keys and values in the cache's storage format. */
  private final ConflictManager<Object, Object> copies;

  private final DistributionManager distribution;
  private final DataConversion keys;
  private final DataConversion values;
  private final Address self;
  private final long lifespanMs;
  private final long idMillis;

  /** The topology {@link #checked} belongs to. Guarded by this. */
  private int topology = Integer.MIN_VALUE;

  /**
   * The channels whose copies were compared in {@link #topology}: at most one name per channel the
   * cache holds. Guarded by this.
   */
  private final Set<String> checked = new HashSet<>();

  @SuppressWarnings({"unchecked", "rawtypes"})
  HeadCopies(Cache<String, String> cache, long lifespanMs, long idMillis) {
    AdvancedCache<String, String> advanced = cache.getAdvancedCache();
    boolean clustered = cache.getCacheConfiguration().clustering().cacheMode().isClustered();
    this.copies = clustered ? (ConflictManager) ConflictManagerFactory.get(advanced) : null;
    this.distribution = advanced.getDistributionManager();
    this.keys = advanced.getKeyDataConversion();
    this.values = advanced.getValueDataConversion();
    this.self = cache.getCacheManager().getAddress();
    this.lifespanMs = lifespanMs;
    this.idMillis = idMillis;
  }

  /**
   * On a cluster, notes in the append's transaction which idempotency key {@code entry}'s
   * publication had ({@code k:<offset>:<channel>}): the events a completion copies are found by
   * offset, their keys only through this note.
   */
  void noteIdKey(AdvancedCache<String, String> writes, StreamEntry entry, String idKey) {
    if (copies != null) {
      writes.put(idKeyOf(entry.offset(), entry.channel()), idKey, idMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The head to append after: {@code local}, or the newest copy if the copies differed and were
   * completed through {@code writes} (the caller's transaction, holding the head's lock).
   */
  StreamHead newest(
      String channel, StreamHead local, int topology, AdvancedCache<String, String> writes) {
    if (copies == null || rebalancing() || !unchecked(channel, topology)) {
      return local;
    }
    Map<Address, StreamHead> heads = new HashMap<>();
    versions(headKey(channel)).forEach((node, copy) -> heads.put(node, parseHead(copy)));
    StreamHead newest = local;
    Address holder = self;
    for (Map.Entry<Address, StreamHead> copy : heads.entrySet()) {
      StreamHead head = copy.getValue();
      if (head != null && (newest == null || head.last() > newest.last())) {
        newest = head;
        holder = copy.getKey();
      }
    }
    markChecked(channel, topology); // once per topology whatever the outcome: a bound on the cost
    if (heads.values().stream().allMatch(head -> Objects.equals(head, local))) {
      return local;
    }
    // what some copy lacks: the events after the lowest head of the newest one's epoch (all of them
    // if a copy is of another epoch, or has none)
    long lowest = newest.last();
    for (StreamHead head : heads.values()) {
      boolean sameEpoch = head != null && head.epoch().equals(newest.epoch());
      lowest = Math.min(lowest, sameEpoch ? head.last() : newest.first() - 1);
    }
    long from = Math.max(newest.first(), lowest + 1);
    for (long offset = from; offset <= newest.last(); offset++) {
      String key = entryKey(offset, channel);
      String entry = versions(key).get(holder);
      if (entry != null) {
        writes.put(key, entry, lifespanMs, TimeUnit.MILLISECONDS);
        copyIdKey(idKeyOf(offset, channel), holder, writes);
      }
    }
    writes.put(headKey(channel), encode(newest), lifespanMs, TimeUnit.MILLISECONDS);
    WsLog.LOG.headCopiesCompleted(channel, heads.toString(), from, newest.last(), newest.epoch());
    return newest;
  }

  /** The note {@code note} and the place of the key it names, as {@code holder} has them. */
  private void copyIdKey(String note, Address holder, AdvancedCache<String, String> writes) {
    String idKey = versions(note).get(holder);
    String place = idKey == null ? null : versions(idKey).get(holder);
    if (place != null) {
      writes.put(note, idKey, idMillis, TimeUnit.MILLISECONDS);
      writes.put(idKey, place, idMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Whether the cache's topology is being rebalanced: the copies are compared in a settled topology
   * only, as a read of the other nodes' copies during a rebalance waits for its end, which waits
   * for the transactions under way, this append's among them. The rebalance after a node left
   * follows a settled topology of the members left, and ends with another.
   */
  private boolean rebalancing() {
    return distribution.getCacheTopology().getPhase() != CacheTopology.Phase.NO_REBALANCE;
  }

  /** Each node's copy of {@code key} ({@code null}: it has none). */
  private Map<Address, String> versions(String key) {
    Map<Address, String> found = new HashMap<>();
    copies
        .getAllVersions(keys.toStorage(key))
        .forEach(
            (node, copy) ->
                found.put(
                    node, copy == null ? null : (String) values.fromStorage(copy.getValue())));
    return found;
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
