package org.robustws.session;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;

/**
 * The records of resumable sessions, as JSON in the cache {@code ws/sessions}, which outlives
 * redeploys and restarts and, on a cluster, is replicated to every node. A record lives for twice
 * the resume grace period after its last write.
 *
 * <p>Only a resume writes a record unconditionally. Every other write (subscribe, detach, stop,
 * expiry) goes through {@link #update}, which locks the record cluster-wide and leaves it alone if
 * a resume on another node has made it newer (a new token) since this node took the session.
 */
final class SessionRecords {
  /** The detach time of a session expired early, at the cap: long enough ago for any grace. */
  private static final long EXPIRED_AT = 1;

  private final Cache<String, String> cache;
  private final Jsonb jsonb = JsonbBuilder.create();
  private final long lifespanMillis;

  SessionRecords(Cache<String, String> cache, long graceMillis) {
    this.cache = cache;
    this.lifespanMillis = 2 * graceMillis;
  }

  SessionRecord read(String sessionId) {
    String json = cache.get(sessionId);
    return json == null ? null : parse(json);
  }

  /** A resume's record: the session's newest. */
  void write(SessionRecord record) {
    cache.put(record.id(), toJson(record), lifespanMillis, TimeUnit.MILLISECONDS);
  }

  /** The record of a session this node holds, unless another node resumed it since. */
  void writeHeld(SessionRecord record) {
    update(
        record.id(),
        stored -> stored == null || stored.tokenHash().equals(record.tokenHash()) ? record : null);
  }

  /** Makes a detached session's record answer {@code expired}. */
  void expire(String sessionId) {
    update(
        sessionId,
        stored ->
            stored == null || stored.detachedAt() == 0
                ? null
                : new SessionRecord(
                    stored.id(),
                    stored.tokenHash(),
                    stored.previousTokenHash(),
                    stored.seq(),
                    stored.replayableFrom(),
                    stored.positions(),
                    stored.runs(),
                    EXPIRED_AT,
                    stored.newestOwner(),
                    stored.subject()));
  }

  /**
   * Reads the record under its lock and writes what {@code change} makes of it, in one batch.
   *
   * @param change given the stored record or null; returns the record to write, or null for none
   */
  private void update(String sessionId, UnaryOperator<SessionRecord> change) {
    boolean committed = false;
    cache.startBatch();
    try {
      AdvancedCache<String, String> batch = cache.getAdvancedCache();
      batch.lock(sessionId);
      String stored = batch.get(sessionId);
      SessionRecord next = change.apply(stored == null ? null : parse(stored));
      if (next != null) {
        batch.put(sessionId, toJson(next), lifespanMillis, TimeUnit.MILLISECONDS);
      }
      committed = true;
    } finally {
      cache.endBatch(committed);
    }
  }

  String toJson(SessionRecord record) {
    return jsonb.toJson(record);
  }

  SessionRecord parse(String json) {
    return jsonb.fromJson(json, SessionRecord.class);
  }
}
