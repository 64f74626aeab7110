package org.robustws.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.robustws.connection.Outbound;
import org.robustws.protocol.Utf8;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamPosition;

/**
 * A session while a connection of this node holds it: its {@code seq} counter, its position in each
 * subscribed channel, and which channel offsets its recent {@code seq}s were (its {@link
 * ReplayWindow}, trimmed by {@code ack}). It holds no event: those stay in the channel streams,
 * stored once. Everything a resume needs goes to the cache as a {@link SessionRecord}.
 *
 * <p>Invariant: per channel, the session is given the stream's offsets in order, each once, and
 * each gets the next {@code seq}. Numbering and queueing happen under the session's lock, which is
 * why frames reach the client in {@code seq} order; sending and closing happen after it is
 * released, so no close callback ever runs under it.
 */
public final class ClientSession {

  /** What {@link #subscribe} did. */
  public enum Subscription {
    ADDED,
    ALREADY,
    TOO_MANY
  }

  private final String id;
  private final int maxSubscriptions;
  private final ReplayWindow window;
  private String tokenHash;
  private String previousTokenHash;
  private long seq;
  private Map<String, StreamPosition> positions; // made on the first subscription
  private Outbound sink;
  private long newestOwner;
  private String subject;
  // a new session counts as detached since its creation until its first connection attaches
  private long detachedAt;
  // the cache holds a record of it: written by this node, or the one it was resumed from
  private boolean recorded;

  /** A session whose last {@code seq} is {@code seq}: a resume can start from there, not before. */
  private ClientSession(String id, long seq, int maxRuns, int maxSubscriptions) {
    this.id = id;
    this.seq = seq;
    this.window = new ReplayWindow(seq, maxRuns);
    this.maxSubscriptions = maxSubscriptions;
  }

  /** A new session, held by the connection that created it. */
  static ClientSession fresh(
      String id,
      String tokenHash,
      String subject,
      Outbound sink,
      int maxRuns,
      int maxSubscriptions) {
    ClientSession session = new ClientSession(id, 0, maxRuns, maxSubscriptions);
    session.tokenHash = tokenHash;
    session.subject = subject;
    session.sink = sink;
    session.newestOwner = sink.openOrder();
    return session;
  }

  /**
   * The session of {@code record}, as a resume took it ({@link SessionRecord#resumedBy}: its new
   * token, its subject), continued by {@code sink} after {@code lastSeq}; the caller then {@link
   * #replay}s what the client misses.
   */
  static ClientSession resumed(
      SessionRecord record, long lastSeq, Outbound sink, int maxRuns, int maxSubscriptions) {
    ClientSession session = new ClientSession(record.id(), lastSeq, maxRuns, maxSubscriptions);
    session.subject = record.subject();
    session.tokenHash = record.tokenHash();
    session.previousTokenHash = record.previousTokenHash();
    session.positions = record.positions().isEmpty() ? null : new HashMap<>(record.positions());
    session.sink = sink;
    session.newestOwner = sink.openOrder();
    session.recorded = true;
    return session;
  }

  /** Whether the cache holds a record of this session. */
  synchronized boolean recorded() {
    return recorded;
  }

  synchronized void markRecorded() {
    recorded = true;
  }

  public String id() {
    return id;
  }

  /** The subject this session belongs to, or {@code null}. */
  public synchronized String subject() {
    return subject;
  }

  /**
   * Makes a session of no subject {@code subject}'s, when its connection authenticates.
   *
   * @return whether it changed
   */
  synchronized boolean claim(String claimant) {
    if (subject != null) {
      return false;
    }
    subject = claimant;
    return true;
  }

  public synchronized long lastSeq() {
    return seq;
  }

  /** The channels this session is subscribed to, a copy. */
  public synchronized Set<String> channels() {
    return positions == null ? Set.of() : Set.copyOf(positions.keySet());
  }

  /**
   * Subscribes at the position {@code join} returns: the caller adds this session to the channel's
   * fan-out first and then reads the head, so an event appended meanwhile is either before that
   * position or delivered to this session (whose lock the delivery waits for).
   */
  public synchronized Subscription subscribe(String channel, Supplier<StreamPosition> join) {
    if (positions != null && positions.containsKey(channel)) {
      return Subscription.ALREADY;
    }
    if (positions != null && positions.size() >= maxSubscriptions) {
      return Subscription.TOO_MANY;
    }
    if (positions == null) {
      positions = new HashMap<>(4);
    }
    positions.put(channel, join.get());
    return Subscription.ADDED;
  }

  /**
   * @return false if it was not subscribed
   */
  public synchronized boolean unsubscribe(String channel) {
    return positions != null && positions.remove(channel) != null;
  }

  /**
   * Gives this session one appended event of a channel it listens to, and before it any of that
   * channel it missed (read back from the stream: deliveries of different publishers may arrive out
   * of order). An event it already had is ignored. Nothing happens while no connection holds it:
   * the stream keeps the event for its resume.
   */
  public void deliver(StreamEntry entry, ChannelStreams streams) {
    Outbound target;
    boolean queued = true;
    synchronized (this) {
      StreamPosition at = positions == null ? null : positions.get(entry.channel());
      if (sink == null || at == null) {
        return;
      }
      if (!at.sameHistory(entry.epoch())) {
        at = new StreamPosition(entry.epoch(), 0); // the stream began anew while we listened
      }
      if (entry.offset() <= at.offset()) {
        return;
      }
      List<StreamEntry> next = List.of(entry);
      if (entry.offset() > at.offset() + 1) {
        Optional<List<StreamEntry>> missed =
            streams.readAfter(entry.channel(), at, entry.offset() - 1);
        if (missed.isEmpty()) {
          // trimmed before this node could deliver it: the client learns it on resume (gap)
          target = sink;
          queued = false;
          next = List.of();
        } else {
          next = new ArrayList<>(missed.get());
          next.add(entry);
        }
      }
      for (StreamEntry e : next) {
        queued &= give(e, false);
      }
      target = sink;
    }
    target.flush();
    if (!queued) {
      target.closeAsSlowConsumer();
    }
  }

  /** Where it stands in the channel: the last offset it was given, or empty if not subscribed. */
  public synchronized Optional<StreamPosition> position(String channel) {
    return Optional.ofNullable(positions == null ? null : positions.get(channel));
  }

  /** Numbers one event for this session and queues it. Holds the lock. */
  private boolean give(StreamEntry entry, boolean forced) {
    seq++;
    positions.put(entry.channel(), entry.position());
    window.remember(entry, seq);
    return sink.enqueue("event", entry.frame(seq), entry.frameBytes(seq), forced);
  }

  /**
   * Queues a resume's answer: the events the client misses, numbered on from its {@code lastSeq},
   * then what its channels got since those were read, then the frame {@code resumed} makes.
   * Whatever the connection's bounds: the channel history bounds them. The caller holds this
   * session's lock from before the session can be found, so no live event overtakes the replay, and
   * flushes the sink after releasing it.
   *
   * @return the number of events queued
   */
  int replay(List<StreamEntry> entries, ChannelStreams streams, ResumedFrame resumed) {
    assert Thread.holdsLock(this);
    long from = seq;
    for (StreamEntry entry : entries) {
      give(entry, true);
    }
    // a channel lost meanwhile is caught at its next delivery, which closes the client with 4008
    List<StreamEntry> since =
        positions == null ? List.of() : streams.readAfterEach(positions).entries();
    for (StreamEntry entry : since) {
      give(entry, true);
    }
    int replayed = (int) (seq - from);
    String frame =
        resumed.encode(replayed, seq, Map.copyOf(positions == null ? Map.of() : positions));
    sink.enqueue("resumed", frame, Utf8.length(frame), true);
    return replayed;
  }

  /** The client confirmed every event up to {@code ackedSeq}: it will not resume before it. */
  public synchronized void acknowledge(long ackedSeq) {
    window.acknowledge(ackedSeq, seq);
  }

  /**
   * Lets go of {@code oldSink} if it still holds this session.
   *
   * @return whether it did
   */
  synchronized boolean detach(Outbound oldSink, long now) {
    if (sink != oldSink || sink == null) {
      return false;
    }
    sink = null;
    detachedAt = now;
    return true;
  }

  /** Takes the session from whoever holds it, for a resume elsewhere. @return the old sink */
  synchronized Outbound release(long now) {
    Outbound previous = sink;
    sink = null;
    detachedAt = now;
    return previous;
  }

  /** The thread that writes the socket of the connection holding it, or null if none holds it. */
  public synchronized Executor writer() {
    return sink == null ? null : sink.writer();
  }

  /** What the cache keeps of this session now. */
  synchronized SessionRecord record() {
    return new SessionRecord(
        id,
        tokenHash,
        previousTokenHash,
        seq,
        window.replayableFrom(),
        positions == null ? Map.of() : positions,
        window.stored(),
        sink == null ? detachedAt : 0,
        newestOwner,
        subject);
  }
}
