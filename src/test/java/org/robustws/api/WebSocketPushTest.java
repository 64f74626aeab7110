package org.robustws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.EndpointKind;
import org.robustws.testing.MutableClock;
import org.robustws.testing.RecordingTransport;
import org.robustws.testing.TestNode;

/**
 * The server-side API the README offers the rest of an application (inject {@code WebSocketPush} to
 * publish to a channel, to everyone or to one connection), on a node as CDI wires it; what its
 * messages look like is docs/protocol.md section 4.
 */
class WebSocketPushTest {
  private static final ConnectionInfo INFO = new ConnectionInfo("127.0.0.1", "junit", null, "");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final TestNode node = new TestNode(WsSettings.defaults(), clock);
  private final WebSocketPush push = new WebSocketPush();

  {
    push.manager = node.connections;
    push.fanout = node.fanout;
  }

  @AfterEach
  void close() {
    node.close();
  }

  @Test
  void publishesToAChannelBroadcastsToBothEndpointsAndSendsToOneConnection() {
    RecordingTransport ws = new RecordingTransport();
    RecordingTransport other = new RecordingTransport();
    RecordingTransport legacy = new RecordingTransport();
    Connection subscriber = node.open(EndpointKind.WS, INFO, ws);
    node.open(EndpointKind.WS, INFO, other);
    Connection old = node.open(EndpointKind.LEGACY, INFO, legacy);
    node.dispatcher.onText(subscriber, "{\"type\":\"subscribe\",\"channel\":\"news\"}");

    assertEquals(1, push.publish("news", Json.createValue("a")), "the subscriber only");
    JsonObject event = last(ws);
    assertEquals("event", event.getString("type"));
    assertEquals(1, event.getInt("seq"));
    assertEquals("a", event.getString("data"));
    assertFalse(event.containsKey("id"), "no id for events of the server-side API: " + event);
    assertEquals(1, other.texts.size(), "nothing but system/connected for a non-subscriber");

    assertEquals(3, push.broadcast(Json.createValue("all")), "every connection of both endpoints");
    for (RecordingTransport each : List.of(ws, other, legacy)) {
      JsonObject broadcast = last(each);
      assertEquals("broadcast", broadcast.getString("type"));
      assertEquals("all", broadcast.getString("data"));
      assertEquals(clock.millis(), broadcast.getJsonNumber("serverTime").longValue());
      assertFalse(broadcast.containsKey("seq"), broadcast.toString());
    }

    int before = other.texts.size();
    assertTrue(push.sendTo(subscriber.id(), Json.createValue("you")));
    JsonObject direct = last(ws);
    assertEquals("direct", direct.getString("type"));
    assertEquals("you", direct.getString("data"));
    assertEquals(clock.millis(), direct.getJsonNumber("serverTime").longValue());
    assertFalse(direct.containsKey("seq"), direct.toString());
    assertEquals(before, other.texts.size(), "one connection only");
    assertTrue(push.sendTo(old.id(), Json.createValue("legacy too")));
    assertEquals("direct", last(legacy).getString("type"));

    assertFalse(push.sendTo("c-unknown", Json.createValue(1)), "false for no such connection");
    assertThrows(IllegalArgumentException.class, () -> push.publish("no spaces", null));
    assertEquals(3, push.connections().size());
    assertEquals("ws", push.connection(subscriber.id()).orElseThrow().endpoint());
  }

  /** docs/protocol.md section 4: broadcast and direct are not buffered and not replayed. */
  @Test
  void aResumeReplaysTheChannelsEventsButNoBroadcastOrDirect() {
    RecordingTransport first = new RecordingTransport();
    Connection dropped = node.open(EndpointKind.WS, INFO, first);
    JsonObject connected = last(first);
    node.dispatcher.onText(dropped, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    node.dispatcher.onClose(dropped, 1006, "");

    push.publish("news", Json.createValue("missed"));
    RecordingTransport second = new RecordingTransport();
    Connection back = node.open(EndpointKind.WS, INFO, second);
    push.broadcast(Json.createValue("while away"));
    push.sendTo(dropped.id(), Json.createValue("to the dropped one"));
    int greeted = second.texts.size(); // system/connected and the broadcast
    node.dispatcher.onText(
        back,
        "{\"type\":\"resume\",\"sessionId\":\""
            + connected.getString("sessionId")
            + "\",\"resumeToken\":\""
            + connected.getString("resumeToken")
            + "\",\"lastSeq\":0}");

    List<JsonObject> answer =
        second.texts.subList(greeted, second.texts.size()).stream()
            .map(WebSocketPushTest::json)
            .toList();
    assertEquals(
        List.of("event", "resumed"), answer.stream().map(m -> m.getString("type")).toList());
    assertEquals("missed", answer.get(0).getString("data"));
    assertEquals(1, answer.get(1).getInt("replayed"));
  }

  private static JsonObject last(RecordingTransport transport) {
    return json(transport.texts.get(transport.texts.size() - 1));
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
