package org.robustws.connection;

/** The two endpoints; {@link #label()} is the bounded value used in logs and metrics. */
public enum EndpointKind {
  WS("ws", "/ws"),
  LEGACY("legacy", "/ws-legacy");

  private final String label;
  private final String path;

  EndpointKind(String label, String path) {
    this.label = label;
    this.path = path;
  }

  public String label() {
    return label;
  }

  public String path() {
    return path;
  }
}
