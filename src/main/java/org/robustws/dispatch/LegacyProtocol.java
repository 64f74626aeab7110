package org.robustws.dispatch;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.ByteBuffer;
import org.robustws.connection.Connection;
import org.robustws.protocol.MessageCodec;

/**
 * What {@code /ws-legacy} does (docs/protocol.md section 12): a JSON object with {@code
 * "type":"ping"} gets a {@code pong}, every other text or binary frame comes back unchanged.
 */
final class LegacyProtocol {
  private final MessageCodec codec;

  LegacyProtocol(MessageCodec codec) {
    this.codec = codec;
  }

  /** The protocol type of a text frame, for metrics and logs: {@code ping} or {@code text}. */
  String typeOf(String text) {
    JsonObject object = codec.tryParseObject(text);
    return object != null
            && object.get("type") instanceof JsonString type
            && "ping".equals(type.getString())
        ? "ping"
        : "text";
  }

  void handleText(Connection connection, String text, String type, long now) {
    if ("ping".equals(type)) {
      connection.offer("pong", codec.legacyPong(now));
    } else {
      connection.offer("text", text);
    }
  }

  void handleBinary(Connection connection, ByteBuffer data) {
    connection.offerBinary(data);
  }
}
