package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes and HAProxy, started once by the README's cluster command ({@code cluster/cluster.sh
 * start}, files under {@code target/cluster-it}): publications reach every subscriber on every node
 * once and in the channel's order; the clients of a node killed with SIGKILL resume through the
 * balancer on the others; a session still held by a half-open connection on one node resumes
 * exactly on another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
  private static final URI BALANCER = URI.create("ws://127.0.0.1:8000/ws");
  private static final ClientManager TYRUS = ClientManager.createClient();

  @BeforeAll
  static void start() throws Exception {
    AdminUsers.admin(); // in target/server's realm before the nodes copy its configuration
    cluster("start");
  }

  @AfterAll
  static void stop() throws Exception {
    cluster("stop");
  }

  /** Node {@code n}'s /ws, without the balancer. */
  private static URI node(int n) {
    return URI.create("ws://127.0.0.1:" + (8080 + 100 * n) + "/ws");
  }

  @Test
  @Order(1)
  void publicationsReachEverySubscriberOnEveryNodeOnceInOrder() throws Exception {
    int subscribers = 200;
    int perPublisher = 20;
    List<StreamSubscriber> clients = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      clients.add(StreamSubscriber.subscribe(TYRUS, node(1 + i % 3), "s" + i, false, "cl:fan"));
    }
    ExecutorService publishing = Executors.newFixedThreadPool(3);
    List<Future<List<Integer>>> delivered = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      int publisherNode = n;
      delivered.add(
          publishing.submit(
              () ->
                  publish(
                      node(publisherNode),
                      "cl:fan",
                      IntStream.rangeClosed(1, perPublisher)
                          .map(k -> publisherNode * 1000 + k)
                          .boxed()
                          .toList())));
    }
    for (Future<List<Integer>> acks : delivered) {
      for (int count : acks.get(60, TimeUnit.SECONDS)) {
        assertEquals(subscribers, count, "ack.delivered counts the subscribers of every node");
      }
    }
    publishing.shutdown();
    List<Integer> order = null;
    for (StreamSubscriber client : clients) {
      client.readUntil(3 * perPublisher);
      List<Integer> got = client.received.get("cl:fan");
      assertEquals(3 * perPublisher, got.stream().distinct().count(), client.name + " once each");
      if (order == null) {
        order = got;
      }
      assertEquals(order, got, client.name + ": the channel's order, as on every node");
      client.close();
    }
  }

  /**
   * 30 clients of node 3 (half send positions) and 10 of each other node listen to two channels;
   * publishers on nodes 1 and 2 go on publishing while node 3 is killed. Node 3's clients resume
   * through the balancer: with positions every event once, in order; with lastSeq alone the same or
   * {@code gap} naming both channels. The others miss nothing.
   */
  @Test
  @Order(2)
  void theClientsOfAKilledNodeResumeOnTheOthersThroughTheBalancer() throws Exception {
    List<String> channels = List.of("cl:k1", "cl:k2");
    int events = 40;
    List<StreamSubscriber> killed = new ArrayList<>();
    List<StreamSubscriber> others = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      killed.add(
          StreamSubscriber.subscribe(
              TYRUS, node(3), "k" + i, i % 2 == 0, channels.toArray(String[]::new)));
    }
    for (int i = 0; i < 20; i++) {
      others.add(
          StreamSubscriber.subscribe(
              TYRUS, node(1 + i % 2), "o" + i, false, channels.toArray(String[]::new)));
    }
    List<Integer> all = IntStream.rangeClosed(1, events).boxed().toList();
    ExecutorService publishing = Executors.newFixedThreadPool(2);
    Future<List<Integer>> first = publishing.submit(() -> publish(node(1), "cl:k1", all, 25));
    Future<List<Integer>> second = publishing.submit(() -> publish(node(2), "cl:k2", all, 25));
    for (StreamSubscriber client : killed) {
      client.readUntil(10); // attached and reading when the node dies
    }
    cluster("kill-node", "3");
    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    publishing.shutdown();

    for (StreamSubscriber client : others) {
      client.readUntil(2 * events);
      for (String channel : channels) {
        assertEquals(all, client.received.get(channel), client.name + " " + channel);
      }
      client.close();
    }
    int exact = 0;
    for (StreamSubscriber client : killed) {
      JsonObject answer = client.resumeOn(TYRUS, BALANCER);
      if (answer.getString("type").equals("resumed")) {
        client.readUntil(2 * events);
        for (String channel : channels) {
          assertEquals(all, client.received.get(channel), client.name + " " + channel);
        }
        exact++;
      } else {
        assertTrue(!client.sendsPositions, client.name + " sends positions: " + answer);
        assertEquals("gap", answer.getString("reason"), answer.toString());
        assertEquals(
            channels,
            answer.getJsonArray("channels").getValuesAs(JsonString.class).stream()
                .map(JsonString::getString)
                .toList());
      }
      client.close();
    }
    assertTrue(exact >= 15, "every client with positions resumed exactly: " + exact);
    cluster("start-node", "3");
  }

  /**
   * A client's connection to node 1 goes silent (the node still holds it); the client resumes on
   * node 2 with lastSeq alone: node 1 hands the session over, closes its connection with 4001, and
   * the replay is exact.
   */
  @Test
  @Order(3)
  void aSessionHeldOnOneNodeResumesExactlyOnAnother() throws Exception {
    List<Integer> all = IntStream.rangeClosed(1, 10).boxed().toList();
    try (StreamSubscriber client =
        StreamSubscriber.subscribe(TYRUS, node(1), "half-open", false, "cl:h")) {
      publish(node(3), "cl:h", all.subList(0, 5));
      client.readUntil(5);
      publish(node(3), "cl:h", all.subList(5, 10));
      TestClient old = client.resumeWhileOpen(TYRUS, node(2));
      client.readUntil(10);
      assertEquals(all, client.received.get("cl:h"));
      assertEquals(4001, old.closeCode());
    }
  }

  /** Publishes each value on the channel, one after the other. @return each ack's delivered */
  private static List<Integer> publish(URI ws, String channel, List<Integer> values)
      throws Exception {
    return publish(ws, channel, values, 0);
  }

  private static List<Integer> publish(URI ws, String channel, List<Integer> values, long pauseMs)
      throws Exception {
    List<Integer> delivered = new ArrayList<>();
    try (TestClient publisher = TestClient.connect(TYRUS, ws)) {
      publisher.next("system");
      for (int value : values) {
        publisher.send(
            "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + value + "}");
        delivered.add(publisher.next("ack").getInt("delivered"));
        Thread.sleep(pauseMs);
      }
    }
    return delivered;
  }

  /**
   * Runs {@code cluster/cluster.sh} with {@code args}; its output goes to target/cluster-it.log.
   */
  private static void cluster(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("cluster/cluster.sh"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CLUSTER_DIR", DIR.toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/cluster-it.log")));
    Process process = builder.start();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "cluster.sh " + args[0] + " timed out");
    assertEquals(
        0,
        process.exitValue(),
        "cluster.sh " + String.join(" ", args) + ": see target/cluster-it.log");
  }
}
