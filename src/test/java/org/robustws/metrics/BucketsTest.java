package org.robustws.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BucketsTest {

  @Test
  void exportsCumulativeCountsPerUpperBound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Buckets buckets = new Buckets(registry, "t.buckets", Tags.of("type", "x"));
    buckets.record(0.0001);
    buckets.record(0.001); // on a bound: counts in that bucket (le = less or equal)
    buckets.record(0.003);
    buckets.record(1000);

    assertEquals(1, count(registry, "5.0E-4"));
    assertEquals(2, count(registry, "0.001"));
    assertEquals(2, count(registry, "0.0025"));
    assertEquals(3, count(registry, "0.005"));
    assertEquals(3, count(registry, "300.0"));
    assertEquals(4, count(registry, "+Inf"));
  }

  private static double count(SimpleMeterRegistry registry, String le) {
    return registry.get("t.buckets").tags("type", "x", "le", le).functionCounter().count();
  }
}
