package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
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

/**
 * A subscriber that stops reading while its channel is flooded is closed with 4008, a subscriber
 * that reads gets everything, and the slow one resumes and catches up with no loss.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SlowConsumerIT {
  private static final int MAX_EVENTS = 5_000;
  // large events fill the socket buffers and the outbound queue (512 KiB) well before the
  // heartbeat gives up on a client that reads nothing (3 s in the test server: 4000 instead)
  private static final String ASCII_PADDING = "x".repeat(32_000);
  // 32 KiB of UTF-8 in 10,923 chars: every bound counts UTF-8 bytes, so the events still queued
  // when the slow one is closed are all in the channel's history (the queue once counted chars
  // and held 1.5 MiB of these while a resume could find 1 MiB). ConnectionManagerTest does the
  // same with 4 KiB events, which take too long to flood here before the heartbeat (3 s) closes
  // the silent client with 4000.
  private static final String EURO_PADDING = "€".repeat(10_923);

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void aSlowSubscriberIsClosedWith4008AndResumesWithoutLoss() throws Exception {
    closedAs4008AndResumesWithoutLoss("flood", ASCII_PADDING);
  }

  @Test
  void aSlowSubscriberOfNonAsciiEventsResumesWithoutLossToo() throws Exception {
    closedAs4008AndResumesWithoutLoss("flood.utf8", EURO_PADDING);
  }

  private void closedAs4008AndResumesWithoutLoss(String channel, String padding) throws Exception {
    URI ws = Deployments.ws(base, "/ws");
    AdminHttp admin = new AdminHttp(base);
    String authorization = AdminUsers.admin();
    try (TestClient fast = TestClient.connect(ClientManager.createClient(), ws);
        RawWebSocket slow = RawWebSocket.connect(ws, "", 4_096)) {
      fast.next("system");
      fast.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      fast.next("subscribed");
      JsonObject hello = json(slow.readTextOrClose().text());
      slow.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertEquals("subscribed", json(slow.readTextOrClose().text()).getString("type"));

      // flood through the admin API (not rate-limited) until the server gives up on the slow one
      int published = 0;
      while (published < MAX_EVENTS && isOpen(admin, authorization, hello.getString("clientId"))) {
        // check often: what is published after the close must still fit the history (1 MiB)
        for (int i = 0; i < 5; i++) {
          published++;
          HttpResponse<String> response =
              admin.post(
                  "/broadcast",
                  "{\"channel\":\""
                      + channel
                      + "\",\"data\":{\"n\":"
                      + published
                      + ",\"pad\":\""
                      + padding
                      + "\"}}",
                  authorization);
          assertEquals(200, response.statusCode(), response.body());
        }
      }
      assertTrue(published < MAX_EVENTS, "the slow subscriber was never closed");

      List<Integer> fastGot = new ArrayList<>();
      while (fastGot.size() < published) {
        fastGot.add(fast.next("event").getJsonObject("data").getInt("n"));
      }
      assertEquals(IntStream.rangeClosed(1, published).boxed().toList(), fastGot);

      // now the slow one reads what the socket holds, up to the close
      slow.answerPings = true;
      long lastSeq = 0;
      RawWebSocket.Frame frame = slow.readTextOrClose();
      while (frame.opcode() == RawWebSocket.TEXT) {
        JsonObject event = json(frame.text());
        assertEquals(lastSeq + 1, event.getInt("seq"), "in order, no gaps, before the close");
        lastSeq = event.getInt("seq");
        frame = slow.readTextOrClose();
      }
      assertEquals(4008, frame.closeCode());
      assertTrue(lastSeq < published, "it really fell behind: " + lastSeq + "/" + published);

      try (RawWebSocket resumed = RawWebSocket.connect(ws)) {
        resumed.readTextOrClose();
        resumed.sendText(
            "{\"type\":\"resume\",\"sessionId\":\""
                + hello.getString("sessionId")
                + "\",\"resumeToken\":\""
                + hello.getString("resumeToken")
                + "\",\"lastSeq\":"
                + lastSeq
                + "}");
        JsonObject message = json(resumed.readTextOrClose().text());
        while ("event".equals(message.getString("type"))) {
          assertEquals(++lastSeq, message.getInt("seq"));
          message = json(resumed.readTextOrClose().text());
        }
        assertEquals("resumed", message.getString("type"), message.toString());
        assertEquals(published, lastSeq, "every event, exactly once");
      }
    }
  }

  private static boolean isOpen(AdminHttp admin, String authorization, String id) throws Exception {
    HttpResponse<String> response = admin.get("/connections/" + id, authorization);
    return response.statusCode() == 200
        && "connected".equals(AdminHttp.json(response).getString("state"));
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
