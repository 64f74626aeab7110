package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
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
    String seen =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "test/observed-messages")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertEquals(
        List.of("ws:ping:{\"type\":\"ping\",\"timestamp\":1}", "legacy:text:hello"),
        List.of(seen.split("\n")));
  }
}
