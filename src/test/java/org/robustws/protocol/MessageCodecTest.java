package org.robustws.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {
  private static final MessageCodec CODEC = new MessageCodec();
  private static final Jsonb JSONB = JsonbBuilder.create();
  private static final JsonObject DATA =
      Json.createObjectBuilder()
          .add("price", 12.5)
          .add("tags", Json.createArrayBuilder().add("a"))
          .build();
  private static final JsonValue ID = Json.createValue("m-1");

  @AfterAll
  static void close() throws Exception {
    CODEC.close();
    JSONB.close();
  }

  @Test
  void everyServerMessageRoundTripsThroughJsonb() {
    ServerMessage.ClientConfig config =
        new ServerMessage.ClientConfig(
            25_000,
            60_000,
            65_536,
            new ServerMessage.ReconnectStrategy(1_000, 30_000, 1.5, 0.5, 10));
    List<ServerMessage> messages =
        List.of(
            ServerMessage.Connected.of("c-1", "s-1", "tok", 1_764_000_000_000L, config),
            ServerMessage.Shutdown.of(2_500),
            ServerMessage.Pong.of(Json.createValue(123), 456, "c-1"),
            ServerMessage.Echo.of(DATA),
            ServerMessage.Subscribed.of("news", ID),
            ServerMessage.Unsubscribed.of("news", null),
            ServerMessage.Ack.of(ID, "news", 3, 17, "e-1", false),
            ServerMessage.Ack.of(ID, "news", 0, 17, "e-1", true),
            ServerMessage.Event.of("news", DATA, 7, 3, "e-1", ID),
            ServerMessage.Broadcast.of(DATA, 9),
            ServerMessage.Direct.of(DATA, 9),
            ServerMessage.Resumed.of("s-1", "tok2", 4, 11, Map.of("news", new Position(3, "e-1"))),
            ServerMessage.ResumeFailed.of("gap", List.of("news")),
            ServerMessage.Error.of("unknown_type", "unknown message type 'x'", ID));
    for (ServerMessage message : messages) {
      String json = CODEC.encode(message);
      assertEquals(message.type(), parse(json).getString("type"), json);
      assertEquals(message, JSONB.fromJson(json, message.getClass()), json);
    }
  }

  @Test
  void anEchoIsWrittenExactlyAsJsonbWritesIt() {
    for (JsonValue payload :
        List.of(
            DATA,
            Json.createValue("héllo \"x\""),
            Json.createValue("tab\t, \\, \u0001, 😀, </script>"),
            Json.createArrayBuilder().add(1).add(Json.createObjectBuilder().add("k", "v")).build(),
            Json.createValue(1.5),
            JsonValue.NULL,
            JsonValue.TRUE)) {
      ServerMessage.Echo echo = ServerMessage.Echo.of(payload);
      assertEquals(JSONB.toJson(echo), CODEC.encode(echo));
    }
  }

  @Test
  void connectedHasTheShapeOfProtocolV1() {
    ServerMessage.ClientConfig config =
        new ServerMessage.ClientConfig(
            25_000,
            60_000,
            65_536,
            new ServerMessage.ReconnectStrategy(1_000, 30_000, 1.5, 0.5, 10));
    JsonObject json =
        parse(CODEC.encode(ServerMessage.Connected.of("c-1", "s-1", "tok", 5L, config)));
    assertEquals("system", json.getString("type"));
    assertEquals("connected", json.getString("event"));
    assertEquals(25_000, json.getJsonObject("config").getInt("heartbeatInterval"));
    assertEquals(
        10, json.getJsonObject("config").getJsonObject("reconnectStrategy").getInt("maxAttempts"));
  }

  @Test
  void optionalFieldsAreLeftOut() {
    JsonObject json = parse(CODEC.encode(ServerMessage.Error.of("internal", "x", null)));
    assertTrue(!json.containsKey("ref"), json::toString);
  }

  @Test
  void messageEchoAddsEchoToTheClientsObject() {
    JsonObject original = parse("{\"type\":\"message\",\"text\":\"hi\",\"n\":[1,2]}");
    JsonObject echoed = parse(CODEC.encode(new ServerMessage.MessageEcho(original)));
    assertEquals(Json.createObjectBuilder(original).add("echo", true).build(), echoed);
  }

  @Test
  void everyClientMessageRoundTripsThroughJsonb() throws ProtocolException {
    List<ClientMessage> messages =
        List.of(
            ClientMessage.Ping.of(Json.createValue(1_764_000_000_000L)),
            ClientMessage.Echo.of(DATA),
            ClientMessage.Subscribe.of("a.b:c-d_e", ID),
            ClientMessage.Unsubscribe.of("news", null),
            ClientMessage.Publish.of("news", DATA, ID),
            ClientMessage.Resume.of("s-1", "tok", 42),
            ClientMessage.Resume.of("s-1", "tok", 42, Map.of("a", new Position(5, "e-2"))),
            ClientMessage.Ack.of(42));
    for (ClientMessage message : messages) {
      String json = JSONB.toJson(message);
      assertEquals(message, CODEC.decode(json), json);
    }
    JsonObject free = parse("{\"type\":\"message\",\"anything\":{\"x\":1}}");
    assertEquals(new ClientMessage.Message(free), CODEC.decode(free.toString()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all               | invalid_format",
        "[1,2]                         | invalid_format",
        "{\"no\":\"type\"}             | invalid_format",
        "{\"type\":42}                 | invalid_format",
        "{\"type\":\"fly\"}            | unknown_type",
        "{\"type\":\"subscribe\"}      | invalid_channel",
        "{\"type\":\"subscribe\",\"channel\":\"bad channel\"} | invalid_channel",
        "{\"type\":\"publish\",\"channel\":\"\"} | invalid_channel",
        "{\"type\":\"ack\",\"seq\":-1} | invalid_format",
        "{\"type\":\"ack\",\"seq\":1.5} | invalid_format",
        "{\"type\":\"resume\",\"sessionId\":\"s\"} | invalid_format",
      })
  void refusesBadInputWithTheRightCode(String text, String code) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> CODEC.decode(text));
    assertEquals(code, e.code().wireValue());
  }

  /**
   * docs/protocol.md section 3, {@code resume}: each case is a resume that decodes with one field
   * replaced, so a check that went missing lets it through.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "lastSeq     | 17.0                                | 'lastSeq' must be a non-negative",
        "lastSeq     | -1                                  | 'lastSeq' must be a non-negative",
        "lastSeq     | '\"17\"'                            | 'lastSeq' must be a non-negative",
        "sessionId   | 42                                  | 'sessionId' must be a string",
        "resumeToken | null                                | 'resumeToken' must be a string",
        "positions   | []                                  | 'positions' must be an object",
        "positions   | '{\"a\":5}'                         | each of 'positions' must be",
        "positions   | '{\"a b\":{\"offset\":1,\"epoch\":\"e\"}}' | each of 'positions' must be",
        "positions   | '{\"a\":{\"offset\":1}}'            | each of 'positions' must be",
        "positions   | '{\"a\":{\"offset\":1,\"epoch\":7}}' | each of 'positions' must be",
        "positions   | '{\"a\":{\"offset\":1.5,\"epoch\":\"e\"}}' | 'offset' must be a non-negative",
        "positions   | '{\"a\":{\"offset\":-1,\"epoch\":\"e\"}}' | 'offset' must be a non-negative",
      })
  void refusesAResumeOfTheWrongShape(String field, String value, String message)
      throws ProtocolException {
    JsonObject valid =
        parse(
            "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"t\",\"lastSeq\":17,"
                + "\"positions\":{\"a\":{\"offset\":1,\"epoch\":\"e\"}},\"id\":\"r1\"}");
    assertEquals(
        ClientMessage.Resume.of("s", "t", 17, Map.of("a", new Position(1, "e"))),
        CODEC.decode(valid.toString()));
    String bad =
        Json.createObjectBuilder(valid)
            .add(field, Json.createReader(new StringReader(value)).readValue())
            .build()
            .toString();
    ProtocolException e = assertThrows(ProtocolException.class, () -> CODEC.decode(bad), bad);
    assertEquals("invalid_format", e.code().wireValue(), bad);
    assertTrue(e.getMessage().startsWith(message), bad + ": " + e.getMessage());
    assertEquals(Json.createValue("r1"), e.ref(), bad);
  }

  @Test
  void errorsReferToTheOffendingMessagesId() {
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> CODEC.decode("{\"type\":\"subscribe\",\"channel\":\"!\",\"id\":7}"));
    assertEquals(Json.createValue(7), e.ref());
    assertEquals(Json.createValue(7), parse(CODEC.encode(e.toMessage())).get("ref"));
  }

  @Test
  void channelNamesFollowTheProtocol() {
    assertTrue(Channels.isValid("a"));
    assertTrue(Channels.isValid("x".repeat(128)));
    assertTrue(!Channels.isValid("x".repeat(129)));
    assertTrue(!Channels.isValid("a/b"));
    assertTrue(!Channels.isValid(""));
  }

  @Test
  void legacyFrames() {
    assertEquals("pong", parse(CODEC.legacyPong(5)).getString("type"));
    assertEquals(5, parse(CODEC.legacyHeartbeat(5)).getInt("timestamp"));
  }

  private static JsonObject parse(String json) {
    return Json.createReader(new StringReader(json)).readObject();
  }
}
