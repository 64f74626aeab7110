package org.robustws.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.robustws.stream.StreamPosition;

/**
 * What a resume needs of a session, as stored in the cache {@code ws/sessions}: never a live
 * connection, never an event (those are in the channel streams). Written on subscribe, unsubscribe,
 * resume and detach, never per delivered event.
 *
 * @param tokenHash hash of the current resume token ({@link Tokens#hash})
 * @param previousTokenHash hash of the token the last successful resume used, or {@code null}
 * @param seq the last {@code seq} given to an event of this session
 * @param replayableFrom the lowest {@code lastSeq} a resume without positions can start from:
 *     {@code runs} cover every {@code seq} after it
 * @param positions each subscribed channel and the last offset this session was given of it (at
 *     first, where the subscription took effect)
 * @param runs which channel offsets the {@code seq}s after {@code replayableFrom} were, oldest
 *     first
 * @param detachedAt when its last connection closed (epoch ms), 0 while a connection holds it
 * @param newestOwner the open order of the newest connection that held it
 * @param subject the {@code sub} of the identity it belongs to, or {@code null} for a session of
 *     connections that did not authenticate; only a connection of the same subject resumes it
 */
public record SessionRecord(
    String id,
    String tokenHash,
    String previousTokenHash,
    long seq,
    long replayableFrom,
    Map<String, StreamPosition> positions,
    List<Run> runs,
    long detachedAt,
    long newestOwner,
    String subject) {

  public SessionRecord {
    positions = Map.copyOf(positions);
    runs = List.copyOf(runs);
  }

  /**
   * This record brought up to what its client says it processed, for a record older than the
   * client's {@code lastSeq}: a server killed after it delivered events it had not recorded. The
   * client's positions become the session's, its {@code lastSeq} the session's last {@code seq}.
   *
   * @return null if {@code positions} miss one of the session's channels: where the client stands
   *     there is unknown
   */
  SessionRecord caughtUp(long lastSeq, Map<String, StreamPosition> clientPositions) {
    if (!clientPositions.keySet().containsAll(positions.keySet())) {
      return null;
    }
    Map<String, StreamPosition> now = new HashMap<>(positions);
    now.replaceAll((channel, recorded) -> clientPositions.get(channel));
    return new SessionRecord(
        id,
        tokenHash,
        previousTokenHash,
        lastSeq,
        lastSeq,
        now,
        List.of(),
        detachedAt,
        newestOwner,
        subject);
  }

  /**
   * This record taken by a resume: the new token, the one used before it, the resuming connection's
   * open order, held (not detached) and, if it had none, the resuming identity's subject. Where the
   * session stands is unchanged: the resume's replay is recorded with the next write.
   */
  SessionRecord resumedBy(
      String newTokenHash, String usedTokenHash, long openOrder, String claimant) {
    return new SessionRecord(
        id,
        newTokenHash,
        usedTokenHash,
        seq,
        replayableFrom,
        positions,
        runs,
        0,
        openOrder,
        subject != null ? subject : claimant);
  }

  /** This record without the channels {@code gone}: their positions and their runs. */
  SessionRecord without(Set<String> gone) {
    if (gone.isEmpty()) {
      return this;
    }
    Map<String, StreamPosition> kept = new HashMap<>(positions);
    kept.keySet().removeAll(gone);
    return new SessionRecord(
        id,
        tokenHash,
        previousTokenHash,
        seq,
        replayableFrom,
        kept,
        runs.stream().filter(run -> !gone.contains(run.channel())).toList(),
        detachedAt,
        newestOwner,
        subject);
  }

  /**
   * {@code count} consecutive {@code seq}s from {@code firstSeq} that were consecutive offsets of
   * one channel from {@code firstOffset}, in one epoch: a subscriber of one channel needs one run.
   */
  public record Run(String channel, String epoch, long firstSeq, long firstOffset, int count) {
    public long lastSeq() {
      return firstSeq + count - 1;
    }
  }
}
