package org.robustws.connection;

/** The two endpoints; {@link #label()} is the bounded value used in logs and metrics. */
public enum EndpointKind {
  WS("ws"),
  LEGACY("legacy");

  private final String label;

  EndpointKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
