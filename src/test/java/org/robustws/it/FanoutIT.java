package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** 200 subscribers each receive every publication exactly once, in {@code seq} order. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FanoutIT {
  private static final int CLIENTS = 200;
  private static final int PUBLICATIONS = 50;

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void everySubscriberGetsEveryPublicationOnceInOrder() throws Exception {
    ClientManager container = ClientManager.createClient();
    URI uri = Deployments.ws(base, "/ws");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<TestClient> subscribers = new ArrayList<>();
    try {
      List<Future<TestClient>> connecting = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        connecting.add(
            pool.submit(
                () -> {
                  TestClient client = TestClient.connect(container, uri);
                  client.next("system");
                  client.send("{\"type\":\"subscribe\",\"channel\":\"fanout\"}");
                  client.next("subscribed");
                  return client;
                }));
      }
      for (Future<TestClient> future : connecting) {
        subscribers.add(future.get());
      }

      try (TestClient publisher = TestClient.connect(container, uri)) {
        publisher.next("system");
        for (int n = 1; n <= PUBLICATIONS; n++) {
          publisher.send(
              "{\"type\":\"publish\",\"channel\":\"fanout\",\"data\":" + n + ",\"id\":" + n + "}");
          assertEquals(CLIENTS, publisher.next("ack").getInt("delivered"));
        }
      }

      List<Integer> expected = IntStream.rangeClosed(1, PUBLICATIONS).boxed().toList();
      for (TestClient subscriber : subscribers) {
        List<Integer> seqs = new ArrayList<>();
        List<Integer> data = new ArrayList<>();
        for (int n = 0; n < PUBLICATIONS; n++) {
          JsonObject event = subscriber.next("event");
          seqs.add(event.getInt("seq"));
          data.add(event.getInt("data"));
        }
        assertEquals(expected, seqs);
        assertEquals(expected, data);
        assertEquals(0, subscriber.texts.stream().filter(t -> t.contains("\"event\"")).count());
      }
    } finally {
      for (TestClient subscriber : subscribers) {
        subscriber.close();
      }
      pool.shutdownNow();
    }
  }
}
