package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A crash loses nothing that was promised: 30 clients subscribed to two channels read 10 events of
 * each, the server is killed with SIGKILL while they are attached ({@code target/crash-server},
 * port offset 700: HTTP 8780, management 10690), started again on the same data, 5 more events of
 * each channel are published, and every client resumes: those that send their positions get every
 * event after them, once, in each channel's order; those that send only lastSeq get the same or a
 * {@code gap} naming their channels, never silence; also when they were attached longer than twice
 * the resume grace period (a detached session's record lifespan) before the kill. The server runs
 * with {@code WS_ALLOW_MISSING_ORIGIN=false}, which the second test checks, and a grace of 2 s.
 */
class CrashResumeIT {
  private static final int OFFSET = 700;
  private static final int CLIENTS = 30;
  private static final List<String> CHANNELS = List.of("crash:a", "crash:b");
  // short, so that the clients stay attached longer than twice the grace before the kill
  private static final String GRACE_MS = "2000";
  private static StandaloneServer server;

  @BeforeAll
  static void start() throws Exception {
    // its clients (Tyrus) send their Origin: the server can refuse handshakes without one
    server =
        StandaloneServer.prepare(
            "crash-server",
            OFFSET,
            Map.of("WS_ALLOW_MISSING_ORIGIN", "false", "WS_RESUME_GRACE_MS", GRACE_MS));
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** What a client keeps to resume: its session, its last seq and where it is in each channel. */
  private record Held(
      String sessionId,
      String resumeToken,
      long lastSeq,
      Map<String, JsonObject> lastEvent,
      boolean sendsPositions) {}

  @Test
  void everyClientResumesExactlyOrIsToldAfterAKill() throws Exception {
    ClientManager tyrus = ClientManager.createClient();
    URI ws = server.uri("ws", "/ws");
    List<TestClient> clients = new ArrayList<>();
    List<JsonObject> connected = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      TestClient client = TestClient.connect(tyrus, ws);
      connected.add(client.next());
      for (String channel : CHANNELS) {
        client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        client.next("subscribed");
      }
      clients.add(client);
    }
    publish(tyrus, ws, 1, 10);
    List<Held> held = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Map<String, JsonObject> last = new HashMap<>();
      long lastSeq = 0;
      for (int n = 0; n < 2 * 10; n++) {
        JsonObject event = clients.get(i).next("event");
        last.put(event.getString("channel"), event);
        lastSeq = event.getJsonNumber("seq").longValue();
      }
      assertEquals(20, lastSeq);
      held.add(
          new Held(
              connected.get(i).getString("sessionId"),
              connected.get(i).getString("resumeToken"),
              lastSeq,
              last,
              i % 2 == 0));
    }

    // attached longer than twice the grace since their records were written: a held session's
    // record must not expire with a detached one's lifespan
    Thread.sleep(3 * Long.parseLong(GRACE_MS));
    server.close(); // SIGKILL, while every client is attached
    server.start();
    publish(tyrus, ws, 11, 15);

    int exact = 0;
    int told = 0;
    for (Held client : held) {
      try (TestClient again = TestClient.connect(tyrus, ws)) {
        again.next(); // system/connected
        again.send(resume(client));
        List<JsonObject> replay = new ArrayList<>();
        JsonObject frame = again.next();
        while (frame.getString("type").equals("event")) {
          replay.add(frame);
          frame = again.next();
        }
        if (frame.getString("type").equals("resumed")) {
          for (String channel : CHANNELS) {
            List<Integer> got =
                replay.stream()
                    .filter(e -> e.getString("channel").equals(channel))
                    .map(e -> Integer.parseInt(e.getString("data").substring(channel.length() + 1)))
                    .toList();
            assertEquals(List.of(11, 12, 13, 14, 15), got, channel + " of " + client.sessionId());
          }
          for (int k = 0; k < replay.size(); k++) {
            assertEquals(21 + k, replay.get(k).getJsonNumber("seq").longValue(), "numbered on");
          }
          exact++;
        } else {
          assertEquals("resume_failed", frame.getString("type"), frame.toString());
          assertTrue(!client.sendsPositions(), "a client with positions resumes: " + frame);
          assertEquals("gap", frame.getString("reason"), frame.toString());
          assertEquals(
              CHANNELS,
              frame.getJsonArray("channels").getValuesAs(JsonString.class).stream()
                  .map(JsonString::getString)
                  .toList());
          told++;
        }
      }
    }
    assertEquals(CLIENTS, exact + told);
    assertTrue(exact >= CLIENTS / 2, "every client with positions resumed exactly: " + exact);
    for (TestClient client : clients) {
      client.close();
    }
  }

  /**
   * README, Configuration: {@code ws.allow-missing-origin=false} refuses a handshake without one.
   */
  @Test
  void aHandshakeWithoutOriginIsRefusedWhenNotAllowed() throws Exception {
    IOException refused =
        assertThrows(IOException.class, () -> RawWebSocket.connect(server.uri("ws", "/ws")));
    assertTrue(refused.getMessage().contains(" 403 "), refused.getMessage());
    String own = "Origin: http://127.0.0.1:" + server.httpPort() + "\r\n";
    try (RawWebSocket allowed = RawWebSocket.connect(server.uri("ws", "/ws"), own)) {
      assertEquals(RawWebSocket.TEXT, allowed.readFrame().opcode());
    }
  }

  /**
   * Publishes events {@code from}-{@code to} on both channels ("crash:a/11"), each acknowledged.
   */
  private static void publish(ClientManager tyrus, URI ws, int from, int to) throws Exception {
    try (TestClient publisher = TestClient.connect(tyrus, ws)) {
      publisher.next();
      for (int n = from; n <= to; n++) {
        for (String channel : CHANNELS) {
          publisher.send(
              "{\"type\":\"publish\",\"channel\":\""
                  + channel
                  + "\",\"data\":\""
                  + channel
                  + "/"
                  + n
                  + "\",\"id\":"
                  + n
                  + "}"); // an id is a publication's idempotency key: one per publication
          publisher.next("ack");
        }
      }
    }
  }

  private static String resume(Held client) {
    StringBuilder positions = new StringBuilder();
    if (client.sendsPositions()) {
      positions.append(",\"positions\":{");
      String separator = "";
      for (Map.Entry<String, JsonObject> last : client.lastEvent().entrySet()) {
        positions
            .append(separator)
            .append('"')
            .append(last.getKey())
            .append("\":{\"offset\":")
            .append(last.getValue().getJsonNumber("offset"))
            .append(",\"epoch\":\"")
            .append(last.getValue().getString("epoch"))
            .append("\"}");
        separator = ",";
      }
      positions.append('}');
    }
    return "{\"type\":\"resume\",\"sessionId\":\""
        + client.sessionId()
        + "\",\"resumeToken\":\""
        + client.resumeToken()
        + "\",\"lastSeq\":"
        + client.lastSeq()
        + positions
        + "}";
  }
}
