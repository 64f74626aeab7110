package org.robustws.connection;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;

/**
 * What a connection's {@link OutboundQueue} reports back: its frames sent (counted, logged at
 * DEBUG, told to the {@link TrafficListener}) and its send failures (counted; the first one
 * logged).
 */
final class Outgoing implements OutboundQueue.Listener {
  // one array rather than a LongAdder each (3 x 32 bytes): rarely contended, and held per
  // connection
  private static final int MESSAGES = 0;
  private static final int BYTES = 1;
  private static final int FAILURES = 2;
  private final AtomicLongArray counts = new AtomicLongArray(3);
  private final String connectionId;
  private final EndpointKind endpoint;
  private final TrafficListener traffic;
  private final Function<String, LogFields> logFields;

  /**
   * @param logFields the connection's log fields for an event id
   */
  Outgoing(
      String connectionId,
      EndpointKind endpoint,
      TrafficListener traffic,
      Function<String, LogFields> logFields) {
    this.connectionId = connectionId;
    this.endpoint = endpoint;
    this.traffic = traffic;
    this.logFields = logFields;
  }

  @Override
  public void sent(String type, int bytes) {
    counts.incrementAndGet(MESSAGES);
    counts.addAndGet(BYTES, bytes);
    traffic.sent(endpoint, type, bytes);
    if (WsLog.LOG.isDebugEnabled()) {
      try (LogFields f = logFields.apply("RWS0011")) {
        WsLog.LOG.messageOut(connectionId, type, bytes);
      }
    }
  }

  @Override
  public void failed(Throwable failure) {
    // only the first failure: a dead socket fails every frame still queued. A client that vanished
    // (I/O failure) is normal life, and thousands of them at once (a network blip) must not
    // serialise every thread on the log formatter with stack traces (bench/RESULTS.md, resume
    // storm); anything else is ours to fix.
    if (counts.get(FAILURES) == 0) {
      boolean io = failure instanceof IOException;
      try (LogFields f = logFields.apply(io ? "RWS0017" : "RWS0008")) {
        if (io) {
          WsLog.LOG.ioFailure(connectionId, failure);
        } else {
          WsLog.LOG.sendFailed(connectionId, failure);
        }
      }
    }
    counts.incrementAndGet(FAILURES);
    traffic.sendFailed(endpoint);
  }

  long messages() {
    return counts.get(MESSAGES);
  }

  long bytes() {
    return counts.get(BYTES);
  }

  long failures() {
    return counts.get(FAILURES);
  }
}
