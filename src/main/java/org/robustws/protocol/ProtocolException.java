package org.robustws.protocol;

import jakarta.json.JsonValue;

/** A client message the server refuses; becomes an {@code error} reply, the connection stays. */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient JsonValue ref;

  public ProtocolException(ErrorCode code, String message, JsonValue ref) {
    super(message, null, false, false);
    this.code = code;
    this.ref = ref;
  }

  public ErrorCode code() {
    return code;
  }

  /** The offending message's {@code id}, or {@code null}. */
  public JsonValue ref() {
    return ref;
  }

  public ServerMessage.Error toMessage() {
    return ServerMessage.Error.of(code.wireValue(), getMessage(), ref);
  }
}
