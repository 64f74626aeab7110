package org.robustws.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cumulative histogram buckets, exported as counters with an {@code le} label so that {@code
 * histogram_quantile} works on them. WildFly 39 gives applications no way to publish a Micrometer
 * timer with a histogram (builders and meter filters do not reach its registry), so the buckets are
 * counted here, next to the timer that keeps count, sum and max.
 */
final class Buckets {
  /** Upper bounds in seconds: 1 ms to 5 min, covering message handling, RTT and lifetimes. */
  private static final double[] BOUNDS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
  };

  /** counts[i]: observations in (BOUNDS[i-1], BOUNDS[i]]; the last one above every bound. */
  private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];

  /** Registers {@code name} (exported as {@code name_total{le=...}}) with these tags. */
  Buckets(MeterRegistry registry, String name, Tags tags) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
    for (int i = 0; i < counts.length; i++) {
      String le = i < BOUNDS.length ? Double.toString(BOUNDS[i]) : "+Inf";
      int upTo = i;
      // one increment per observation on the hot path; the cumulative sum only when scraped
      registry.more().counter(name, tags.and("le", le), this, b -> b.cumulative(upTo));
    }
  }

  void record(double seconds) {
    int i = 0;
    while (i < BOUNDS.length && seconds > BOUNDS[i]) {
      i++;
    }
    counts[i].increment();
  }

  private double cumulative(int upTo) {
    long sum = 0;
    for (int i = 0; i <= upTo; i++) {
      sum += counts[i].sum();
    }
    return sum;
  }
}
