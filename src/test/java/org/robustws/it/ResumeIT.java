package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

      publish(publisher, 1, 5);
      List<Integer> seen = new ArrayList<>();
      while (seen.size() < 3) {
        seen.add(json(first.readTextOrClose().text()).getInt("seq"));
      }
      first.cut();
      publish(publisher, 6, 10);

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

        publish(publisher, 11, 11);
        JsonObject live = json(second.readTextOrClose().text());
        assertEquals(11, live.getInt("seq"), "the subscription and counter carried over");
      }
    }
  }

  private static void publish(TestClient publisher, int from, int to) throws Exception {
    for (int n = from; n <= to; n++) {
      publisher.send("{\"type\":\"publish\",\"channel\":\"orders\",\"data\":" + n + "}");
      publisher.next("ack");
    }
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
