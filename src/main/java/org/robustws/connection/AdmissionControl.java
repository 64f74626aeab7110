package org.robustws.connection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection caps, in all and per client address. A place is reserved atomically when a connection
 * opens and given back when it closes, so concurrent handshakes cannot overshoot.
 */
final class AdmissionControl {
  private final AtomicInteger admitted = new AtomicInteger();
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final int maxConnections;
  private final int maxPerAddress;

  AdmissionControl(int maxConnections, int maxPerAddress) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
  }

  int capacity() {
    return maxConnections;
  }

  /** Whether every place is taken. */
  boolean full() {
    return admitted.get() >= maxConnections;
  }

  /** Reserves nothing: for refusing a handshake early, before the upgrade. */
  Admission check(String address) {
    if (full()) {
      return Admission.FULL;
    }
    return perAddress.getOrDefault(address, 0) >= maxPerAddress
        ? Admission.ADDRESS_FULL
        : Admission.OPEN;
  }

  /** Reserves a place, or says why there is none. */
  Admission admit(String address) {
    if (admitted.incrementAndGet() > maxConnections) {
      admitted.decrementAndGet();
      return Admission.FULL;
    }
    boolean[] room = {true};
    perAddress.compute(
        address,
        (key, count) -> {
          int current = count == null ? 0 : count;
          room[0] = current < maxPerAddress;
          return room[0] ? current + 1 : count;
        });
    if (!room[0]) {
      admitted.decrementAndGet();
      return Admission.ADDRESS_FULL;
    }
    return Admission.OPEN;
  }

  /** Gives back the place of a connection that was admitted. */
  void release(String address) {
    admitted.decrementAndGet();
    perAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }
}
