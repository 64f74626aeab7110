package org.robustws.session;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.robustws.config.WsSettings;
import org.robustws.connection.Outbound;
import org.robustws.stream.ChannelStreams;

/**
 * How a session moves from one connection to a newer one: a resume on this node, which may take it
 * from a connection of this node or of another, and the hand-over when another node resumes one a
 * connection of this node holds. Part of the {@link SessionStore}, whose state it shares: a resume
 * of one session id holds that id's lock of the store throughout, so no detach, save or expiry of
 * the same session interleaves with it.
 */
final class Resumption {
  private final SessionRecords records;
  private final OtherNodes others;
  private final ChannelStreams streams;
  private final Tokens tokens;
  private final HeldSessions held;
  private final DetachedSessions detached;
  private final SessionLocks locks;
  private final long graceMillis;
  private final int maxRuns;
  private final int maxSubscriptions;

  /**
   * @param locks the store's locks of session ids
   */
  Resumption(
      SessionRecords records,
      OtherNodes others,
      ChannelStreams streams,
      Tokens tokens,
      HeldSessions held,
      DetachedSessions detached,
      SessionLocks locks,
      WsSettings settings) {
    this.records = records;
    this.others = others;
    this.streams = streams;
    this.tokens = tokens;
    this.held = held;
    this.detached = detached;
    this.locks = locks;
    this.graceMillis = settings.resumeGraceMs();
    this.maxRuns = settings.historyEvents();
    this.maxSubscriptions = settings.maxSubscriptions();
  }

  /**
   * Moves a session to the connection behind {@code newSink}, if the token matches, no newer
   * connection has held it, its grace period has not passed and the streams still hold every event
   * the client misses. Those events are queued to the new sink, then the frame {@code resumed}
   * makes, before any newer event can be; the fresh session the new connection got at its open is
   * forgotten (resume is its first message: it holds nothing). A connection of this node that still
   * held the session (a half-open socket) loses it and is returned as {@code previous}.
   */
  ResumeResult resume(ResumeRequest request, Outbound newSink, long now, ResumedFrames resumed) {
    ReentrantLock lock = locks.of(request.sessionId());
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
      boolean keptElsewhere = false;
      if (current == null) {
        // a connection of another node may still hold it (half-open), with a newer state
        Optional<HandOver.Handed> handed =
            others.handOver(request.sessionId(), newSink.openOrder(), ResumeClaim.of(request));
        if (handed.isPresent()) {
          record = records.parse(handed.get().record());
          keptElsewhere = !handed.get().released();
          if (!mayResume(record, request)) {
            return new ResumeResult.Failed(ResumeResult.Reason.INVALID_TOKEN);
          }
        }
      }
      if (newSink.openOrder() < record.newestOwner()) {
        return new ResumeResult.Superseded(null);
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
      ReplayPlan replay = ReplayPlan.of(record, request, streams);
      if (!replay.complete()) {
        return new ResumeResult.Failed(ResumeResult.Reason.GAP, replay.lost());
      }
      if (keptElsewhere) {
        // its node found events lost in a channel this identity may no longer read: it keeps it
        return new ResumeResult.Failed(
            ResumeResult.Reason.GAP, List.copyOf(new TreeSet<>(record.positions().keySet())));
      }
      String token = tokens.next("", 24);
      // recorded before the client can see the new token: if the write fails, nothing has moved
      // and the token the client holds still resumes
      SessionRecord taken =
          record.resumedBy(
              Tokens.hash(token),
              Tokens.hash(request.token()),
              newSink.openOrder(),
              request.subject());
      if (!records.writeResumed(taken, record.tokenHash())) {
        // a resume on another node read the record when this one did, before either held the
        // session, and wrote first: it keeps the session, this connection is closed as taken over
        return new ResumeResult.Superseded(current == null ? null : letGo(current, now));
      }
      ClientSession session =
          ClientSession.resumed(taken, request.lastSeq(), newSink, maxRuns, maxSubscriptions);
      Outbound previous = current == null ? null : current.release(now);
      int replayed;
      // findable and listening before the replay, which holds the session's lock throughout: a
      // live event delivered meanwhile waits for it and is then a duplicate or the next one
      detached.remove(session.id());
      synchronized (session) {
        forgetFresh(newSink);
        if (previous != null) {
          held.releaseConnection(previous.id(), current);
        }
        held.hold(session, newSink.id());
        for (String channel : revoked) {
          held.stopListening(session, channel); // if the previous connection was here
        }
        replayed =
            session.replay(
                replay.entries(),
                streams,
                (count, lastSeq, at) -> resumed.encode(session.id(), token, count, lastSeq, at));
      }
      newSink.flush();
      return new ResumeResult.Resumed(
          session, replayed, previous, session.record().positions(), List.copyOf(revoked));
    } finally {
      lock.unlock();
    }
  }

  /** The token is the session's (or the one before) and so is the subject, if it has one. */
  private static boolean mayResume(SessionRecord record, ResumeRequest request) {
    return claims(record, hash -> Tokens.matches(hash, request.token()), request.subject());
  }

  /**
   * Whether a resume of another node would succeed from {@code record}, this node's: the checks of
   * {@link #resume} but the grace period (a held session has none) and the channels its identity
   * may no longer read (fewer channels lose no more events).
   */
  private boolean wouldResume(String sessionId, SessionRecord record, ResumeClaim claim) {
    if (!claims(record, hash -> Tokens.sameHash(hash, claim.tokenHash()), claim.subject())) {
      return false;
    }
    SessionRecord from =
        claim.lastSeq() > record.seq()
            ? record.caughtUp(claim.lastSeq(), claim.positions())
            : record;
    return from != null && ReplayPlan.of(from, claim.request(sessionId), streams).complete();
  }

  /**
   * Whether {@code token} accepts the session's token hash (or the one before) and the subject is
   * the session's, if it has one.
   */
  private static boolean claims(SessionRecord record, Predicate<String> token, String subject) {
    return (token.test(record.tokenHash()) || token.test(record.previousTokenHash()))
        && (record.subject() == null || record.subject().equals(subject));
  }

  /**
   * Another node resumes the session: if a connection of this node holds it, the connection lets it
   * go and is closed with 4001, as on a resume here. If that connection is newer than the resuming
   * one ({@code openOrder}), it keeps the session, and the record it answers makes the other resume
   * {@link ResumeResult.Superseded}; if the resume would fail from this node's record ({@code
   * claim}), it keeps it too, and the record it answers makes the other resume fail the same way,
   * as a resume here leaves the connection holding it alone until every check has passed.
   *
   * @return the session's record as it was, and whether it was let go, if this node held it
   */
  Optional<HandOver.Handed> handOver(
      String sessionId, long openOrder, ResumeClaim claim, long now) {
    if (!held.contains(sessionId)) {
      // no wait for the lock: a resume here may hold its stripe while it asks the other nodes,
      // this one's asker among them (a cycle only the asks' 2 s bound would break)
      return Optional.empty();
    }
    ClientSession current;
    Outbound previous;
    SessionRecord record;
    ReentrantLock lock = locks.of(sessionId);
    lock.lock();
    try {
      current = held.get(sessionId);
      if (current == null) {
        return Optional.empty();
      }
      record = current.record();
      if (openOrder < record.newestOwner() || !wouldResume(sessionId, record, claim)) {
        return Optional.of(new HandOver.Handed(records.toJson(record), false));
      }
      previous = letGo(current, now);
    } finally {
      lock.unlock();
    }
    if (previous != null) {
      previous.closeAsTakenOver();
    }
    return Optional.of(new HandOver.Handed(records.toJson(record), true));
  }

  /**
   * Forgets a session this node holds, and its connection lets it go. Under the session's lock.
   *
   * @return the sink that held it, if any
   */
  private Outbound letGo(ClientSession session, long now) {
    Outbound sink = session.release(now);
    held.forget(session);
    if (sink != null) {
      held.releaseConnection(sink.id(), session);
    }
    return sink;
  }

  /** Forgets the session a connection got at its open: it resumes another one instead. */
  private void forgetFresh(Outbound connection) {
    ClientSession fresh = held.releaseConnection(connection.id());
    if (fresh != null) {
      held.forget(fresh);
    }
  }
}
