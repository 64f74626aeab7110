package org.robustws.protocol;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.Dependent;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;

/**
 * Text frames to messages and back. Reads with JSON-P so that each fault gets its precise error
 * code; writes with JSON-B. Thread-safe. {@code @Dependent}, so the calls for every message go
 * without a client proxy.
 */
@Dependent
public class MessageCodec implements AutoCloseable {
  /** More channels than a session may subscribe to by default is no valid resume. */
  private static final int MAX_POSITIONS = 1000;

  private final JsonProvider json = JsonProvider.provider();
  private final Jsonb jsonb = JsonbBuilder.create();

  /** Parses one {@code /ws} text frame. */
  public ClientMessage decode(String text) throws ProtocolException {
    JsonObject object = parseObject(text);
    JsonValue id = object.get("id");
    if (!(object.get("type") instanceof JsonString type)) {
      throw new ProtocolException(
          ErrorCode.INVALID_FORMAT, "message has no string field 'type'", id);
    }
    return switch (type.getString()) {
      case "ping" -> ClientMessage.Ping.of(object.get("timestamp"));
      case "echo" -> ClientMessage.Echo.of(object.getOrDefault("payload", JsonValue.NULL));
      case "message" -> new ClientMessage.Message(object);
      case "subscribe" -> ClientMessage.Subscribe.of(channel(object, id), id);
      case "unsubscribe" -> ClientMessage.Unsubscribe.of(channel(object, id), id);
      case "publish" ->
          ClientMessage.Publish.of(
              channel(object, id), object.getOrDefault("data", JsonValue.NULL), id);
      case "resume" ->
          ClientMessage.Resume.of(
              string(object, "sessionId", id),
              string(object, "resumeToken", id),
              sequence(object, "lastSeq", id),
              positions(object, id));
      case "ack" -> ClientMessage.Ack.of(sequence(object, "seq", id));
      case "auth" -> ClientMessage.Auth.of(string(object, "token", id), id);
      default ->
          throw new ProtocolException(
              ErrorCode.UNKNOWN_TYPE, "unknown message type '" + abbreviate(type) + "'", id);
    };
  }

  /** Parses a frame as a JSON object, or returns {@code null} if it is not one. */
  public JsonObject tryParseObject(String text) {
    try {
      return parseObject(text);
    } catch (ProtocolException e) {
      return null;
    }
  }

  public String encode(ServerMessage message) {
    if (message instanceof ServerMessage.MessageEcho echo) {
      return json.createObjectBuilder(echo.message()).add("echo", true).build().toString();
    }
    if (message instanceof ServerMessage.Echo echo) {
      // the commonest reply, written without JSON-B's per-call context or an object builder
      // (bench/RESULTS.md); the same bytes as JSON-B writes: properties in lexicographic order, the
      // payload as JSON-P writes any value
      return "{\"payload\":" + echo.payload() + ",\"type\":\"" + echo.type() + "\"}";
    }
    return jsonb.toJson(message);
  }

  /** {@code /ws-legacy}'s answer to a ping. */
  public String legacyPong(long serverTime) {
    return "{\"type\":\"pong\",\"timestamp\":" + serverTime + "}";
  }

  /** {@code /ws-legacy}'s heartbeat, sent every heartbeat interval. */
  public String legacyHeartbeat(long serverTime) {
    return "{\"type\":\"heartbeat\",\"timestamp\":" + serverTime + "}";
  }

  @Override
  @PreDestroy
  public void close() {
    try {
      jsonb.close();
    } catch (Exception e) {
      // nothing is held that outlives the application
    }
  }

  private JsonObject parseObject(String text) throws ProtocolException {
    JsonValue value;
    try (JsonReader reader = json.createReader(new StringReader(text))) {
      value = reader.readValue();
    } catch (JsonException | IllegalStateException e) {
      throw new ProtocolException(ErrorCode.INVALID_FORMAT, "not valid JSON", null);
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new ProtocolException(ErrorCode.INVALID_FORMAT, "message is not a JSON object", null);
  }

  private static String channel(JsonObject object, JsonValue id) throws ProtocolException {
    JsonValue value = object.get("channel");
    if (value instanceof JsonString s && Channels.isValid(s.getString())) {
      return s.getString();
    }
    throw new ProtocolException(
        ErrorCode.INVALID_CHANNEL, "'channel' must be 1-128 characters of [A-Za-z0-9._:-]", id);
  }

  private static String string(JsonObject object, String field, JsonValue id)
      throws ProtocolException {
    if (object.get(field) instanceof JsonString s) {
      return s.getString();
    }
    throw new ProtocolException(ErrorCode.INVALID_FORMAT, "'" + field + "' must be a string", id);
  }

  private static long sequence(JsonObject object, String field, JsonValue id)
      throws ProtocolException {
    if (object.get(field) instanceof JsonNumber n && n.isIntegral() && n.longValue() >= 0) {
      return n.longValue();
    }
    throw new ProtocolException(
        ErrorCode.INVALID_FORMAT, "'" + field + "' must be a non-negative integer", id);
  }

  /** {@code resume.positions}: absent, or an object of channel → {offset, epoch}. */
  private static Map<String, Position> positions(JsonObject object, JsonValue id)
      throws ProtocolException {
    JsonValue value = object.get("positions");
    if (value == null || value == JsonValue.NULL) {
      return Map.of();
    }
    if (!(value instanceof JsonObject map) || map.size() > MAX_POSITIONS) {
      throw new ProtocolException(
          ErrorCode.INVALID_FORMAT,
          "'positions' must be an object of at most " + MAX_POSITIONS + " channels",
          id);
    }
    Map<String, Position> positions = new HashMap<>();
    for (Map.Entry<String, JsonValue> entry : map.entrySet()) {
      if (!Channels.isValid(entry.getKey())
          || !(entry.getValue() instanceof JsonObject position)
          || !(position.get("epoch") instanceof JsonString epoch)) {
        throw new ProtocolException(
            ErrorCode.INVALID_FORMAT,
            "each of 'positions' must be a channel name with {\"offset\":n,\"epoch\":\"...\"}",
            id);
      }
      positions.put(
          entry.getKey(), new Position(sequence(position, "offset", id), epoch.getString()));
    }
    return positions;
  }

  private static String abbreviate(JsonString type) {
    String s = type.getString();
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
