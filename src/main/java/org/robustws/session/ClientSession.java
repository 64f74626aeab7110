package org.robustws.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.robustws.protocol.Publication;

/**
 * A client's session: its subscriptions, its event counter and the events it may still need. It
 * outlives its connection by the resume grace period, so a client that reconnects gets every event
 * exactly once, in order.
 *
 * <p>Assigning a {@code seq} and queueing the frame happen under the session's lock, which is why
 * frames reach the client in {@code seq} order. The lock is never held while waiting for the
 * network: sinks only queue.
 */
public final class ClientSession {
  private final String id;
  private final Set<String> channels = ConcurrentHashMap.newKeySet();
  private final ReplayBuffer replay;
  private final Tokens tokens;
  private String resumeToken;
  // the token of the last successful resume: its client may have lost the connection before the
  // new token (in `resumed`) reached it, so it may resume with this one once more
  private String lastUsedToken;
  private long seq;
  private EventSink sink;
  // the openOrder of the newest connection that held this session
  private long newestOwner;
  // a new session counts as detached since its creation until its first connection attaches: the
  // heartbeat's expiry sweep may run in between, and must not take it for detached since 1970
  private long detachedAt;

  ClientSession(String id, Tokens tokens, int bufferEvents, long bufferBytes, long createdAt) {
    this.id = id;
    this.detachedAt = createdAt;
    this.tokens = tokens;
    this.replay = new ReplayBuffer(bufferEvents, bufferBytes);
    this.resumeToken = tokens.next("", 24);
  }

  public String id() {
    return id;
  }

  public synchronized String resumeToken() {
    return resumeToken;
  }

  public synchronized long lastSeq() {
    return seq;
  }

  /** A live view of the channels this session is subscribed to. */
  public Set<String> channels() {
    return channels;
  }

  /** Attaches the connection that created this session. */
  public synchronized void attach(EventSink newSink) {
    this.sink = newSink;
    this.newestOwner = newSink.openOrder();
  }

  /** Detaches {@code oldSink} if it is still the attached one; starts the grace period. */
  public synchronized void detach(EventSink oldSink, long now) {
    if (sink == oldSink) {
      sink = null;
      detachedAt = now;
    }
  }

  /**
   * Numbers the publication for this session, keeps it for replay and queues it to the attached
   * connection, if any.
   */
  public synchronized void deliver(Publication publication) {
    seq++;
    String frame = publication.frame(seq);
    replay.add(seq, frame, publication.approximateBytes());
    if (sink != null) {
      sink.offer("event", frame);
    }
  }

  public synchronized void acknowledge(long ackedSeq) {
    replay.acknowledge(Math.min(ackedSeq, seq));
  }

  synchronized boolean isExpired(long now, long graceMillis) {
    return sink == null && now - detachedAt > graceMillis;
  }

  /**
   * Moves this session to a new connection if the token matches, no newer connection has held the
   * session, it has not expired, and every event after {@code lastSeq} is still buffered. The
   * missed events and then the frame made by {@code resumedFrame} are queued to the new sink before
   * any newer event can be.
   */
  public synchronized ResumeResult resume(
      String token,
      long lastSeq,
      EventSink newSink,
      long now,
      long graceMillis,
      ResumedFrame resumedFrame) {
    boolean current = Tokens.matches(resumeToken, token);
    if (!current && !(lastUsedToken != null && Tokens.matches(lastUsedToken, token))) {
      return new ResumeResult.Failed(ResumeResult.Reason.INVALID_TOKEN);
    }
    if (newSink.openOrder() < newestOwner) {
      // The server read this request late: the client had already given up on its connection
      // (reset sockets are read to the end first) and resumed on a newer one. Taking the session
      // back would cut the live connection off and spend the token the client holds.
      return new ResumeResult.Superseded();
    }
    if (isExpired(now, graceMillis)) {
      return new ResumeResult.Failed(ResumeResult.Reason.EXPIRED);
    }
    if (!replay.covers(lastSeq, seq)) {
      return new ResumeResult.Failed(ResumeResult.Reason.GAP);
    }
    EventSink previous = sink;
    sink = newSink;
    newestOwner = newSink.openOrder();
    lastUsedToken = token;
    resumeToken = tokens.next("", 24);
    int replayed = 0;
    for (String frame : replay.framesAfter(lastSeq)) {
      newSink.replay("event", frame);
      replayed++;
    }
    replay.acknowledge(lastSeq);
    newSink.replay("resumed", resumedFrame.encode(id, resumeToken, replayed, seq));
    return new ResumeResult.Resumed(this, replayed, previous);
  }

  /** Makes the {@code resumed} frame, which must follow the replayed events. */
  @FunctionalInterface
  public interface ResumedFrame {
    String encode(String sessionId, String resumeToken, int replayed, long lastSeq);
  }
}
