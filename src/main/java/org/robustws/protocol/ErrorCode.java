package org.robustws.protocol;

/** Codes of the {@code error} message. The wire value is stable; see docs/protocol.md. */
public enum ErrorCode {
  /** Not JSON, not a JSON object, no string {@code type}, or a field of the wrong type. */
  INVALID_FORMAT("invalid_format"),
  UNKNOWN_TYPE("unknown_type"),
  INVALID_CHANNEL("invalid_channel"),
  NOT_SUBSCRIBED("not_subscribed"),
  RATE_LIMITED("rate_limited"),
  /** A known message sent when it is not allowed, e.g. {@code resume} after the first message. */
  INVALID_STATE("invalid_state"),
  /** A {@code subscribe} beyond {@code ws.max-subscriptions} channels of one session. */
  TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions"),
  /** Authentication is required and this connection has not authenticated yet. */
  UNAUTHENTICATED("unauthenticated"),
  /** The connection's identity may not subscribe to or publish on this channel. */
  FORBIDDEN("forbidden"),
  /** An {@code auth} message on a server that verifies no tokens. */
  AUTH_NOT_CONFIGURED("auth_not_configured"),
  INTERNAL("internal");

  private final String wireValue;

  ErrorCode(String wireValue) {
    this.wireValue = wireValue;
  }

  public String wireValue() {
    return wireValue;
  }
}
