package org.robustws.connection;

/**
 * A token bucket for one connection's messages: {@code perSecond} on average, {@code burst} at
 * once. Each refused message also costs a strike from a second bucket of {@code abuseLimit} strikes
 * that refills at a tenth of the message rate: a client that keeps sending well above the rate runs
 * out of strikes and counts as abusive, one that overshoots now and then never does. Used only from
 * the connection's message delivery, which the container runs one message at a time.
 */
public final class RateLimiter {
  /** What to do with one message. */
  public enum Verdict {
    ALLOW,
    REFUSE,
    ABUSE
  }

  private final double perMilli;
  private final int burst;
  private final int abuseLimit;
  private double tokens;
  private double strikes;
  private long lastRefill;

  RateLimiter(double perSecond, int burst, int abuseLimit, long now) {
    this.perMilli = perSecond / 1_000;
    this.burst = burst;
    this.abuseLimit = abuseLimit;
    this.tokens = burst;
    this.strikes = abuseLimit;
    this.lastRefill = now;
  }

  Verdict acquire(long now) {
    if (now > lastRefill) {
      long elapsed = now - lastRefill;
      tokens = Math.min(burst, tokens + elapsed * perMilli);
      strikes = Math.min(abuseLimit, strikes + elapsed * perMilli / 10);
      lastRefill = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.ALLOW;
    }
    strikes -= 1;
    return strikes < 0 ? Verdict.ABUSE : Verdict.REFUSE;
  }
}
