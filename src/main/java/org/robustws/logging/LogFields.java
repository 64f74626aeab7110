package org.robustws.logging;

import org.jboss.logging.MDC;

/**
 * Structured fields for the log lines written while it is open: they go to the MDC, which WildFly's
 * JSON formatter writes as the {@code mdc} object of each line.
 *
 * <pre>{@code
 * try (LogFields f = LogFields.of("event", "RWS0001", "connectionId", id)) {
 *   WsLog.LOG.opened(...);
 * }
 * }</pre>
 */
public final class LogFields implements AutoCloseable {
  private final String[] keys;

  private LogFields(String[] keys) {
    this.keys = keys;
  }

  /**
   * @param pairs keys and values, alternating; {@code null} values are left out
   */
  public static LogFields of(Object... pairs) {
    String[] keys = new String[pairs.length / 2];
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      keys[i / 2] = (String) pairs[i];
      if (pairs[i + 1] != null) {
        MDC.put(keys[i / 2], String.valueOf(pairs[i + 1]));
      }
    }
    return new LogFields(keys);
  }

  @Override
  public void close() {
    for (String key : keys) {
      MDC.remove(key);
    }
  }
}
