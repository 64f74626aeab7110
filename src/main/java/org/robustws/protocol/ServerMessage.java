package org.robustws.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * Every message the server sends on {@code /ws}. Each record carries its wire {@code type} as its
 * first component so that JSON-B writes and reads it like any other field; the {@code of} factories
 * fill it in. Optional fields are {@code null} and left out of the JSON.
 */
public sealed interface ServerMessage {

  String type();

  /**
   * {@code system/connected}: the first frame of every connection. {@code sub} and {@code
   * expiresAt} only for a connection that authenticated on its upgrade request ({@code
   * Authorization: Bearer}).
   */
  record Connected(
      String type,
      String event,
      String clientId,
      String sessionId,
      String resumeToken,
      long serverTime,
      ClientConfig config,
      String sub,
      Long expiresAt)
      implements ServerMessage {
    public static Connected of(
        String clientId,
        String sessionId,
        String resumeToken,
        long serverTime,
        ClientConfig config) {
      return new Connected(
          "system", "connected", clientId, sessionId, resumeToken, serverTime, config, null, null);
    }

    /** The same, naming the identity the connection authenticated as. */
    public Connected as(String subject, long expiresAtMillis) {
      return new Connected(
          type,
          event,
          clientId,
          sessionId,
          resumeToken,
          serverTime,
          config,
          subject,
          expiresAtMillis);
    }
  }

  /** Answers a valid {@code auth}: who the connection is now, and until when (epoch ms). */
  record Authenticated(String type, JsonValue id, String sub, long expiresAt)
      implements ServerMessage {
    public static Authenticated of(JsonValue id, String sub, long expiresAt) {
      return new Authenticated("authenticated", id, sub, expiresAt);
    }
  }

  /** {@code system/shutdown}: sent before a close with 1012; reconnect after the given delay. */
  record Shutdown(String type, String event, long reconnectAfter) implements ServerMessage {
    public static Shutdown of(long reconnectAfter) {
      return new Shutdown("system", "shutdown", reconnectAfter);
    }
  }

  /** The {@code config} object of {@code system/connected}. */
  record ClientConfig(
      long heartbeatInterval,
      long heartbeatTimeout,
      int maxMessageBytes,
      ReconnectStrategy reconnectStrategy) {}

  /** How clients should back off between reconnect attempts. */
  record ReconnectStrategy(
      long initialDelay, long maxDelay, double multiplier, double jitter, int maxAttempts) {}

  record Pong(String type, JsonValue timestamp, long serverTime, String clientId)
      implements ServerMessage {
    public static Pong of(JsonValue timestamp, long serverTime, String clientId) {
      return new Pong("pong", timestamp, serverTime, clientId);
    }
  }

  record Echo(String type, JsonValue payload) implements ServerMessage {
    public static Echo of(JsonValue payload) {
      return new Echo("echo", payload);
    }
  }

  /**
   * The answer to a {@code message}: the client's own object with {@code "echo":true} added. Its
   * fields are the client's, so it is written as that object, not as a record.
   */
  record MessageEcho(JsonObject message) implements ServerMessage {
    @Override
    public String type() {
      return "message";
    }
  }

  record Subscribed(String type, String channel, JsonValue id) implements ServerMessage {
    public static Subscribed of(String channel, JsonValue id) {
      return new Subscribed("subscribed", channel, id);
    }
  }

  /**
   * {@code reason} only when the server ended the subscription itself: {@code forbidden}, the
   * connection's identity may no longer read the channel.
   */
  record Unsubscribed(String type, String channel, JsonValue id, String reason)
      implements ServerMessage {
    public static Unsubscribed of(String channel, JsonValue id) {
      return new Unsubscribed("unsubscribed", channel, id, null);
    }

    public static Unsubscribed forbidden(String channel) {
      return new Unsubscribed("unsubscribed", channel, null, "forbidden");
    }
  }

  /**
   * The answer to a {@code publish}: where its event went in the channel's stream ({@code offset},
   * {@code epoch}) and how many sessions got it. {@code repeated} (true, or absent) says an earlier
   * publication of the session with the same {@code id} put it there, and it was not delivered
   * again ({@code delivered} 0).
   */
  record Ack(
      String type,
      JsonValue id,
      String channel,
      int delivered,
      long offset,
      String epoch,
      Boolean repeated)
      implements ServerMessage {
    public static Ack of(
        JsonValue id, String channel, int delivered, long offset, String epoch, boolean repeated) {
      return new Ack("ack", id, channel, delivered, offset, epoch, repeated ? Boolean.TRUE : null);
    }
  }

  /**
   * A publication on a channel. {@code seq} is per session: 1, 2, 3, … without gaps; {@code offset}
   * and {@code epoch} place it in its channel's stream. The server writes these frames from {@code
   * org.robustws.stream.StreamEntry}; this record documents them and lets Java clients read them.
   */
  record Event(
      String type,
      String channel,
      JsonValue data,
      long seq,
      long offset,
      String epoch,
      JsonValue id)
      implements ServerMessage {
    public static Event of(
        String channel, JsonValue data, long seq, long offset, String epoch, JsonValue id) {
      return new Event("event", channel, data, seq, offset, epoch, id);
    }
  }

  /** Sent to every connection of both endpoints by a broadcast to all; not replayable. */
  record Broadcast(String type, JsonValue data, long serverTime) implements ServerMessage {
    public static Broadcast of(JsonValue data, long serverTime) {
      return new Broadcast("broadcast", data, serverTime);
    }
  }

  /** Sent to one connection by the server-side API; not replayable. */
  record Direct(String type, JsonValue data, long serverTime) implements ServerMessage {
    public static Direct of(JsonValue data, long serverTime) {
      return new Direct("direct", data, serverTime);
    }
  }

  /**
   * {@code positions}: where the session stands in each subscribed channel after the replay, the
   * same as the last {@code event} of each channel says.
   */
  record Resumed(
      String type,
      String sessionId,
      String resumeToken,
      int replayed,
      long lastSeq,
      Map<String, Position> positions)
      implements ServerMessage {
    public static Resumed of(
        String sessionId,
        String resumeToken,
        int replayed,
        long lastSeq,
        Map<String, Position> positions) {
      return new Resumed("resumed", sessionId, resumeToken, replayed, lastSeq, positions);
    }
  }

  /**
   * {@code reason}: {@code unknown}, {@code expired}, {@code gap} or {@code invalid_token}; for
   * {@code gap}, {@code channels} names those whose history no longer holds what was missed.
   */
  record ResumeFailed(String type, String reason, List<String> channels) implements ServerMessage {
    public static ResumeFailed of(String reason, List<String> channels) {
      return new ResumeFailed("resume_failed", reason, channels.isEmpty() ? null : channels);
    }
  }

  record Error(String type, String error, String message, JsonValue ref) implements ServerMessage {
    public static Error of(String error, String message, JsonValue ref) {
      return new Error("error", error, message, ref);
    }
  }
}
