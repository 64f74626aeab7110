package org.robustws.session;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.infinispan.Cache;
import org.robustws.channel.ChannelRegistry;
import org.robustws.config.WsSettings;
import org.robustws.connection.Outbound;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamHead;
import org.robustws.stream.StreamPosition;

/**
 * Sessions: the ones connections of this node hold, in memory, and every resumable one as a {@link
 * SessionRecord} in the cache {@code ws/sessions}, which outlives redeploys and restarts. A held
 * session's record is rewritten every half hour, so it outlives a crash of this node; a detached
 * one's lives for twice the resume grace period after its last write: a resume in the second half
 * is answered {@code expired}, later ones {@code unknown}.
 *
 * <p>Writes and resumes of one session id are serialised by a lock of this node, so a record
 * written at a detach can never overwrite the newer one of a resume. Resumes, and hand-overs to a
 * resume on another node, are {@link Resumption}'s, under the same locks.
 */
public final class SessionStore {
  /** How many ticks of {@link #refreshRecords} rewrite every held session's record once. */
  public static final int REFRESH_TICKS = 30;

  private final SessionRecords records;
  private final ChannelStreams streams;
  private final Tokens tokens = new Tokens();
  private final HeldSessions held;
  private final DetachedSessions detached;
  private final Resumption resumption;
  private final SessionLocks locks = new SessionLocks();
  private final int maxRuns;
  private final int maxSubscriptions;

  /**
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
    this.streams = streams;
    this.held = new HeldSessions(channels);
    this.detached =
        new DetachedSessions(settings.resumeGraceMs(), settings.maxSessions(), held::size);
    this.maxRuns = settings.historyEvents();
    this.maxSubscriptions = settings.maxSubscriptions();
    this.resumption =
        new Resumption(records, others, streams, tokens, held, detached, locks, settings);
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
            records.newId(() -> tokens.next("s-", 12)),
            Tokens.hash(token),
            subject,
            sink,
            maxRuns,
            maxSubscriptions);
    held.hold(session, sink.id());
    return new Created(session, token);
  }

  /** A session a connection of this node holds. */
  public Optional<ClientSession> find(String sessionId) {
    return sessionId == null ? Optional.empty() : Optional.ofNullable(held.get(sessionId));
  }

  /** The session the connection {@code connectionId} holds, if any. */
  public Optional<ClientSession> ofConnection(String connectionId) {
    return Optional.ofNullable(held.ofConnection(connectionId));
  }

  /**
   * The connection closed: the session it held, if it still does, is recorded for its resume and
   * this node stops delivering to it. Once per connection however often called.
   */
  public void closed(Outbound connection, long now) {
    ClientSession session = held.releaseConnection(connection.id());
    if (session != null) {
      detach(session, connection, now);
    }
  }

  /**
   * Subscribes the session and writes its record. A session no longer held here (a resume moved it
   * to a newer connection while its old one's frame was on its way) changes alone: the channel's
   * fan-out and the record are the newer session's.
   *
   * @see ClientSession#subscribe
   */
  public ClientSession.Subscription subscribe(ClientSession session, String channel) {
    return locks.get(
        session.id(),
        () -> {
          boolean current = held.get(session.id()) == session;
          ClientSession.Subscription result =
              session.subscribe(
                  channel,
                  () -> {
                    if (current) {
                      held.listen(session, channel);
                    }
                    return streams
                        .head(channel)
                        .map(StreamHead::position)
                        .orElse(StreamPosition.START);
                  });
          if (result == ClientSession.Subscription.ADDED) {
            save(session);
          }
          return result;
        });
  }

  /**
   * Makes a session of no subject {@code subject}'s. Its record is written again only if it has one
   * already: a session's first record is written at its first subscription, its first publication
   * with an id or its detach, which then carries the subject. An {@code auth} before any of these,
   * the usual order, costs no write (bench/RESULTS.md, auth).
   */
  public void claim(ClientSession session, String subject) {
    // under the lock: a first write under way (a publication's) either carries the subject or is
    // over, and then this one writes it
    locks.run(
        session.id(),
        () -> {
          if (session.claim(subject) && session.recorded()) {
            save(session);
          }
        });
  }

  /**
   * Writes the record of a session that has none yet, before its first publication with an id is
   * stored: its client may send that publication again after a resume on any node, also after this
   * one died, and only a resume of the same session finds it a repeat.
   */
  public void recordBeforePublishing(ClientSession session) {
    if (!session.recorded()) {
      save(session);
    }
  }

  /**
   * @return false if it was not subscribed
   */
  public boolean unsubscribe(ClientSession session, String channel) {
    return locks.get(
        session.id(),
        () -> {
          if (!session.unsubscribe(channel)) {
            return false;
          }
          if (held.get(session.id()) == session) {
            held.stopListening(session, channel);
            save(session);
          }
          return true;
        });
  }

  /** Whether any session a connection of this node holds is subscribed to the channel. */
  public boolean listened(String channel) {
    return held.listened(channel);
  }

  /** The sessions connections of this node hold that are subscribed to the channel. */
  public List<ClientSession> heldSubscribers(String channel) {
    return held.subscribers(channel);
  }

  /** Lets {@code sink} go of the session if it still holds it, and writes the record. */
  private void detach(ClientSession session, Outbound sink, long now) {
    if (!session.detach(sink, now)) {
      return;
    }
    SessionRecord record;
    ReentrantLock lock = locks.of(session.id());
    lock.lock();
    try {
      if (held.get(session.id()) != session) {
        return; // a resume took it between its detach and this lock, and wrote a newer record
      }
      record = session.record();
      try {
        records.writeHeld(record);
      } finally {
        held.forget(session); // also when the write fails (a cache degraded on a split)
      }
    } finally {
      lock.unlock();
    }
    for (DetachedSessions.Detached oldest : detached.add(session.id(), record.tokenHash(), now)) {
      expire(oldest);
    }
  }

  /**
   * Makes a session's record answer {@code expired}: there are too many sessions. Not if a resume
   * has moved it since it was detached here (a connection holds it, or detached it later).
   */
  private void expire(DetachedSessions.Detached session) {
    locks.run(
        session.sessionId(),
        () -> {
          if (!held.contains(session.sessionId())) {
            records.expire(session.sessionId(), session.tokenHash());
          }
        });
  }

  /** Writes the records of every session this node holds, for a stop. */
  public void saveAll() {
    held.all().forEach(this::save);
  }

  /**
   * Rewrites the records of the held sessions whose turn tick {@code tick} is (one in {@link
   * #REFRESH_TICKS}, by id): a held session's record expires {@link
   * SessionRecords#HELD_LIFESPAN_MS} after its last write, so one tick a minute keeps every record
   * of a connection alive however long it lives, and a crash of this node leaves them to resume
   * from. Sessions never recorded (no subscription, no publication with an id) are left out.
   *
   * @return how many it rewrote
   */
  public int refreshRecords(long tick) {
    int turn = Math.floorMod(tick, REFRESH_TICKS);
    int rewritten = 0;
    for (ClientSession session : held.all()) {
      if (session.recorded() && Math.floorMod(session.id().hashCode(), REFRESH_TICKS) == turn) {
        save(session);
        rewritten++;
      }
    }
    return rewritten;
  }

  /**
   * Writes the record of a session this node holds. One no longer held here was detached (its
   * record written then, and perhaps expired since) or moved to a newer connection: nothing.
   */
  private void save(ClientSession session) {
    locks.run(
        session.id(),
        () -> {
          if (held.get(session.id()) == session) {
            records.writeHeld(session.record());
            session.markRecorded();
          }
        });
  }

  /**
   * Moves a session to the connection behind {@code newSink}, if the token matches, no newer
   * connection has held it, its grace period has not passed and the streams still hold every event
   * the client misses; the events it misses go first, then the frame {@code resumed} makes. A
   * connection of this node that still held the session (a half-open socket) loses it and is
   * returned as {@code previous}.
   *
   * @see Resumption#resume
   */
  public ResumeResult resume(
      ResumeRequest request, Outbound newSink, long now, ResumedFrames resumed) {
    return resumption.resume(request, newSink, now, resumed);
  }

  /**
   * Another node resumes the session: if a connection of this node holds it, the connection lets it
   * go and is closed with 4001, as on a resume here, unless it is newer than the resuming one or
   * the resume would fail from this node's record.
   *
   * @param openOrder where the resuming connection comes in the order of opens
   * @return the session's record as it was, and whether it was let go, if this node held it
   * @see Resumption#handOver
   */
  public Optional<HandOver.Handed> handOver(
      String sessionId, long openOrder, ResumeClaim claim, long now) {
    return resumption.handOver(sessionId, openOrder, claim, now);
  }
}
