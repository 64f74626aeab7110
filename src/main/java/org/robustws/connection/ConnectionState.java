package org.robustws.connection;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a connection. {@code DISCONNECTED} is final; {@code ERROR} can be reached from any
 * other state and still leads to {@code DISCONNECTED}, so a failed connection is always cleaned up.
 */
public enum ConnectionState {
  CONNECTING,
  CONNECTED,
  DISCONNECTING,
  DISCONNECTED,
  ERROR;

  /** Whether a connection in this state may move to {@code next}. */
  public boolean canMoveTo(ConnectionState next) {
    return allowedNext().contains(next);
  }

  private Set<ConnectionState> allowedNext() {
    return switch (this) {
      case CONNECTING -> EnumSet.of(CONNECTED, DISCONNECTING, DISCONNECTED, ERROR);
      case CONNECTED -> EnumSet.of(DISCONNECTING, DISCONNECTED, ERROR);
      case DISCONNECTING -> EnumSet.of(DISCONNECTED, ERROR);
      case ERROR -> EnumSet.of(DISCONNECTING, DISCONNECTED);
      case DISCONNECTED -> EnumSet.noneOf(ConnectionState.class);
    };
  }

  /** Wire and log form: {@code connected}, {@code error}, … */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
