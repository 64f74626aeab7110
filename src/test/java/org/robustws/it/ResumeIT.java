package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A client whose TCP connection is cut resumes and gets every missed event exactly once. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ResumeIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void resumesAfterTheConnectionIsCutWithoutACloseFrame() throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    try (TestClient publisher = TestClient.connect(ClientManager.createClient(), uri)) {
      publisher.next("system");

      RawWebSocket first = RawWebSocket.connect(uri);
      JsonObject hello = json(first.readTextOrClose().text());
      first.sendText("{\"type\":\"subscribe\",\"channel\":\"orders\"}");
      assertEquals("subscribed", json(first.readTextOrClose().text()).getString("type"));

      assertEquals(List.of(1, 1, 1, 1, 1), publish(publisher, 1, 5), "delivered to the subscriber");
      List<Integer> seen = new ArrayList<>();
      while (seen.size() < 3) {
        seen.add(json(first.readTextOrClose().text()).getInt("seq"));
      }
      first.cut();
      List<Integer> whileAway = publish(publisher, 6, 10);
      // a session whose client is reconnecting is not counted: it gets the events on its resume
      assertEquals(0, whileAway.get(whileAway.size() - 1), "delivered once the cut was seen");

      try (RawWebSocket second = RawWebSocket.connect(uri)) {
        second.readTextOrClose(); // its own fresh session, discarded by the resume
        second.sendText(
            "{\"type\":\"resume\",\"sessionId\":\""
                + hello.getString("sessionId")
                + "\",\"resumeToken\":\""
                + hello.getString("resumeToken")
                + "\",\"lastSeq\":3}");
        List<Integer> replayed = new ArrayList<>();
        JsonObject message = json(second.readTextOrClose().text());
        while ("event".equals(message.getString("type"))) {
          replayed.add(message.getInt("data"));
          assertEquals(message.getInt("data"), message.getInt("seq"));
          message = json(second.readTextOrClose().text());
        }
        assertEquals(IntStream.rangeClosed(4, 10).boxed().toList(), replayed);
        assertEquals("resumed", message.getString("type"));
        assertEquals(7, message.getInt("replayed"));
        assertEquals(10, message.getInt("lastSeq"));
        assertEquals(hello.getString("sessionId"), message.getString("sessionId"));

        assertEquals(List.of(1), publish(publisher, 11, 11), "counted again once resumed");
        JsonObject live = json(second.readTextOrClose().text());
        assertEquals(11, live.getInt("seq"), "the subscription and counter carried over");
      }
    }
  }

  /** Loss is never silent: the resume names the channel whose history no longer reaches back. */
  @Test
  void aGapNamesTheChannelWhoseHistoryWasTrimmed() throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    String suffix = Long.toString(System.nanoTime(), 36);
    String trimmed = "trimmed." + suffix;
    String kept = "kept." + suffix;
    JsonObject hello;
    try (RawWebSocket first = RawWebSocket.connect(uri)) {
      hello = json(first.readTextOrClose().text());
      for (String channel : List.of(trimmed, kept)) {
        first.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        assertEquals("subscribed", json(first.readTextOrClose().text()).getString("type"));
      }
    }
    // while it is away, more than ws.history.events (1,000) events on one channel, one on the other
    AdminHttp admin = new AdminHttp(base);
    String authorization = AdminUsers.admin();
    admin.post("/broadcast", "{\"channel\":\"" + kept + "\",\"data\":0}", authorization);
    for (int n = 1; n <= 1_001; n++) {
      assertEquals(
          200,
          admin
              .post(
                  "/broadcast",
                  "{\"channel\":\"" + trimmed + "\",\"data\":" + n + "}",
                  authorization)
              .statusCode());
    }
    try (RawWebSocket second = RawWebSocket.connect(uri)) {
      second.readTextOrClose();
      second.sendText(resume(hello, 0, ""));
      JsonObject failed = json(second.readTextOrClose().text());
      assertEquals("resume_failed", failed.getString("type"), failed.toString());
      assertEquals("gap", failed.getString("reason"));
      assertEquals(
          List.of(trimmed),
          failed.getJsonArray("channels").getValuesAs(jakarta.json.JsonString::getString));
    }
  }

  /**
   * A client whose position names an epoch the channel's stream no longer has (its history was lost
   * and started anew) learns it as a gap of that channel.
   */
  @Test
  void aPositionInAnEpochTheStreamNoLongerHasIsAGapOfItsChannel() throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    String channel = "epoch." + Long.toString(System.nanoTime(), 36);
    JsonObject hello;
    try (TestClient publisher = TestClient.connect(ClientManager.createClient(), uri);
        RawWebSocket first = RawWebSocket.connect(uri)) {
      publisher.next("system");
      hello = json(first.readTextOrClose().text());
      first.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertEquals("subscribed", json(first.readTextOrClose().text()).getString("type"));
      publisher.send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":1}");
      publisher.next("ack");
      JsonObject event = json(first.readTextOrClose().text());
      assertEquals(1, event.getInt("offset"));
      // the ack tells the server the client needs nothing before seq 1: only positions can help
      first.sendText("{\"type\":\"ack\",\"seq\":1}");
    }
    try (RawWebSocket second = RawWebSocket.connect(uri)) {
      second.readTextOrClose();
      second.sendText(
          resume(
              hello,
              0,
              ",\"positions\":{\"" + channel + "\":{\"offset\":1,\"epoch\":\"gone-epoch\"}}"));
      JsonObject failed = json(second.readTextOrClose().text());
      assertEquals("resume_failed", failed.getString("type"), failed.toString());
      assertEquals("gap", failed.getString("reason"));
      assertEquals(channel, failed.getJsonArray("channels").getString(0));
    }
  }

  /**
   * A publication whose ack was lost with its connection is sent again after the resume: the server
   * answers with the first ack's place and delivers it once. Another session's equal id is another
   * publication.
   */
  @Test
  void aPublicationSentAgainAfterAResumeIsAppliedOnce() throws Exception {
    URI uri = Deployments.ws(base, "/ws");
    String publish = "{\"type\":\"publish\",\"channel\":\"once\",\"data\":\"é\",\"id\":\"p-1\"}";
    try (TestClient subscriber = TestClient.connect(ClientManager.createClient(), uri);
        TestClient other = TestClient.connect(ClientManager.createClient(), uri)) {
      subscriber.next("system");
      other.next("system");
      subscriber.send("{\"type\":\"subscribe\",\"channel\":\"once\"}");
      subscriber.next("subscribed");

      RawWebSocket first = RawWebSocket.connect(uri);
      JsonObject hello = json(first.readTextOrClose().text());
      first.sendText(publish);
      JsonObject ack = json(first.readTextOrClose().text());
      assertEquals("ack", ack.getString("type"), ack.toString());
      assertEquals(1, ack.getInt("delivered"));
      assertFalse(ack.containsKey("repeated"), ack.toString());
      first.cut();

      try (RawWebSocket second = RawWebSocket.connect(uri)) {
        second.readTextOrClose();
        second.sendText(resume(hello, 0, ""));
        assertEquals("resumed", json(second.readTextOrClose().text()).getString("type"));
        second.sendText(publish);
        JsonObject again = json(second.readTextOrClose().text());
        assertEquals("ack", again.getString("type"), again.toString());
        assertTrue(again.getBoolean("repeated"), again.toString());
        assertEquals(0, again.getInt("delivered"));
        assertEquals(ack.getJsonNumber("offset"), again.getJsonNumber("offset"));
        assertEquals(ack.getString("epoch"), again.getString("epoch"));
      }
      other.send(publish);
      JsonObject theirs = other.next("ack");
      assertFalse(theirs.containsKey("repeated"), "another session: " + theirs);
      assertEquals(
          ack.getJsonNumber("offset").longValue() + 1, theirs.getJsonNumber("offset").longValue());

      JsonObject event = subscriber.next("event");
      assertEquals(ack.getJsonNumber("offset"), event.getJsonNumber("offset"));
      JsonObject next = subscriber.next("event");
      assertEquals(theirs.getJsonNumber("offset"), next.getJsonNumber("offset"), "p-1 came once");
    }
  }

  private static String resume(JsonObject hello, long lastSeq, String more) {
    return "{\"type\":\"resume\",\"sessionId\":\""
        + hello.getString("sessionId")
        + "\",\"resumeToken\":\""
        + hello.getString("resumeToken")
        + "\",\"lastSeq\":"
        + lastSeq
        + more
        + "}";
  }

  /**
   * @return each ack's {@code delivered}
   */
  private static List<Integer> publish(TestClient publisher, int from, int to) throws Exception {
    List<Integer> delivered = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      publisher.send("{\"type\":\"publish\",\"channel\":\"orders\",\"data\":" + n + "}");
      delivered.add(publisher.next("ack").getInt("delivered"));
    }
    return delivered;
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
