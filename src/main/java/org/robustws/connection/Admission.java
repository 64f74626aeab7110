package org.robustws.connection;

/** Whether a new connection may open, and if not why. */
public enum Admission {
  OPEN("open"),
  DRAINING("server restarting"),
  FULL("server at capacity"),
  ADDRESS_FULL("too many connections from this address");

  private final String reason;

  Admission(String reason) {
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
