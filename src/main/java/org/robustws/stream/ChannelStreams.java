package org.robustws.stream;

import static org.robustws.stream.StreamFormat.encode;
import static org.robustws.stream.StreamFormat.encodePlace;
import static org.robustws.stream.StreamFormat.entry;
import static org.robustws.stream.StreamFormat.entryKey;
import static org.robustws.stream.StreamFormat.headKey;
import static org.robustws.stream.StreamFormat.idKey;
import static org.robustws.stream.StreamFormat.newEpoch;
import static org.robustws.stream.StreamFormat.parseHead;
import static org.robustws.stream.StreamFormat.parsePlace;

import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.robustws.logging.WsLog;
import org.robustws.protocol.Channels;

/**
 * Every channel as an append-only stream in one Infinispan cache: offsets 1, 2, 3 … within an
 * epoch, each event stored once whatever the number of subscribers.
 *
 * <p>Per channel the cache holds its {@link StreamHead}, its events, and where each publication
 * with an idempotency key went (for {@code idMillis} after it). An append is one batch
 * (transaction) that locks the channel's head and no other key, so appends to one channel get
 * consecutive offsets whichever node or thread makes them, and appends to different channels never
 * contend; on a cluster a {@link TopologyFence} keeps that true while the head's owner changes, and
 * {@link HeadCopies} completes the copies that a dead node's commit left different. Entries and
 * heads also carry a lifespan of twice the age bound, so the stream of a channel that went quiet
 * disappears on its own; an append trims older events first. Values are strings (no marshalling
 * schema): a head is {@code epoch|first|last|bytes}, an entry {@code epoch|appendedAt|tail}, a
 * publication's place {@code epoch|offset}.
 */
public final class ChannelStreams {
  /** Appends started again after a topology change, at most, before one fails. */
  private static final int MAX_ATTEMPTS = 10;

  private final Cache<String, String> cache;
  private final TopologyFence fence;
  private final HistoryTrim history;
  private final HeadCopies copies;
  private final StreamReads reads;
  private final long idMillis;
  private final Clock clock;

  /** On a lone server's local cache: no other nodes. */
  public ChannelStreams(
      Cache<String, String> cache,
      TopologyFence fence,
      HistoryLimits limits,
      long idMillis,
      Clock clock) {
    this(cache, fence, OtherCopies.NONE, limits, idMillis, clock);
  }

  /**
   * @param fence keeps the appends of different cache topologies apart ({@link TopologyFence})
   * @param others the other nodes' own copies, for {@link HeadCopies}
   * @param idMillis how long a publication's idempotency key is remembered
   */
  public ChannelStreams(
      Cache<String, String> cache,
      TopologyFence fence,
      OtherCopies others,
      HistoryLimits limits,
      long idMillis,
      Clock clock) {
    this.cache = cache;
    this.fence = fence;
    this.history = new HistoryTrim(limits);
    this.idMillis = idMillis;
    this.copies = new HeadCopies(cache, others, lifespan(), idMillis);
    this.reads = new StreamReads(cache);
    this.clock = clock;
  }

  /** This node's own copy of each key, {@code null} where it holds none ({@link CopiesOf}). */
  public List<String> localCopies(List<String> keys) {
    return copies.local(keys);
  }

  /**
   * What a publisher gives a channel: any JSON value, its id or {@code null}, and {@code key}: a
   * publication with the key of an earlier one to the same channel is not appended again; {@code
   * null} for none.
   */
  public record Publication(JsonValue data, JsonValue id, String key) {
    public Publication(JsonValue data, JsonValue id) {
      this(data, id, null);
    }
  }

  /**
   * Where a publication went: its event's place in the stream, and the event if this append stored
   * it ({@code null}: an earlier publication with its key did, and it was not appended again).
   */
  public record Appended(String epoch, long offset, StreamEntry entry) {
    public boolean repeated() {
      return entry == null;
    }
  }

  /**
   * Appends one event and trims the channel's history to its bounds, in one transaction.
   *
   * @return the stored entry, committed
   */
  public StreamEntry append(String channel, JsonValue data, JsonValue id) {
    return appendAll(channel, List.of(new Publication(data, id))).get(0).entry();
  }

  /**
   * Appends events at consecutive offsets and trims the channel's history to its bounds, in one
   * transaction: the head's lock is taken and its copies written once for all of them. A
   * publication whose key an earlier one had (in an earlier transaction, or earlier in this one) is
   * not appended: the head's lock makes the check and the append one step on every node.
   *
   * @return where each went, committed, in the order given
   * @throws IllegalStateException if the cluster's topology kept changing, or a node did not answer
   *     the fence ({@link TopologyFence})
   */
  public List<Appended> appendAll(String channel, List<Publication> publications) {
    if (!Channels.isValid(channel)) {
      throw new IllegalArgumentException("invalid channel name");
    }
    for (int attempt = 1; ; attempt++) {
      int topology = fence.enter();
      try {
        List<Appended> appended = appendOnce(channel, publications, topology);
        if (appended != null) {
          return appended;
        }
      } finally {
        fence.exit(topology);
      }
      if (attempt == MAX_ATTEMPTS) {
        throw new IllegalStateException("the streams' topology kept changing during an append");
      }
    }
  }

  /**
   * @return where each went, or {@code null} (rolled back) if the head's lock came in a later
   *     topology than the append started in
   */
  private List<Appended> appendOnce(String channel, List<Publication> publications, int topology) {
    String headKey = headKey(channel);
    boolean committed = false;
    cache.startBatch();
    try {
      AdvancedCache<String, String> batch = cache.getAdvancedCache();
      batch.lock(headKey);
      if (!fence.current(topology)) {
        WsLog.LOG.appendStartedAgain(channel, topology);
        return null;
      }
      // taken under the lock: on one node, a later offset never carries an earlier time
      long now = clock.millis();
      // the head's lock orders the channel's other keys, written without a lock (a call to the
      // key's owner each) and without their previous value (with a store, a read each)
      AdvancedCache<String, String> writes =
          batch.withFlags(Flag.SKIP_LOCKING, Flag.IGNORE_RETURN_VALUES);
      StreamHead head = copies.newest(channel, parseHead(batch.get(headKey)), topology, writes);
      if (head == null) {
        head = new StreamHead(newEpoch(now), 1, 0, 0);
      }
      List<Appended> appended = new ArrayList<>(publications.size());
      long last = head.last();
      long bytes = head.bytes();
      for (Publication publication : publications) {
        String idKey = publication.key() == null ? null : idKey(channel, publication.key());
        StreamPosition earlier = idKey == null ? null : parsePlace(batch.get(idKey));
        if (earlier != null) {
          appended.add(new Appended(earlier.epoch(), earlier.offset(), null));
          continue;
        }
        StreamEntry entry =
            entry(channel, head.epoch(), ++last, publication.data(), publication.id(), now);
        writes.put(
            entryKey(entry.offset(), channel), encode(entry), lifespan(), TimeUnit.MILLISECONDS);
        if (idKey != null) {
          writes.put(idKey, encodePlace(entry), idMillis, TimeUnit.MILLISECONDS);
          copies.noteIdKey(writes, entry, idKey);
        }
        bytes += entry.maxBytes();
        appended.add(new Appended(entry.epoch(), entry.offset(), entry));
      }
      if (last > head.last()) {
        StreamHead grown = new StreamHead(head.epoch(), head.first(), last, bytes);
        StreamHead trimmed = history.trim(batch, writes, channel, grown, now);
        batch.put(headKey, encode(trimmed), lifespan(), TimeUnit.MILLISECONDS);
      }
      committed = true;
      return appended;
    } finally {
      cache.endBatch(committed);
    }
  }

  /** The channel's head, if its stream exists. */
  public Optional<StreamHead> head(String channel) {
    return Optional.ofNullable(parseHead(cache.get(headKey(channel))));
  }

  /**
   * The events after {@code from} up to {@code upTo} (inclusive) or the head, in offset order, read
   * without a lock; an entry the head counts but a node has not applied yet is waited for briefly
   * ({@link StreamReads}).
   *
   * @return empty if the stream no longer holds all of them: trimmed, expired, or another epoch
   */
  public Optional<List<StreamEntry>> readAfter(String channel, StreamPosition from, long upTo) {
    return reads.readAfter(channel, from, upTo);
  }

  /**
   * What each channel holds after its position, merged across channels ({@link Catchup#merge}), and
   * the channels whose stream no longer holds all of it (as {@link #readAfter} says).
   */
  public Catchup readAfterEach(Map<String, StreamPosition> positions) {
    return reads.readAfterEach(positions);
  }

  private long lifespan() {
    return 2 * history.ageMs();
  }
}
