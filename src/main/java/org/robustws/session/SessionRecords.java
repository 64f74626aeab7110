package org.robustws.session;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.distribution.DistributionManager;

/**
 * The records of resumable sessions, as JSON in the cache {@code ws/sessions}, which outlives
 * redeploys and restarts and, on a cluster, is replicated to every node. A detached session's
 * record lives for twice the resume grace period after its last write, a held one's for at least
 * {@link #HELD_LIFESPAN_MS}.
 *
 * <p>Only a resume gives a record a new token. Every write goes through {@link #update}, a
 * conditional write that leaves the record alone if a resume on another node has given it a newer
 * token since this node read it. The cache is not transactional, on one node or a cluster: a
 * conditional write is atomic on the record's primary owner.
 */
final class SessionRecords {
  /** The detach time of a session expired early, at the cap: long enough ago for any grace. */
  private static final long EXPIRED_AT = 1;

  /**
   * The least lifespan of a held session's record: {@link SessionStore#refreshRecords} rewrites
   * each one every half of it, so it outlives its session's connection, however long, and a crash
   * of the node leaves it for a resume elsewhere; one left by a crash expires within an hour.
   */
  static final long HELD_LIFESPAN_MS = 60 * 60_000;

  /** Conditional writes tried before {@link #update} gives up: one node writes a record at once. */
  static final int MAX_ATTEMPTS = 100;

  /**
   * Ids drawn at most for a new session's (on three nodes one new session in 430,000 draws them
   * all).
   */
  private static final int ID_DRAWS = 32;

  private final Cache<String, String> cache;
  private final Jsonb jsonb = JsonbBuilder.create();
  private final long detachedLifespanMillis;
  private final long heldLifespanMillis;

  SessionRecords(Cache<String, String> cache, long graceMillis) {
    this.cache = cache;
    this.detachedLifespanMillis = 2 * graceMillis;
    this.heldLifespanMillis = Math.max(detachedLifespanMillis, HELD_LIFESPAN_MS);
  }

  /**
   * A new session's id, drawn from {@code ids} until this node is the primary owner of its record,
   * as Infinispan's KeyAffinityService finds keys (without its thread and queue). A record's
   * conditional write is decided by its primary owner: made there, it goes to the other copies at
   * once (four messages on three nodes); made elsewhere, it goes to the primary first, which writes
   * the copies and answers (six). A session's writes are made where a connection holds it, here
   * until it resumes elsewhere. Three draws on average on three nodes, one without a cluster.
   */
  String newId(Supplier<String> ids) {
    AdvancedCache<String, String> advanced = cache.getAdvancedCache();
    DistributionManager distribution = advanced.getDistributionManager();
    String id = ids.get();
    for (int draw = 1; distribution != null && draw < ID_DRAWS; draw++) {
      Object key = advanced.getKeyDataConversion().toStorage(id);
      if (distribution.getCacheTopology().getDistribution(key).isPrimary()) {
        break;
      }
      id = ids.get();
    }
    return id;
  }

  /** How long the cache keeps a record after this write of it. */
  long lifespanOf(SessionRecord record) {
    return record.detachedAt() == 0 ? heldLifespanMillis : detachedLifespanMillis;
  }

  SessionRecord read(String sessionId) {
    String json = cache.get(sessionId);
    return json == null ? null : parse(json);
  }

  /**
   * A resume's record, with its new token, unless another resume has given the stored record a
   * token other than {@code basisTokenHash}, the one of the record the resume started from.
   *
   * @return false if the other resume wrote first: that one keeps the session
   */
  boolean writeResumed(SessionRecord record, String basisTokenHash) {
    return update(
        record.id(),
        stored -> stored == null || stored.tokenHash().equals(basisTokenHash) ? record : null);
  }

  /** The record of a session this node holds, unless another node resumed it since. */
  void writeHeld(SessionRecord record) {
    update(
        record.id(),
        stored -> stored == null || stored.tokenHash().equals(record.tokenHash()) ? record : null);
  }

  /**
   * Makes a detached session's record answer {@code expired}, if its token is still the one of hash
   * {@code tokenHash}.
   */
  void expire(String sessionId, String tokenHash) {
    update(
        sessionId,
        stored ->
            stored == null || stored.detachedAt() == 0 || !stored.tokenHash().equals(tokenHash)
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
   * Writes what {@code change} makes of the stored record, if the stored record is still the one it
   * was given when the write happens (a conditional write, atomic on the record's primary owner);
   * else gives it the newer one and tries again.
   *
   * <p>A read is local and a conditional write is decided by the primary owner. After a split and a
   * merge a node's copy can differ from the primary's (it holds a record the primary has not, or an
   * older one) until the next write replaces it: a conditional write made from that copy fails
   * however often it is tried. So when one fails and the local copy has not changed, the next try
   * is a putIfAbsent, which the primary answers with its own record.
   *
   * @param change given the stored record or null; returns the record to write, or null for none
   * @return false if {@code change} wrote none
   * @throws IllegalStateException if the record changed under every one of {@link #MAX_ATTEMPTS}
   */
  private boolean update(String sessionId, UnaryOperator<SessionRecord> change) {
    String stored = cache.get(sessionId);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      SessionRecord next = change.apply(stored == null ? null : parse(stored));
      if (next == null) {
        return false;
      }
      String json = toJson(next);
      long lifespan = lifespanOf(next);
      if (stored == null) {
        stored = cache.putIfAbsent(sessionId, json, lifespan, TimeUnit.MILLISECONDS);
        if (stored == null) {
          return true;
        }
      } else if (cache.replace(sessionId, stored, json, lifespan, TimeUnit.MILLISECONDS)) {
        return true;
      } else {
        String local = cache.get(sessionId);
        stored = stored.equals(local) ? null : local; // unchanged: the primary's is another
      }
    }
    throw new IllegalStateException(
        "the record of " + sessionId + " changed under " + MAX_ATTEMPTS + " writes in a row");
  }

  String toJson(SessionRecord record) {
    return jsonb.toJson(record);
  }

  SessionRecord parse(String json) {
    return jsonb.fromJson(json, SessionRecord.class);
  }
}
