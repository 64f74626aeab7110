package org.robustws.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

  @Test
  void allowsTheBurstThenTheAverageRate() {
    RateLimiter limiter = new RateLimiter(100, 200, 1_000, 0);
    for (int i = 0; i < 200; i++) {
      assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(0), "message " + i);
    }
    assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(0));
    assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(10), "10 ms refill one token");
    assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(10));
    for (int i = 0; i < 200; i++) {
      assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(60_000), "refilled to the burst");
    }
    assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(60_000), "but never beyond it");
  }

  @Test
  void callsItAbuseWhenRefusalsOutpaceTheStrikes() {
    RateLimiter limiter = new RateLimiter(100, 1, 3, 0);
    assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(0));
    for (int i = 0; i < 3; i++) {
      assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(0), "strike " + i);
    }
    assertEquals(RateLimiter.Verdict.ABUSE, limiter.acquire(0));
  }

  @Test
  void forgivesOccasionalOvershoots() {
    RateLimiter limiter = new RateLimiter(100, 1, 3, 0);
    long now = 0;
    for (int second = 0; second < 60; second++) {
      // twice a second, two messages at once: one passes, one is refused
      for (int half = 0; half < 2; half++) {
        now += 500;
        assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(now));
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(now));
      }
    }
  }
}
