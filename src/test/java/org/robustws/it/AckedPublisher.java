package org.robustws.it;

import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A publisher on its own thread and connection: it publishes {@code base + 1}, {@code base + 2} …
 * to one channel, each as soon as the previous one was answered, until halted, and keeps the offset
 * each {@code ack} named.
 */
final class AckedPublisher implements Runnable {
  private final ClientManager container;
  private final URI node;
  private final String channel;
  private final int base;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  /** Acknowledged publications: data to the offset their ack named. */
  final Map<Integer, Long> offsets = new ConcurrentHashMap<>();

  /** Publications answered with an error: the answers. */
  final List<String> errors = Collections.synchronizedList(new ArrayList<>());

  private AckedPublisher(ClientManager container, URI node, String channel, int base) {
    this.container = container;
    this.node = node;
    this.channel = channel;
    this.base = base;
    this.thread = new Thread(this, "publisher-" + base);
  }

  static AckedPublisher start(ClientManager container, URI node, String channel, int base) {
    AckedPublisher publisher = new AckedPublisher(container, node, channel, base);
    publisher.thread.start();
    return publisher;
  }

  /** Stops after the publication under way is answered; fails if one went unanswered. */
  void halt() throws InterruptedException {
    running = false;
    thread.join(30_000);
    if (failure != null) {
      throw new AssertionError("publisher on " + node + " after " + offsets.size(), failure);
    }
  }

  @Override
  public void run() {
    try (TestClient client = TestClient.connect(container, node)) {
      client.next("system");
      for (int i = 1; running; i++) {
        int data = base + i;
        client.send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data + "}");
        JsonObject answer = answer(client);
        if ("ack".equals(answer.getString("type"))) {
          offsets.put(data, answer.getJsonNumber("offset").longValue());
        } else {
          errors.add(answer.toString());
        }
      }
    } catch (Throwable e) { // an AssertionError of TestClient too: halt() reports it
      failure = e;
    }
  }

  private static JsonObject answer(TestClient client) throws InterruptedException {
    while (true) {
      JsonObject message = client.next();
      String type = message.getString("type", "");
      if (type.equals("ack") || type.equals("error")) {
        return message;
      }
    }
  }
}
