package org.robustws.session;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.infinispan.Cache;
import org.robustws.channel.ChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.connection.Outbound;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamHead;
import org.robustws.stream.StreamPosition;

/**
 * Sessions: the ones connections of this node hold, in memory, and every resumable one as a {@link
 * SessionRecord} in the cache {@code ws/sessions}, which outlives redeploys and restarts. A record
 * lives for twice the resume grace period after its last write: a resume in the second half is
 * answered {@code expired}, later ones {@code unknown}.
 *
 * <p>Writes and resumes of one session id are serialised by a lock of this node, so a record
 * written at a detach can never overwrite the newer one of a resume.
 */
public final class SessionStore {
  private static final int LOCK_STRIPES = 64;

  private final SessionRecords records;
  private final OtherNodes others;
  private final ChannelRegistry channels;
  private final ChannelStreams streams;
  private final Tokens tokens = new Tokens();
  private final Map<String, ClientSession> held = new ConcurrentHashMap<>();
  // which session each connection of this node holds
  private final Map<String, ClientSession> byConnection = new ConcurrentHashMap<>();
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
  // the sessions detached on this node, oldest first, with when: the first to expire at the cap
  private final LinkedHashMap<String, Long> detached = new LinkedHashMap<>();
  private final long graceMillis;
  private final int maxRuns;
  private final int maxSubscriptions;
  private final int maxSessions;

  /**
   * The cap counts the sessions detached since this store started: those detached before a restart
   * expire on their own within twice the grace period, uncounted (iterating a cache of WildFly's
   * PROTOSTREAM container fails on its values' transcoding).
   *
   * @param others the other nodes of a cluster, which may hold a session resumed here
   * @param settings the grace period, {@code ws.history.events} (the most runs a session remembers:
   *     a channel keeps no more events), {@code ws.max-subscriptions} and {@code ws.max-sessions}
   */
  public SessionStore(
      Cache<String, String> cache,
      ChannelRegistry channels,
      ChannelStreams streams,
      OtherNodes others,
      WsSettings settings) {
    this.records = new SessionRecords(cache, settings.resumeGraceMs());
    this.others = others;
    this.channels = channels;
    this.streams = streams;
    this.graceMillis = settings.resumeGraceMs();
    this.maxRuns = settings.historyEvents();
    this.maxSubscriptions = settings.maxSubscriptions();
    this.maxSessions = settings.maxSessions();
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** A new session and its resume token, which only the client gets: the store keeps its hash. */
  public record Created(ClientSession session, String resumeToken) {}

  /**
   * @param subject who the connection authenticated as, or {@code null}
   */
  public Created create(Outbound sink, String subject) {
    String token = tokens.next("", 24);
    ClientSession session =
        ClientSession.fresh(
            tokens.next("s-", 12), Tokens.hash(token), subject, sink, maxRuns, maxSubscriptions);
    held.put(session.id(), session);
    byConnection.put(sink.id(), session);
    return new Created(session, token);
  }

  /** A session a connection of this node holds. */
  public Optional<ClientSession> find(String sessionId) {
    return sessionId == null ? Optional.empty() : Optional.ofNullable(held.get(sessionId));
  }

  /** The session the connection {@code connectionId} holds, if any. */
  public Optional<ClientSession> ofConnection(String connectionId) {
    return Optional.ofNullable(byConnection.get(connectionId));
  }

  /**
   * The connection closed: the session it held, if it still does, is recorded for its resume and
   * this node stops delivering to it. Once per connection however often called.
   */
  public void closed(Outbound connection, long now) {
    ClientSession session = byConnection.remove(connection.id());
    if (session != null) {
      detach(session, connection, now);
    }
  }

  /**
   * Subscribes the session and writes its record.
   *
   * @see ClientSession#subscribe
   */
  public ClientSession.Subscription subscribe(ClientSession session, String channel) {
    ClientSession.Subscription result =
        session.subscribe(
            channel,
            () -> {
              channels.subscribe(channel, session.id());
              return streams.head(channel).map(StreamHead::position).orElse(StreamPosition.START);
            });
    if (result == ClientSession.Subscription.ADDED) {
      save(session);
    }
    return result;
  }

  /**
   * Makes a session of no subject {@code subject}'s. Its record is written again only if it has one
   * already: a session's first record is written at its first subscription (or its detach), which
   * then carries the subject. An {@code auth} before any {@code subscribe}, the usual order, costs
   * no write (bench/RESULTS.md, auth).
   */
  public void claim(ClientSession session, String subject) {
    if (session.claim(subject) && !session.channels().isEmpty()) {
      save(session);
    }
  }

  /**
   * @return false if it was not subscribed
   */
  public boolean unsubscribe(ClientSession session, String channel) {
    if (!session.unsubscribe(channel)) {
      return false;
    }
    channels.unsubscribe(channel, session.id());
    save(session);
    return true;
  }

  /** The sessions connections of this node hold that are subscribed to the channel. */
  public List<ClientSession> heldSubscribers(String channel) {
    List<ClientSession> subscribers = new ArrayList<>();
    for (String sessionId : channels.subscribers(channel)) {
      ClientSession session = held.get(sessionId);
      if (session != null) {
        subscribers.add(session);
      }
    }
    return subscribers;
  }

  /** Lets {@code sink} go of the session if it still holds it, and writes the record. */
  private void detach(ClientSession session, Outbound sink, long now) {
    if (!session.detach(sink, now)) {
      return;
    }
    ReentrantLock lock = lockOf(session.id());
    lock.lock();
    try {
      if (held.get(session.id()) != session) {
        return; // a resume took it between its detach and this lock, and wrote a newer record
      }
      records.writeHeld(session.record());
      for (String channel : session.channels()) {
        channels.unsubscribe(channel, session.id());
      }
      held.remove(session.id(), session);
    } finally {
      lock.unlock();
    }
    for (String oldest : countDetached(session.id(), now)) {
      expire(oldest);
    }
  }

  /**
   * Counts a detached session, forgets those whose records have expired by now, and says which
   * sessions, oldest first, exceed {@code ws.max-sessions} and must expire.
   */
  private List<String> countDetached(String sessionId, long now) {
    List<String> over = new ArrayList<>();
    synchronized (detached) {
      detached.remove(sessionId);
      detached.put(sessionId, now);
      Iterator<Map.Entry<String, Long>> oldest = detached.entrySet().iterator();
      while (oldest.hasNext()) {
        Map.Entry<String, Long> next = oldest.next();
        boolean gone = now - next.getValue() > 2 * graceMillis;
        if (!gone && held.size() + detached.size() <= maxSessions) {
          break;
        }
        oldest.remove();
        if (!gone) {
          over.add(next.getKey());
        }
      }
    }
    return over;
  }

  /** Makes a detached session's record answer {@code expired}: there are too many sessions. */
  private void expire(String sessionId) {
    ReentrantLock lock = lockOf(sessionId);
    lock.lock();
    try {
      if (!held.containsKey(sessionId)) {
        records.expire(sessionId);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Writes the records of every session this node holds, for a stop. */
  public void saveAll() {
    held.values().forEach(this::save);
  }

  private void save(ClientSession session) {
    ReentrantLock lock = lockOf(session.id());
    lock.lock();
    try {
      records.writeHeld(session.record());
    } finally {
      lock.unlock();
    }
  }

  /**
   * What a client sends to resume. {@code positions}: its own per channel, may be empty. {@code
   * subject}: who the resuming connection authenticated as, or {@code null}; {@code mayRead}: which
   * of the session's channels that identity may still read.
   */
  public record ResumeRequest(
      String sessionId,
      String token,
      long lastSeq,
      Map<String, StreamPosition> positions,
      String subject,
      Predicate<String> mayRead) {}

  /**
   * Moves a session to the connection behind {@code newSink}, if the token matches, no newer
   * connection has held it, its grace period has not passed and the streams still hold every event
   * the client misses. Those events are queued to the new sink, then the frame {@code resumed}
   * makes, before any newer event can be; the fresh session the new connection got at its open is
   * forgotten (resume is its first message: it holds nothing). A connection of this node that still
   * held the session (a half-open socket) loses it and is returned as {@code previous}.
   */
  public ResumeResult resume(
      ResumeRequest request, Outbound newSink, long now, ResumedFrames resumed) {
    ReentrantLock lock = lockOf(request.sessionId());
    lock.lock();
    try {
      ClientSession current = held.get(request.sessionId());
      SessionRecord record = current != null ? current.record() : records.read(request.sessionId());
      if (record == null) {
        return new ResumeResult.Failed(ResumeResult.Reason.UNKNOWN);
      }
      if (!mayResume(record, request)) {
        return new ResumeResult.Failed(ResumeResult.Reason.INVALID_TOKEN);
      }
      if (current == null) {
        // a connection of another node may still hold it (half-open), with a newer state
        Optional<SessionRecord> handed = others.handOver(request.sessionId()).map(records::parse);
        if (handed.isPresent()) {
          record = handed.get();
          if (!mayResume(record, request)) {
            return new ResumeResult.Failed(ResumeResult.Reason.INVALID_TOKEN);
          }
        }
      }
      String used = request.token();
      if (newSink.openOrder() < record.newestOwner()) {
        return new ResumeResult.Superseded();
      }
      if (record.detachedAt() > 0 && now - record.detachedAt() > graceMillis) {
        return new ResumeResult.Failed(ResumeResult.Reason.EXPIRED);
      }
      if (request.lastSeq() > record.seq()) {
        // the client got more than the record knows: the server died before recording it
        SessionRecord caughtUp = record.caughtUp(request.lastSeq(), request.positions());
        if (caughtUp == null) {
          return new ResumeResult.Failed(
              ResumeResult.Reason.GAP, List.copyOf(new TreeSet<>(record.positions().keySet())));
        }
        record = caughtUp;
      }
      // the channels the identity may no longer read are left out, their events included
      Set<String> revoked = new TreeSet<>(record.positions().keySet());
      revoked.removeIf(request.mayRead());
      record = record.without(revoked);
      Replay replay = plan(record, request);
      if (!replay.lost().isEmpty() || replay.entries() == null) {
        return new ResumeResult.Failed(ResumeResult.Reason.GAP, replay.lost());
      }
      Outbound previous = current == null ? null : current.release(now);
      String token = tokens.next("", 24);
      ClientSession session =
          ClientSession.resumed(
              record,
              request.lastSeq(),
              Tokens.hash(used),
              Tokens.hash(token),
              request.subject(),
              newSink,
              maxRuns,
              maxSubscriptions);
      int replayed;
      // findable and listening before the replay, which holds the session's lock throughout: a
      // live event delivered meanwhile waits for it and is then a duplicate or the next one
      synchronized (detached) {
        detached.remove(session.id());
      }
      synchronized (session) {
        forgetFresh(newSink);
        if (previous != null) {
          byConnection.remove(previous.id(), current);
        }
        held.put(session.id(), session);
        byConnection.put(newSink.id(), session);
        for (String channel : session.channels()) {
          channels.subscribe(channel, session.id());
        }
        for (String channel : revoked) {
          channels.unsubscribe(channel, session.id()); // if the previous connection was here
        }
        replayed =
            session.replay(
                replay.entries(),
                streams,
                (count, lastSeq, at) -> resumed.encode(session.id(), token, count, lastSeq, at));
      }
      newSink.flush();
      SessionRecord written = session.record();
      records.write(written);
      return new ResumeResult.Resumed(
          session, replayed, previous, written.positions(), List.copyOf(revoked));
    } finally {
      lock.unlock();
    }
  }

  /** The token is the session's (or the one before) and so is the subject, if it has one. */
  private static boolean mayResume(SessionRecord record, ResumeRequest request) {
    boolean tokenOk =
        Tokens.matches(record.tokenHash(), request.token())
            || Tokens.matches(record.previousTokenHash(), request.token());
    return tokenOk && (record.subject() == null || record.subject().equals(request.subject()));
  }

  /**
   * Another node resumes the session: if a connection of this node holds it, the connection lets it
   * go and is closed with 4001, as on a resume here.
   *
   * @return the session's record as it was, JSON, if this node held it
   */
  public Optional<String> handOver(String sessionId, long now) {
    ClientSession current;
    Outbound previous;
    SessionRecord record;
    ReentrantLock lock = lockOf(sessionId);
    lock.lock();
    try {
      current = held.remove(sessionId);
      if (current == null) {
        return Optional.empty();
      }
      record = current.record();
      previous = current.release(now);
      for (String channel : current.channels()) {
        channels.unsubscribe(channel, sessionId);
      }
      if (previous != null) {
        byConnection.remove(previous.id(), current);
      }
    } finally {
      lock.unlock();
    }
    if (previous != null) {
      previous.closeAsTakenOver();
    }
    return Optional.of(records.toJson(record));
  }

  /** Forgets the session a connection got at its open: it resumes another one instead. */
  private void forgetFresh(Outbound connection) {
    ClientSession fresh = byConnection.remove(connection.id());
    if (fresh != null) {
      for (String channel : fresh.channels()) {
        channels.unsubscribe(channel, fresh.id());
      }
      held.remove(fresh.id(), fresh);
    }
  }

  /** Makes the {@code resumed} frame. */
  @FunctionalInterface
  public interface ResumedFrames {
    String encode(
        String sessionId,
        String resumeToken,
        int replayed,
        long lastSeq,
        Map<String, StreamPosition> positions);
  }

  /**
   * What a resume sends: the events after the client's {@code lastSeq}, oldest first, or the
   * channels whose history is gone ({@code entries} null, and every channel lost, if where the
   * client stands is unknown).
   */
  private record Replay(List<StreamEntry> entries, List<String> lost) {}

  /**
   * The {@code seq}s after {@code lastSeq} that the session already gave out are replayed from the
   * record's runs, so they keep their numbers; then what each channel got since the record's
   * positions, merged by append time. A client that sends its own positions resumes from them when
   * the runs no longer reach back to its {@code lastSeq}.
   */
  private Replay plan(SessionRecord record, ResumeRequest request) {
    long lastSeq = request.lastSeq();
    Map<String, StreamPosition> from = new TreeMap<>(record.positions());
    List<StreamEntry> entries = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    if (lastSeq >= record.replayableFrom()) {
      for (SessionRecord.Run run : record.runs()) {
        if (run.lastSeq() <= lastSeq) {
          continue;
        }
        long skip = Math.max(0, lastSeq + 1 - run.firstSeq());
        StreamPosition before = new StreamPosition(run.epoch(), run.firstOffset() + skip - 1);
        long upTo = run.firstOffset() + run.count() - 1;
        Optional<List<StreamEntry>> part = streams.readAfter(run.channel(), before, upTo);
        if (part.isEmpty() || part.get().size() != upTo - before.offset()) {
          addOnce(lost, run.channel());
        } else {
          entries.addAll(part.get());
        }
      }
    } else if (!request.positions().isEmpty()) {
      // the client knows where it stands in each channel it listed
      for (Map.Entry<String, StreamPosition> own : request.positions().entrySet()) {
        if (from.containsKey(own.getKey())) {
          from.put(own.getKey(), own.getValue());
        }
      }
      if (!request.positions().keySet().containsAll(from.keySet())) {
        from.keySet().stream().filter(c -> !request.positions().containsKey(c)).forEach(lost::add);
      }
    } else {
      // acknowledged beyond lastSeq, and no positions: where it stands in each channel is unknown
      return new Replay(null, List.copyOf(from.keySet()));
    }
    ChannelStreams.Catchup since = streams.readAfterEach(from);
    since.lost().forEach(channel -> addOnce(lost, channel));
    entries.addAll(since.entries());
    return new Replay(entries, lost);
  }

  private static void addOnce(List<String> list, String channel) {
    if (!list.contains(channel)) {
      list.add(channel);
    }
  }

  private ReentrantLock lockOf(String sessionId) {
    return locks[Math.floorMod(sessionId.hashCode(), LOCK_STRIPES)];
  }
}
