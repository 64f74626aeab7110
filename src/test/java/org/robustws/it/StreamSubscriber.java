package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A {@code /ws} client as an application writes one: it subscribes, checks that {@code seq} goes up
 * by one and that a channel's offsets go up within its epoch, keeps the data and offset of every
 * event per channel and, if {@code sendsPositions}, its position in each channel, and resumes on a
 * new connection with {@code lastSeq} (and those positions). One made by {@link #authenticated}
 * sends {@code auth} with its token first on every connection.
 */
final class StreamSubscriber implements AutoCloseable {
  final String name;
  final boolean sendsPositions;
  final Map<String, List<Integer>> received = new TreeMap<>();

  /** Per channel, the offset each event's data came at. */
  final Map<String, Map<Integer, Long>> offsets = new TreeMap<>();

  private final Map<String, JsonObject> positions = new LinkedHashMap<>();
  private final String jwt;

  /** The last {@code system}/{@code shutdown} its connection read, or null. */
  JsonObject shutdown;

  private String sessionId;
  private String token;
  private long lastSeq;
  private TestClient client;

  private StreamSubscriber(String name, boolean sendsPositions, String jwt) {
    this.name = name;
    this.sendsPositions = sendsPositions;
    this.jwt = jwt;
  }

  static StreamSubscriber subscribe(
      ClientManager container, URI ws, String name, boolean sendsPositions, String... channels)
      throws Exception {
    return subscribe(new StreamSubscriber(name, sendsPositions, null), container, ws, channels);
  }

  /** One that authenticates with {@code jwt} on every connection and sends positions. */
  static StreamSubscriber authenticated(
      ClientManager container, URI ws, String name, String jwt, String... channels)
      throws Exception {
    return subscribe(new StreamSubscriber(name, true, jwt), container, ws, channels);
  }

  private static StreamSubscriber subscribe(
      StreamSubscriber subscriber, ClientManager container, URI ws, String... channels)
      throws Exception {
    subscriber.client = TestClient.connect(container, ws);
    JsonObject hello = subscriber.client.next("system");
    subscriber.sessionId = hello.getString("sessionId");
    subscriber.token = hello.getString("resumeToken");
    if (subscriber.jwt != null) {
      subscriber.client.authenticate(subscriber.jwt);
    }
    for (String channel : channels) {
      subscriber.client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      subscriber.client.next("subscribed");
      subscriber.received.put(channel, new ArrayList<>());
      subscriber.offsets.put(channel, new LinkedHashMap<>());
    }
    return subscriber;
  }

  /** Reads events until it holds {@code total} of them in all. */
  void readUntil(int total) throws Exception {
    while (count() < total) {
      JsonObject message = client.next();
      if ("event".equals(message.getString("type", ""))) {
        take(message);
      }
    }
  }

  /**
   * Takes the events its connection has received so far, without waiting for more, and keeps the
   * last {@code shutdown} notice among them.
   */
  void readQueued() {
    for (String text = client.texts.poll(); text != null; text = client.texts.poll()) {
      JsonObject message = json(text);
      if ("event".equals(message.getString("type", ""))) {
        take(message);
      } else if ("shutdown".equals(message.getString("event", ""))) {
        shutdown = message;
      }
    }
  }

  int count() {
    return received.values().stream().mapToInt(List::size).sum();
  }

  /** Resumes on a new connection and reads the replay up to {@code resumed}. @return replayed */
  int resume(ClientManager container, URI ws) throws Exception {
    client.close();
    JsonObject answer = resumeOn(container, ws);
    if (!"resumed".equals(answer.getString("type"))) {
      throw new AssertionError(name + ": " + answer);
    }
    return answer.getInt("replayed");
  }

  /**
   * Resumes on a new connection while the old one stays open, as a half-open socket does.
   *
   * @return the old connection
   */
  TestClient resumeWhileOpen(ClientManager container, URI ws) throws Exception {
    TestClient old = client;
    JsonObject answer = resumeOn(container, ws);
    assertEquals("resumed", answer.getString("type"), name + ": " + answer);
    return old;
  }

  /**
   * Resumes on a new connection, the old one left as it is, and reads the replay.
   *
   * @return {@code resumed} or {@code resume_failed}
   */
  JsonObject resumeOn(ClientManager container, URI ws) throws Exception {
    client = connectAs(container, ws, jwt);
    client.send(resumeMessage());
    while (true) {
      JsonObject message = client.next();
      switch (message.getString("type", "")) {
        case "event" -> take(message);
        case "resumed" -> {
          token = message.getString("resumeToken");
          assertEquals(lastSeq, message.getJsonNumber("lastSeq").longValue(), name);
          return message;
        }
        case "resume_failed" -> {
          return message;
        }
        default -> {} // a heartbeat or a broadcast of another test
      }
    }
  }

  /**
   * Sends this session's resume on a connection of its own that authenticates with {@code other}
   * (not at all if null), which the server must refuse; the session and its connection stay as they
   * are.
   *
   * @return the {@code resume_failed} answer
   */
  JsonObject resumeRefusedAs(ClientManager container, URI ws, String other) throws Exception {
    try (TestClient stranger = connectAs(container, ws, other)) {
      stranger.send(resumeMessage());
      return stranger.next("resume_failed");
    }
  }

  private TestClient connectAs(ClientManager container, URI ws, String asJwt) throws Exception {
    TestClient connection = TestClient.connect(container, ws);
    assertEquals("connected", connection.next("system").getString("event"), name);
    if (asJwt != null) {
      connection.authenticate(asJwt);
    }
    return connection;
  }

  private String resumeMessage() {
    JsonObjectBuilder resume =
        Json.createObjectBuilder()
            .add("type", "resume")
            .add("sessionId", sessionId)
            .add("resumeToken", token)
            .add("lastSeq", lastSeq);
    if (sendsPositions && !positions.isEmpty()) {
      JsonObjectBuilder own = Json.createObjectBuilder();
      positions.forEach(own::add);
      resume.add("positions", own);
    }
    return resume.build().toString();
  }

  private void take(JsonObject event) {
    long seq = event.getJsonNumber("seq").longValue();
    assertEquals(lastSeq + 1, seq, name + ": seq after " + lastSeq);
    lastSeq = seq;
    String channel = event.getString("channel");
    long offset = event.getJsonNumber("offset").longValue();
    String epoch = event.getString("epoch");
    JsonObject before = positions.get(channel);
    if (before != null && before.getString("epoch").equals(epoch)) {
      long previous = before.getJsonNumber("offset").longValue();
      assertTrue(
          offset > previous, name + ": " + channel + " offset " + offset + " after " + previous);
    }
    received.get(channel).add(event.getInt("data"));
    offsets.get(channel).put(event.getInt("data"), offset);
    positions.put(
        channel, Json.createObjectBuilder().add("offset", offset).add("epoch", epoch).build());
  }

  static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }

  /** The epoch of the last event of the channel it got. */
  String lastEpoch(String channel) {
    return positions.get(channel).getString("epoch");
  }

  /** The offset of the last event of the channel it got. */
  long lastOffset(String channel) {
    return positions.get(channel).getJsonNumber("offset").longValue();
  }

  boolean isClosed() {
    return client.isClosed();
  }

  int closeCode() throws Exception {
    return client.closeCode();
  }

  @Override
  public void close() throws Exception {
    client.close();
  }

  /** Its name, lastSeq and positions, for a failure's message. */
  @Override
  public String toString() {
    return name + " (lastSeq " + lastSeq + ", positions " + positions + ")";
  }
}
