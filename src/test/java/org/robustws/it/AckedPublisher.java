package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A publisher on its own thread and connection: it publishes {@code base + 1}, {@code base + 2} …
 * to one channel, each {@code pauseMs} after the previous one was answered, until halted, and keeps
 * the offset each {@code ack} named. {@link #moveTo} sends it to another node (a new connection).
 */
final class AckedPublisher implements Runnable {
  private final ClientManager container;
  private final String channel;
  private final int base;
  private final long pauseMs;
  private final Thread thread;
  private volatile URI target;
  private volatile URI current;
  private volatile boolean running = true;
  private volatile Throwable failure;

  /** Acknowledged publications: data to the offset their ack named. */
  final Map<Integer, Long> offsets = new ConcurrentHashMap<>();

  /** Publications answered with an error: the answers. */
  final List<String> errors = Collections.synchronizedList(new ArrayList<>());

  private AckedPublisher(
      ClientManager container, URI node, String channel, int base, long pauseMs) {
    this.container = container;
    this.target = node;
    this.channel = channel;
    this.base = base;
    this.pauseMs = pauseMs;
    this.thread = new Thread(this, "publisher-" + base);
  }

  /** Publishes as fast as it is answered. */
  static AckedPublisher start(ClientManager container, URI node, String channel, int base) {
    return start(container, node, channel, base, 0);
  }

  static AckedPublisher start(
      ClientManager container, URI node, String channel, int base, long pauseMs) {
    AckedPublisher publisher = new AckedPublisher(container, node, channel, base, pauseMs);
    publisher.thread.start();
    return publisher;
  }

  /** Publishes on that node from now on (after the publication under way); returns once it does. */
  void moveTo(URI node) throws InterruptedException {
    target = node;
    while (!node.equals(current) && failure == null) {
      Thread.sleep(10);
    }
  }

  /** Stops after the publication under way is answered; fails if one went unanswered. */
  void halt() throws InterruptedException {
    running = false;
    thread.join(30_000);
    if (failure != null) {
      throw new AssertionError("publisher on " + target + " after " + offsets.size(), failure);
    }
  }

  /**
   * The acknowledged publications of all of them, data to offset.
   *
   * @throws AssertionError if an offset was acknowledged to two publications
   */
  static Map<Integer, Long> acknowledged(List<AckedPublisher> publishers) {
    Map<Integer, Long> acked = new HashMap<>();
    publishers.forEach(publisher -> acked.putAll(publisher.offsets));
    Map<Long, List<Integer>> byOffset = new TreeMap<>();
    acked.forEach((data, at) -> byOffset.computeIfAbsent(at, o -> new ArrayList<>()).add(data));
    byOffset.values().removeIf(publications -> publications.size() < 2);
    assertEquals(Map.of(), byOffset, "offsets acknowledged twice (offset: publications)");
    return acked;
  }

  /** The acknowledged publications in the order of the offsets their acks named. */
  static List<Integer> inOffsetOrder(Map<Integer, Long> acked) {
    return acked.keySet().stream().sorted(Comparator.comparing(acked::get)).toList();
  }

  @Override
  public void run() {
    try {
      int i = 0;
      while (running) {
        URI node = target;
        try (TestClient client = TestClient.connect(container, node)) {
          client.next("system");
          current = node;
          while (running && node.equals(target)) {
            int data = base + ++i;
            client.send(
                "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data + "}");
            JsonObject answer = answer(client);
            if ("ack".equals(answer.getString("type"))) {
              offsets.put(data, answer.getJsonNumber("offset").longValue());
            } else {
              errors.add(answer.toString());
            }
            Thread.sleep(pauseMs);
          }
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
