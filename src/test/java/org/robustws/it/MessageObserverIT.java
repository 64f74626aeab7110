package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.robustws.it.observer.ObservedMessages;
import org.robustws.it.observer.ObservedMessagesServlet;

/**
 * An application's observer of {@code MessageReceived} (the documented extension point) gets every
 * client message on both endpoints. The manager fires the event only when an observer exists, so
 * this is the test that the check finds one.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MessageObserverIT {
  private final ClientManager container = ClientManager.createClient();

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar().addClasses(ObservedMessages.class, ObservedMessagesServlet.class);
  }

  @Test
  void observersGetEveryClientMessageOfBothEndpoints() throws Exception {
    try (TestClient ws = TestClient.connect(container, Deployments.ws(base, "/ws"));
        TestClient legacy = TestClient.connect(container, Deployments.ws(base, "/ws-legacy"))) {
      ws.next("system");
      ws.send("{\"type\":\"ping\",\"timestamp\":1}");
      ws.next("pong");
      legacy.send("hello");
      legacy.nextText();
    }
    String seen = observed("");
    assertEquals(
        List.of("ws:ping:{\"type\":\"ping\",\"timestamp\":1}", "legacy:text:hello"),
        Stream.of(seen.split("\n")).filter(l -> !l.startsWith("ws:resume:")).toList(),
        "the other test's resume aside");
  }

  /**
   * The README's other CDI events: {@code ConnectionOpened}, {@code ConnectionClosed} (with the
   * close code) and {@code ResumeAttempted} (with its result) reach an application's observer.
   */
  @Test
  void observersGetEveryOpenCloseAndResume() throws Exception {
    String first;
    String second;
    try (TestClient ws = TestClient.connect(container, Deployments.ws(base, "/ws"))) {
      JsonObject hello = ws.next("system");
      first = hello.getString("clientId");
      ws.session().close(); // 1000
      try (TestClient again = TestClient.connect(container, Deployments.ws(base, "/ws"))) {
        second = again.next("system").getString("clientId");
        again.send(
            "{\"type\":\"resume\",\"sessionId\":\""
                + hello.getString("sessionId")
                + "\",\"resumeToken\":\""
                + hello.getString("resumeToken")
                + "\",\"lastSeq\":0}");
        again.next("resumed");
        again.session().close(new CloseReason(CloseReason.CloseCodes.getCloseCode(4321), ""));
      }
    }
    List<String> expected =
        List.of(
            "opened:ws:" + first,
            "closed:" + first + ":1000",
            "opened:ws:" + second,
            "resume:" + second + ":ok",
            "closed:" + second + ":4321");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> ours = List.of();
    while (System.nanoTime() < deadline && !ours.equals(expected)) {
      ours =
          Stream.of(observed("?what=lifecycle").split("\n"))
              .filter(l -> l.contains(first) || l.contains(second))
              .sorted(Comparator.comparing(expected::indexOf)) // the closes come in any order
              .toList();
      if (ours.size() < expected.size()) {
        Thread.sleep(100); // the closes are reported after the client's close returned
      }
    }
    assertEquals(expected, ours);
  }

  private String observed(String query) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(base + "test/observed-messages" + query)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
