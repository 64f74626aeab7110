package org.robustws.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Every message a client may send on {@code /ws}. Like {@link ServerMessage}, each record carries
 * its wire {@code type} first so Java clients can write it with JSON-B. {@code id} fields are
 * optional and echoed back as {@code ref} in errors.
 */
public sealed interface ClientMessage {

  String type();

  record Ping(String type, JsonValue timestamp) implements ClientMessage {
    public static Ping of(JsonValue timestamp) {
      return new Ping("ping", timestamp);
    }
  }

  record Echo(String type, JsonValue payload) implements ClientMessage {
    public static Echo of(JsonValue payload) {
      return new Echo("echo", payload);
    }
  }

  /** The original system's free-form message: any object with {@code "type":"message"}. */
  record Message(JsonObject body) implements ClientMessage {
    @Override
    public String type() {
      return "message";
    }
  }

  record Subscribe(String type, String channel, JsonValue id) implements ClientMessage {
    public static Subscribe of(String channel, JsonValue id) {
      return new Subscribe("subscribe", channel, id);
    }
  }

  record Unsubscribe(String type, String channel, JsonValue id) implements ClientMessage {
    public static Unsubscribe of(String channel, JsonValue id) {
      return new Unsubscribe("unsubscribe", channel, id);
    }
  }

  record Publish(String type, String channel, JsonValue data, JsonValue id)
      implements ClientMessage {
    public static Publish of(String channel, JsonValue data, JsonValue id) {
      return new Publish("publish", channel, data, id);
    }
  }

  /**
   * {@code positions} (optional, empty if absent): the client's last processed offset in each
   * channel, so that it resumes exactly wherever the streams still hold what it needs.
   */
  record Resume(
      String type,
      String sessionId,
      String resumeToken,
      long lastSeq,
      java.util.Map<String, Position> positions)
      implements ClientMessage {
    public Resume {
      positions = positions == null ? java.util.Map.of() : java.util.Map.copyOf(positions);
    }

    public static Resume of(String sessionId, String resumeToken, long lastSeq) {
      return new Resume("resume", sessionId, resumeToken, lastSeq, null);
    }

    public static Resume of(
        String sessionId,
        String resumeToken,
        long lastSeq,
        java.util.Map<String, Position> positions) {
      return new Resume("resume", sessionId, resumeToken, lastSeq, positions);
    }
  }

  /**
   * Authenticates the connection with a signed token, or refreshes it (same {@code sub}). The token
   * is a secret: this record's {@code toString} leaves it out.
   */
  record Auth(String type, String token, JsonValue id) implements ClientMessage {
    public static Auth of(String token, JsonValue id) {
      return new Auth("auth", token, id);
    }

    @Override
    public String toString() {
      return "Auth[id=" + id + "]";
    }
  }

  record Ack(String type, long seq) implements ClientMessage {
    public static Ack of(long seq) {
      return new Ack("ack", seq);
    }
  }
}
