package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.robustws.testing.TokenSigner;

/**
 * Three nodes and HAProxy, started once by the README's cluster command ({@code cluster/cluster.sh
 * start}, files under {@code target/cluster-it}): publications reach every subscriber on every node
 * once and in the channel's order; the clients of a node killed with SIGKILL resume through the
 * balancer on the others; a session still held by a half-open connection on one node resumes
 * exactly on another. The nodes verify tokens (a key set in a file, the same for all three): a
 * session belongs to its subject on every node; channels of the namespace {@code cl} are open to
 * anyone, so that the other tests' clients need none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
  private static final URI BALANCER = URI.create("ws://127.0.0.1:8000/ws");
  private static final ClientManager TYRUS = ClientManager.createClient();
  private static final TokenSigner SIGNER = new TokenSigner();
  private static final Path KEYS = Path.of("target", "cluster-it-keys.json").toAbsolutePath();

  /** The settings every node gets through cluster.sh's environment. */
  private static final Map<String, String> SETTINGS =
      Map.of(
          "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:" + KEYS,
          "MP_JWT_VERIFY_ISSUER", TokenSigner.ISSUER,
          "MP_JWT_VERIFY_AUDIENCES", TokenSigner.AUDIENCE,
          "WS_NAMESPACE_CL_SUBSCRIBE", "anyone",
          "WS_NAMESPACE_CL_PUBLISH", "anyone",
          "WS_NAMESPACE_USER_SUBSCRIBE", "owner",
          "WS_NAMESPACE_USER_PUBLISH", "owner");

  /**
   * One HTTP client for every request, so each node sees one connection from it: a client per
   * request leaves its connection open, and a node's management interface stops accepting once 100
   * are open (connection-high-water) until it closes idle ones after 60 s: its {@code /health}
   * would then answer nobody, HAProxy's checks included.
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Scrapes the three nodes' management interfaces, with docs/ops' configuration and rules. */
  private static PrometheusServer prometheus;

  @BeforeAll
  static void start() throws Exception {
    AdminUsers.admin(); // in target/server's realm before the nodes copy its configuration
    SIGNER.writeJwks(KEYS);
    cluster("start");
    prometheus = PrometheusServer.start("cluster", metricsTargets().toArray(String[]::new));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (prometheus != null) {
        prometheus.close();
      }
    } finally {
      cluster("stop");
    }
  }

  /** The nodes' management addresses, as Prometheus names them in the {@code instance} label. */
  private static List<String> metricsTargets() {
    return IntStream.rangeClosed(1, 3).mapToObj(n -> "127.0.0.1:" + (9990 + 100 * n)).toList();
  }

  /** A test that failed with a node stopped leaves it stopped: the next one starts with three. */
  @AfterEach
  void allNodesUp() throws Exception {
    for (int n = 1; n <= 3; n++) {
      cluster("start-node", Integer.toString(n));
    }
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
   * publishers on nodes 1 and 2 go on publishing while node 3 is killed, and two of node 3 publish
   * on channels of their own as it dies: those channels then take appends on the other nodes and
   * hold every publication node 3 acknowledged, once, in its acks' order. Node 3's clients resume
   * through the balancer: with positions every event once, in order; with lastSeq alone the same or
   * {@code gap} naming both channels. The others miss nothing. A session of node 3 that only
   * published, with an id, resumes too and its publication sent again is a repeat. Prometheus,
   * which scraped {@code ws_cluster_members} 3 from each node (one series per {@code instance}),
   * raises {@code WsClusterMemberLost} for the two others.
   */
  @Test
  @Order(2)
  void theClientsOfAKilledNodeResumeOnTheOthersThroughTheBalancer() throws Exception {
    prometheus.await(
        "ws_cluster_members 3 from each node",
        () -> prometheus.query("ws_cluster_members == 3"),
        data ->
            PrometheusServer.labelValues(data, "instance").equals(Set.copyOf(metricsTargets())));
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
    // a session that only published, with an id: it must resume elsewhere to send it again
    String keyed = "{\"type\":\"publish\",\"channel\":\"cl:k3\",\"data\":1,\"id\":\"k3-1\"}";
    TestClient publisher = TestClient.connect(TYRUS, node(3));
    JsonObject publisherHello = publisher.next("system");
    publisher.send(keyed);
    JsonObject keyedAck = publisher.next("ack");
    // node 3 appends too when it dies: transactions of its own may be committing (their locks on
    // the other nodes' copies must not outlive it: LeaverTransactions); a client of node 1 reads
    // those channels
    List<String> appended = List.of("cl:k4", "cl:k5");
    StreamSubscriber watcher =
        StreamSubscriber.subscribe(TYRUS, node(1), "w", true, appended.toArray(String[]::new));
    List<AckedPublisher> dying =
        List.of(
            AckedPublisher.start(TYRUS, node(3), appended.get(0), 0),
            AckedPublisher.start(TYRUS, node(3), appended.get(1), 0));
    Thread.sleep(300);
    long killedAt = System.nanoTime();
    cluster("kill-node", "3"); // returns once the process is gone (polled every 0.5 s)
    awaitMembers(1, 2, 2);
    awaitMembers(2, 2, 2);
    assertTrue(
        System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(2),
        "nodes 1 and 2 noticed the kill within 2 s");
    awaitBalancerStatus("node-3", "DOWN", 10);
    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    publishing.shutdown();
    for (AckedPublisher appending : dying) {
      assertFalse(appending.offsets.isEmpty(), "node 3 was appending");
    }
    publish(node(1), "cl:k4", List.of(-1)); // the channels node 3 appended take appends after it
    publish(node(2), "cl:k5", List.of(-1));
    for (int i = 0; i < appended.size(); i++) {
      // what node 3 acknowledged before it died is in its channel, once, in its acks' order
      List<Integer> stored = watcher.received.get(appended.get(i));
      while (!stored.contains(-1)) {
        watcher.readUntil(watcher.count() + 1);
      }
      List<Integer> acked =
          AckedPublisher.inOffsetOrder(AckedPublisher.acknowledged(List.of(dying.get(i))));
      assertEquals(acked, stored.stream().filter(acked::contains).toList(), appended.get(i));
      assertEquals(stored.size(), stored.stream().distinct().count(), appended.get(i) + " once");
    }
    watcher.close();
    for (int n = 1; n <= 2; n++) { // copies can differ only where node 3 was appending
      String log = nodeLog(n);
      assertFalse(
          log.lines()
              .filter(line -> line.contains("RWS0033"))
              .anyMatch(line -> !line.contains("cl:k4") && !line.contains("cl:k5")),
          "node-" + n + " found copies different on a channel node 3 did not append to");
    }

    for (StreamSubscriber client : others) {
      client.readUntil(2 * events);
      for (String channel : channels) {
        assertEquals(all, client.received.get(channel), client.name + " " + channel);
      }
      client.close();
    }
    int exact = 0;
    for (StreamSubscriber client : killed) {
      assertEquals(1006, client.closeCode(), client.name + ": a socket cut without a close frame");
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
    try (TestClient again = TestClient.connect(TYRUS, BALANCER)) {
      JsonObject repeated = resumeAndSendAgain(again, publisherHello, keyed);
      assertEquals(keyedAck.getJsonNumber("offset"), repeated.getJsonNumber("offset"));
    }
    publisher.close();
    prometheus.await(
        "WsClusterMemberLost on nodes 1 and 2",
        () -> prometheus.query("ALERTS{alertname=\"WsClusterMemberLost\"}"),
        data ->
            PrometheusServer.labelValues(data, "instance")
                .equals(Set.copyOf(metricsTargets().subList(0, 2))));
    cluster("start-node", "3");
    awaitBalancerStatus("node-3", "UP", 10);
  }

  /**
   * Waits until HAProxy's stats ({@code cluster/haproxy.cfg}: http://127.0.0.1:8404/stats) give the
   * server {@code name} of the backend {@code nodes} the status {@code status}, for at most {@code
   * seconds}.
   */
  private static void awaitBalancerStatus(String name, String status, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (System.nanoTime() < deadline) {
      List<String> lines = get("http://127.0.0.1:8404/stats;csv").body().lines().toList();
      List<String> columns = List.of(lines.get(0).replaceFirst("^# ", "").split(","));
      int statusColumn = columns.indexOf("status");
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.split(",", -1);
        if (fields[0].equals("nodes") && fields[1].equals(name)) {
          last = fields[statusColumn];
        }
      }
      if (last.equals(status)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("HAProxy never gave " + name + " " + status + "; last: " + last);
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

  /**
   * A session belongs to the subject that authenticated it on every node, and every node applies
   * the channel rules: alice's session, held by a silent connection on node 1, is refused on node 2
   * to a connection of no subject and to bob's ({@code invalid_token}, the session untouched), and
   * resumes there exactly on alice's; bob may neither subscribe to nor publish on alice's channel
   * on node 3, and may subscribe to a channel of a namespace without rules, which a connection of
   * no subject may not (the default rule with a key: authenticated); node 3's admin API lists
   * alice's connection on node 1 with her subject. No node logs a token.
   */
  @Test
  @Order(3)
  void aSessionResumesOnAnotherNodeOnlyForItsSubject() throws Exception {
    String alice = SIGNER.rs256("alice", 600);
    String bob = SIGNER.rs256("bob", 600);
    List<Integer> all = IntStream.rangeClosed(1, 10).boxed().toList();
    try (StreamSubscriber client =
            StreamSubscriber.authenticated(TYRUS, node(1), "alice", alice, "user:alice");
        TestClient stranger = TestClient.connect(TYRUS, node(3))) {
      stranger.next("system");
      stranger.authenticate(bob);
      for (String type : List.of("subscribe", "publish")) {
        stranger.send(
            "{\"type\":\"" + type + "\",\"channel\":\"user:alice\",\"data\":0,\"id\":\"b\"}");
        assertEquals("forbidden", stranger.next("error").getString("error"), type);
      }
      // a namespace without rules of its own: with a key configured, authenticated connections only
      stranger.send("{\"type\":\"subscribe\",\"channel\":\"norules:x\"}");
      stranger.next("subscribed");
      try (TestClient anonymous = TestClient.connect(TYRUS, node(2))) {
        anonymous.next("system");
        anonymous.send("{\"type\":\"subscribe\",\"channel\":\"norules:x\"}");
        assertEquals("forbidden", anonymous.next("error").getString("error"), "no subject");
      }
      HttpResponse<String> list = api("GET", 3, "/api/connections?limit=1000");
      List<String> aliceOn =
          StreamSubscriber.json(list.body()).getJsonArray("items").stream()
              .map(JsonValue::asJsonObject)
              .filter(item -> "alice".equals(item.getString("sub", null)))
              .map(item -> item.getString("node"))
              .toList();
      assertEquals(List.of("node-1"), aliceOn, list.body());

      publish(node(2), alice, "user:alice", all.subList(0, 5), 0);
      client.readUntil(5);
      publish(node(3), alice, "user:alice", all.subList(5, 10), 0);
      for (String other : Arrays.asList(null, bob)) {
        JsonObject refused = client.resumeRefusedAs(TYRUS, node(2), other);
        assertEquals("invalid_token", refused.getString("reason"), String.valueOf(other));
      }
      TestClient old = client.resumeWhileOpen(TYRUS, node(2));
      client.readUntil(10);
      assertEquals(all, client.received.get("user:alice"));
      assertEquals(4001, old.closeCode());
    }
    for (int n = 1; n <= 3; n++) {
      String log = nodeLog(n);
      assertFalse(log.contains(alice) || log.contains(bob), "a token in node-" + n + "'s log");
    }
  }

  /**
   * A publication sent again on another node, after the session moved there, is answered with the
   * first one's place, delivered to nobody and not stored again: its key went with the event, to
   * every node. A subscriber on a third node gets it once.
   */
  @Test
  @Order(3)
  void aPublicationSentAgainOnAnotherNodeIsAppliedOnce() throws Exception {
    String publish = "{\"type\":\"publish\",\"channel\":\"cl:once\",\"data\":1,\"id\":\"once-1\"}";
    try (TestClient first = TestClient.connect(TYRUS, node(1));
        StreamSubscriber watcher =
            StreamSubscriber.subscribe(TYRUS, node(3), "once", false, "cl:once")) {
      JsonObject hello = first.next("system");
      first.send(publish);
      JsonObject ack = first.next("ack");
      assertEquals(1, ack.getInt("delivered"), "the subscriber on node 3");
      // opened after the first: a resume moves a session only to a newer connection
      TestClient second = TestClient.connect(TYRUS, node(2));
      JsonObject again = resumeAndSendAgain(second, hello, publish);
      assertEquals(ack.getJsonNumber("offset"), again.getJsonNumber("offset"));
      assertEquals(ack.getString("epoch"), again.getString("epoch"));
      assertEquals(0, again.getInt("delivered"), "a repeat is delivered to nobody");
      try (TestClient third = TestClient.connect(TYRUS, node(3))) {
        third.next("system");
        third.send("{\"type\":\"publish\",\"channel\":\"cl:once\",\"data\":2}");
        assertEquals(
            ack.getJsonNumber("offset").longValue() + 1,
            third.next("ack").getJsonNumber("offset").longValue(),
            "stored once: the next event on any node comes right after it");
      }
      watcher.readUntil(2);
      assertEquals(List.of(1, 2), watcher.received.get("cl:once"), "node 3's subscriber");
      second.close();
    }
  }

  /**
   * The JGroups coordinator (the oldest node) stops (SIGTERM, no drain before) while publishers on
   * the two others send as fast as they are acknowledged; the next oldest becomes the coordinator.
   * On a coordinator change Infinispan gathers the caches' state from every member; with a merge
   * policy it also resolved conflicts then, key by key, while appends were committed on some nodes
   * only (cluster/configure-node.cli). A session subscribed before resumes from its start on a
   * survivor: every acknowledged publication once, at the offset its ack named, no offset
   * acknowledged twice, no publication refused. A client of the stopping node gets {@code
   * system/shutdown} with {@code reconnectAfter}, then 1012, and resumes exactly on a survivor.
   */
  @Test
  @Order(4)
  void theCoordinatorStoppingUnderPublishingKeepsTheStreamWhole() throws Exception {
    int coordinator = coordinator();
    List<String> view = List.of(clusterState(readiness(coordinator)).getString("view").split(","));
    assertEquals("node-" + coordinator, view.get(0), "the oldest is the coordinator: " + view);
    int first = coordinator % 3 + 1;
    int second = first % 3 + 1;
    String channel = "cl:coordinator";
    try (StreamSubscriber session =
            StreamSubscriber.subscribe(TYRUS, node(first), "from-start", false, channel);
        StreamSubscriber stopped =
            StreamSubscriber.subscribe(TYRUS, node(coordinator), "stopped", true, channel)) {
      AckedPublisher one = AckedPublisher.start(TYRUS, node(first), channel, 1_000_000);
      AckedPublisher two = AckedPublisher.start(TYRUS, node(second), channel, 2_000_000);
      Thread.sleep(1_500);
      cluster("stop-node", Integer.toString(coordinator));
      assertEquals(view.get(1), "node-" + coordinator(), "the next oldest took over");
      assertEquals(1012, stopped.closeCode(), "the stopped node's client");
      stopped.readQueued();
      assertTrue(
          stopped.shutdown != null && stopped.shutdown.getInt("reconnectAfter") > 0,
          "system/shutdown with reconnectAfter before the 1012");
      Thread.sleep(2_500);
      one.halt();
      two.halt();
      assertEquals(List.of(), one.errors, "node " + first + "'s publisher");
      assertEquals(List.of(), two.errors, "node " + second + "'s publisher");
      Map<Integer, Long> acked = AckedPublisher.acknowledged(List.of(one, two));

      for (StreamSubscriber client : List.of(session, stopped)) {
        JsonObject answer = client.resumeOn(TYRUS, node(second));
        assertEquals("resumed", answer.getString("type"), client + ": " + answer);
        client.readUntil(acked.size());
        assertEquals(
            AckedPublisher.inOffsetOrder(acked),
            client.received.get(channel),
            client + ": " + acked.size() + " acknowledged");
        assertEquals(acked, client.offsets.get(channel), client + ": at the offsets acked");
      }
    }
    cluster("start-node", Integer.toString(coordinator));
  }

  /**
   * The node whose readiness says it is the view's coordinator, of those that answer; asked again
   * for up to 5 s while none does (a view change under way).
   */
  private static int coordinator() throws Exception {
    for (int attempt = 0; attempt < 25; attempt++) {
      for (int n = 1; n <= 3; n++) {
        try {
          if (clusterState(readiness(n)).getBoolean("coordinator")) {
            return n;
          }
        } catch (IOException stopped) {
          // not running
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no node says it is the coordinator");
  }

  /**
   * Each node in turn is drained ({@code POST /api/drain} to it: that node's readiness turns DOWN,
   * the others' stays UP, its clients get 1012), stopped (SIGTERM), started again and waited for,
   * while a publisher on each of the two other nodes publishes to one channel all along (they move
   * away from the node about to stop). 30 clients connected through the balancer resume through it
   * whenever their node stops: each gets every acknowledged publication once, in the order of the
   * offsets their acks named, no offset is acknowledged twice, and every close they see is 1012
   * after {@code system/shutdown} with {@code reconnectAfter}, none 1006. No node is ready again
   * before it is in the whole view with the caches' state.
   */
  @Test
  @Order(4)
  void aRollingRestartUnderPublishingLosesNothing() throws Exception {
    List<StreamSubscriber> clients = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clients.add(StreamSubscriber.subscribe(TYRUS, BALANCER, "r" + i, true, "cl:roll"));
    }
    List<AckedPublisher> publishers =
        List.of(
            AckedPublisher.start(TYRUS, node(2), "cl:roll", 1_000_000, 50),
            AckedPublisher.start(TYRUS, node(3), "cl:roll", 2_000_000, 50));
    List<Integer> closes = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      publishers.get(0).moveTo(node(n % 3 + 1));
      publishers.get(1).moveTo(node((n + 1) % 3 + 1));
      assertEquals(202, api("POST", n, "/api/drain").statusCode(), "drain node-" + n);
      for (int m = 1; m <= 3; m++) {
        assertEquals(m == n ? 503 : 200, readyStatus(m), "readiness of node-" + m);
      }
      cluster("stop-node", Integer.toString(n));
      for (StreamSubscriber client : clients) {
        if (client.isClosed()) {
          closes.add(client.closeCode());
          client.shutdown = null;
          client.readQueued(); // what it had: the stream keeps 1,000 events, fewer than published
          assertTrue(
              client.shutdown != null && client.shutdown.getInt("reconnectAfter") > 0,
              client + ": system/shutdown with reconnectAfter before the 1012");
          JsonObject answer = client.resumeOn(TYRUS, BALANCER);
          assertEquals("resumed", answer.getString("type"), client + ": " + answer);
        }
      }
      startWatchingReadiness(n);
    }
    for (AckedPublisher publisher : publishers) {
      publisher.halt();
      assertEquals(List.of(), publisher.errors, "publications refused");
    }
    Map<Integer, Long> acked = AckedPublisher.acknowledged(publishers);
    assertTrue(closes.size() >= 30, "every client's node stopped once: " + closes.size());
    assertEquals(List.of(1012), closes.stream().distinct().toList(), "closes seen");
    List<Integer> all = AckedPublisher.inOffsetOrder(acked);
    for (StreamSubscriber client : clients) {
      client.readUntil(all.size());
      assertEquals(all, client.received.get("cl:roll"), client.name);
      assertEquals(acked, client.offsets.get("cl:roll"), client.name + ": at the offsets acked");
      client.close();
    }
  }

  /**
   * The admin API on any node answers for the cluster: the connections of every node, oldest first,
   * each naming its node; a direct message to and a DELETE of a connection another node holds;
   * every node's figures and their sum; a broadcast that reaches the clients of every node and
   * counts them, and one to a channel that reaches its subscribers on every node. Each node's
   * metrics count three members. HAProxy passes the test page, the API and /ws-legacy on.
   */
  @Test
  @Order(5)
  void theAdminApiOfOneNodeActsOnTheWholeCluster() throws Exception {
    List<TestClient> clients = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int n = 3; n >= 1; n--) { // opened from node 3 to node 1: the oldest on node 3
      TestClient client = TestClient.connect(TYRUS, node(n));
      ids.add(0, client.next("system").getString("clientId"));
      clients.add(0, client);
      Thread.sleep(20);
    }
    HttpResponse<String> list = api("GET", 1, "/api/connections?limit=1000");
    assertEquals(200, list.statusCode(), list.body());
    List<JsonObject> items =
        StreamSubscriber.json(list.body()).getJsonArray("items").getValuesAs(JsonObject.class);
    List<String> listed =
        items.stream().map(item -> item.getString("id")).filter(ids::contains).toList();
    assertEquals(
        List.of(ids.get(2), ids.get(1), ids.get(0)),
        listed,
        "oldest first, whichever node holds them");
    for (JsonObject item : items) {
      int n = ids.indexOf(item.getString("id")) + 1;
      if (n > 0) {
        assertEquals("node-" + n, item.getString("node"), item.toString());
      }
    }
    assertEquals(200, api("GET", 2, "/api/connections/" + ids.get(2)).statusCode());

    HttpResponse<String> broadcast = api("POST", 1, "/api/broadcast", "{\"data\":\"to all\"}");
    assertEquals(200, broadcast.statusCode(), broadcast.body());
    assertTrue(
        StreamSubscriber.json(broadcast.body()).getInt("delivered") >= 3,
        "counted on every node: " + broadcast.body());
    for (TestClient client : clients) {
      assertEquals("to all", client.next("broadcast").getString("data"));
    }
    List<StreamSubscriber> subscribers = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      subscribers.add(StreamSubscriber.subscribe(TYRUS, node(n), "a" + n, false, "cl:admin"));
    }
    HttpResponse<String> toChannel =
        api("POST", 2, "/api/broadcast", "{\"channel\":\"cl:admin\",\"data\":7}");
    assertEquals(200, toChannel.statusCode(), toChannel.body());
    assertEquals(
        3,
        StreamSubscriber.json(toChannel.body()).getInt("delivered"),
        "the channel's subscribers on every node: " + toChannel.body());
    for (StreamSubscriber subscriber : subscribers) {
      subscriber.readUntil(1);
      assertEquals(List.of(7), subscriber.received.get("cl:admin"), subscriber.name);
      subscriber.close();
    }

    HttpResponse<String> direct =
        api("POST", 1, "/api/connections/" + ids.get(1) + "/direct", "{\"kick\":\"reload\"}");
    assertEquals(204, direct.statusCode(), direct.body());
    assertEquals("reload", clients.get(1).next("direct").getJsonObject("data").getString("kick"));
    assertEquals(404, api("POST", 1, "/api/connections/nobody/direct", "1").statusCode());
    assertEquals(400, api("POST", 1, "/api/connections/nobody/direct", "{no").statusCode());
    for (int n = 1; n <= 3; n++) {
      URI metrics = URI.create("http://127.0.0.1:" + (9990 + 100 * n) + "/prometheus");
      assertEquals(3.0, Scrape.fetch(metrics).value("ws_cluster_members", ""), "node-" + n);
    }

    HttpResponse<String> closed =
        api("DELETE", 1, "/api/connections/" + ids.get(2) + "?code=4000&reason=bye");
    assertEquals(204, closed.statusCode(), closed.body());
    assertEquals(4000, clients.get(2).closeCode());
    assertEquals(404, api("DELETE", 1, "/api/connections/" + ids.get(2)).statusCode());

    // the balancer passes the page, the API and the legacy endpoint on as it does /ws
    assertEquals(200, get("http://127.0.0.1:8000/robust-websocket-test.html").statusCode());
    assertEquals(200, get("http://127.0.0.1:8000/api/stats").statusCode());
    try (TestClient legacy =
        TestClient.connect(TYRUS, URI.create("ws://127.0.0.1:8000/ws-legacy"))) {
      assertTrue(legacy.session().isOpen(), "/ws-legacy through HAProxy");
    }

    HttpResponse<String> stats = api("GET", 2, "/api/stats");
    assertEquals(200, stats.statusCode(), stats.body());
    JsonObject figures =
        jakarta.json.Json.createReader(new StringReader(stats.body())).readObject();
    int open = 0;
    for (int n = 1; n <= 3; n++) {
      open +=
          figures
              .getJsonObject("nodes")
              .getJsonObject("node-" + n)
              .getJsonObject("connections")
              .getInt("total");
    }
    JsonObject cluster = figures.getJsonObject("cluster");
    assertEquals(3, cluster.getInt("nodes"), stats.body());
    assertEquals(open, cluster.getJsonObject("connections").getInt("total"), stats.body());
    assertTrue(open >= 2, "the two clients still open, on node-1 and node-2: " + stats.body());
    for (TestClient client : clients) {
      client.close();
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> api(String method, int node, String path) throws Exception {
    return api(method, node, path, null);
  }

  private static HttpResponse<String> api(String method, int node, String path, String json)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (8080 + 100 * node) + path))
            .header("Authorization", AdminUsers.admin());
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Node 3 is frozen (SIGSTOP) for 15 s, longer than the failure detection's 10 s: nodes 1 and 2, a
   * majority, go on; a client of node 1 gets every event published on node 2 meanwhile. When node 3
   * runs again it merges back and is ready; its own client, silent meanwhile, gets what was
   * published while it was cut off, once and in order, and resumes exactly on node 1 afterwards.
   */
  @Test
  @Order(6)
  void aFrozenNodeIsLeftOutAndMergesBackWithWhatItMissed() throws Exception {
    List<Integer> all = IntStream.rangeClosed(1, 20).boxed().toList();
    try (StreamSubscriber majority =
            StreamSubscriber.subscribe(TYRUS, node(1), "majority", true, "cl:split");
        StreamSubscriber frozen =
            StreamSubscriber.subscribe(TYRUS, node(3), "frozen", true, "cl:split")) {
      publish(node(2), "cl:split", all.subList(0, 5));
      frozen.readUntil(5);
      signal("STOP", 3);
      try {
        awaitMembers(1, 2, 30);
        publish(node(2), "cl:split", all.subList(5, 15));
        majority.readUntil(15);
        assertEquals(all.subList(0, 15), majority.received.get("cl:split"));
      } finally {
        signal("CONT", 3);
      }
      awaitMembers(1, 3, 90);
      awaitMembers(3, 3, 30);
      publish(node(1), "cl:split", all.subList(15, 20));
      majority.readUntil(20);
      assertEquals(all, majority.received.get("cl:split"));
      if (frozen.isClosed()) {
        // node 3 could not read what it missed from its copy yet (on the merge it drops its copies
        // and receives the majority's): it closed its client as it closes one it cannot catch up
        assertEquals(4008, frozen.closeCode(), "the frozen node's close");
        assertEquals("resumed", frozen.resumeOn(TYRUS, BALANCER).getString("type"));
      }
      frozen.readUntil(20);
      assertEquals(all, frozen.received.get("cl:split"));
    }
  }

  /**
   * Waits until node {@code n}'s readiness check reports {@code count} members, for at most {@code
   * seconds}; an answer that takes more than 5 s (a view change under way) counts as not yet.
   */
  private static void awaitMembers(int n, int count, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        last = readiness(n);
        if (clusterState(last).getInt("members") == count) {
          return;
        }
      } catch (HttpTimeoutException notYet) {
        last = "no answer within 5 s";
      }
      Thread.sleep(200);
    }
    threadDump(n);
    throw new AssertionError("node " + n + " never saw " + count + " members; last: " + last);
  }

  /**
   * Node {@code n}'s threads, to target/cluster-it/node-N.threads.txt: what kept it from answering.
   */
  private static void threadDump(int n) throws Exception {
    String pid = pid(n);
    new ProcessBuilder("jcmd", pid, "Thread.print")
        .redirectErrorStream(true)
        .redirectOutput(DIR.resolve("node-" + n + ".threads.txt").toFile())
        .start()
        .waitFor(30, TimeUnit.SECONDS);
  }

  /** Sends {@code SIG<name>} to node {@code n}'s JVM. */
  private static void signal(String name, int n) throws Exception {
    String pid = pid(n);
    Process kill = new ProcessBuilder("kill", "-" + name, pid).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
  }

  /**
   * Nodes 2 and 3 frozen together: node 1 is left with one of the three members of its last view,
   * the side without a majority. Its caches turn {@code DEGRADED_MODE} ({@code DENY_READ_WRITES}):
   * its readiness is DOWN (HTTP 503) and a publication there is answered with {@code internal} and
   * stored nowhere, while its client stays connected. Once the two run again the three merge, node
   * 1 is ready and the next publication there is the channel's next offset and reaches the client;
   * once the cluster is idle, no node keeps a core busy.
   */
  @Test
  @Order(7)
  void aNodeWithoutAMajorityIsNotReadyAndRefusesPublications() throws Exception {
    try (StreamSubscriber client =
        StreamSubscriber.subscribe(TYRUS, node(1), "alone", true, "cl:alone")) {
      publish(node(1), "cl:alone", List.of(1));
      client.readUntil(1);
      // the merge of the test before is over on every node, and so are the caches' rebalances
      for (int n = 1; n <= 3; n++) {
        awaitMembers(n, 3, 60);
        awaitReady(n, 20);
      }
      Thread.sleep(3_000);
      signal("STOP", 2);
      signal("STOP", 3);
      try {
        awaitMembers(1, 1, 60);
        String check = readiness(1);
        for (int i = 0; i < 50 && !bothDegraded(check); i++) {
          Thread.sleep(200); // each cache degrades once it takes in the new view
          check = readiness(1);
        }
        assertEquals(503, readyStatus(1), check);
        assertTrue(check.matches("(?s).*\"streams\"\\s*:\\s*\"DEGRADED_MODE\".*"), check);
        assertTrue(check.matches("(?s).*\"sessions\"\\s*:\\s*\"DEGRADED_MODE\".*"), check);
        try (TestClient publisher = TestClient.connect(TYRUS, node(1))) {
          publisher.next("system");
          publisher.send(
              "{\"type\":\"publish\",\"channel\":\"cl:alone\",\"id\":\"p-1\",\"data\":2}");
          JsonObject refused = publisher.next("error");
          assertEquals("internal", refused.getString("error"), refused.toString());
          assertEquals("p-1", refused.getString("ref"), refused.toString());
        }
        assertFalse(client.isClosed(), "the client of the node without a majority stays connected");
      } finally {
        signal("CONT", 2);
        signal("CONT", 3);
      }
      for (int n = 1; n <= 3; n++) {
        awaitMembers(n, 3, 90);
      }
      // the caches leave DEGRADED_MODE once their own merge is done, after the view's
      awaitReady(1, 60);
      assertEquals(200, readyStatus(1), readiness(1));
      publish(node(1), "cl:alone", List.of(3));
      client.readUntil(2);
      assertEquals(List.of(1, 3), client.received.get("cl:alone"));
      assertEquals(2, client.lastOffset("cl:alone"), "the refused publication was stored nowhere");
    }
    Thread.sleep(5_000);
    assertNoNodeBusy();
  }

  /** Whether both caches are in {@code DEGRADED_MODE} in a {@code /health/ready} answer. */
  private static boolean bothDegraded(String readiness) {
    JsonObject state = clusterState(readiness);
    return state.getString("streams").equals("DEGRADED_MODE")
        && state.getString("sessions").equals("DEGRADED_MODE");
  }

  /**
   * No node uses half a core over 5 s once the cluster is idle: after a merge, a JGroups bundler
   * (JGRP-3008) and a session-record write from a stale copy each once kept a node's core busy for
   * good.
   */
  private static void assertNoNodeBusy() throws Exception {
    long[] before = new long[4];
    for (int n = 1; n <= 3; n++) {
      before[n] = cpuTicks(n);
    }
    Thread.sleep(5_000);
    for (int n = 1; n <= 3; n++) {
      long used = cpuTicks(n) - before[n];
      if (used >= 250) {
        threadDump(n);
      }
      assertTrue(used < 250, "node " + n + " used " + used + " of 500 ticks (one core) while idle");
    }
  }

  /** The CPU time node {@code n}'s JVM has used, in clock ticks (100 per second). */
  private static long cpuTicks(int n) throws Exception {
    String pid = pid(n);
    String stat = Files.readString(Path.of("/proc", pid, "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
  }

  /** Node {@code n}'s server.log (of its current life). */
  private static String nodeLog(int n) throws Exception {
    return Files.readString(DIR.resolve("node-" + n + "/log/server.log"));
  }

  /** Node {@code n}'s JVM process id, as cluster.sh wrote it. */
  private static String pid(int n) throws Exception {
    return Files.readString(DIR.resolve("node-" + n + ".pid")).trim();
  }

  /**
   * Starts node {@code n} (cluster.sh waits until it is ready) while its {@code /health/ready} is
   * asked every 100 ms. Until its deployment is up nothing answers there (a refused check is DOWN
   * to HAProxy), and the deployment waits for the caches, which start once they received their
   * state from the others: every UP it answers has it in the whole view, both caches available.
   */
  private static void startWatchingReadiness(int n) throws Exception {
    List<String> upAnswers = new CopyOnWriteArrayList<>();
    AtomicBoolean started = new AtomicBoolean();
    Thread watcher =
        new Thread(
            () -> {
              while (!started.get()) {
                try {
                  HttpResponse<String> answer = ready(n);
                  if (answer.statusCode() == 200) {
                    upAnswers.add(answer.body());
                  }
                } catch (Exception notListening) {
                  // the management interface opens once the deployment is up
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
              }
            });
    watcher.start();
    cluster("start-node", Integer.toString(n));
    started.set(true);
    watcher.join();
    upAnswers.add(readiness(n));
    for (String up : upAnswers) {
      JsonObject data = clusterState(up);
      assertEquals(3, data.getInt("members"), up);
      assertEquals("AVAILABLE", data.getString("streams"), up);
      assertEquals("AVAILABLE", data.getString("sessions"), up);
    }
  }

  /** The {@code data} of the {@code cluster-state} check in a {@code /health/ready} answer. */
  private static JsonObject clusterState(String readiness) {
    return StreamSubscriber.json(readiness).getJsonArray("checks").stream()
        .map(JsonValue::asJsonObject)
        .filter(check -> "cluster-state".equals(check.getString("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no cluster-state check: " + readiness))
        .getJsonObject("data");
  }

  /** Waits until node {@code n} is ready, for at most {@code seconds}; the caller asserts it. */
  private static void awaitReady(int n, int seconds) throws Exception {
    for (int i = 0; i < seconds * 5 && readyStatus(n) != 200; i++) {
      Thread.sleep(200);
    }
  }

  /**
   * All three nodes stopped and started: the caches live in memory only, so nothing is kept. A
   * session resumes as {@code unknown} (the client starts a new one) and a channel's stream starts
   * again at offset 1 in a new epoch. In between, node 1 started alone works as a cluster of one:
   * ready with one member, it takes publications, and a session resumes on it exactly.
   */
  @Test
  @Order(8)
  void aFullStopOfAllThreeNodesKeepsNothing() throws Exception {
    for (int n = 1; n <= 3; n++) { // the merge of the test before is over on every node
      awaitMembers(n, 3, 90);
      awaitReady(n, 60);
    }
    StreamSubscriber client =
        StreamSubscriber.subscribe(TYRUS, BALANCER, "full-stop", true, "cl:full");
    publish(node(1), "cl:full", List.of(1, 2, 3));
    client.readUntil(3);
    String epoch = client.lastEpoch("cl:full");
    cluster("stop");
    cluster("start-node", "1");
    awaitMembers(1, 1, 5);
    try (StreamSubscriber lone =
        StreamSubscriber.subscribe(TYRUS, node(1), "lone", true, "cl:lone")) {
      publish(node(1), "cl:lone", List.of(1, 2));
      lone.readUntil(2);
      lone.close(); // its connection: the session waits for a resume
      publish(node(1), "cl:lone", List.of(3));
      assertEquals(1, lone.resume(TYRUS, node(1)), "replayed on the lone node");
      assertEquals(List.of(1, 2, 3), lone.received.get("cl:lone"));
    }
    cluster("stop-node", "1");
    cluster("start");
    JsonObject answer = client.resumeOn(TYRUS, BALANCER);
    assertEquals("resume_failed", answer.getString("type"), answer.toString());
    assertEquals("unknown", answer.getString("reason"), answer.toString());
    try (StreamSubscriber fresh =
        StreamSubscriber.subscribe(TYRUS, BALANCER, "after", false, "cl:full")) {
      publish(node(2), "cl:full", List.of(4));
      fresh.readUntil(1);
      assertEquals(1, fresh.lastOffset("cl:full"), "the stream starts again");
      assertNotEquals(epoch, fresh.lastEpoch("cl:full"), "in a new epoch");
    }
    client.close();
  }

  /**
   * On a new connection, resumes the session {@code hello} announced and sends {@code publish}
   * again. @return its ack, which says it is a repeat
   */
  private static JsonObject resumeAndSendAgain(TestClient client, JsonObject hello, String publish)
      throws Exception {
    client.next("system");
    client.send(
        "{\"type\":\"resume\",\"sessionId\":\""
            + hello.getString("sessionId")
            + "\",\"resumeToken\":\""
            + hello.getString("resumeToken")
            + "\",\"lastSeq\":0}");
    assertEquals("resumed", client.next("resumed").getString("type"));
    client.send(publish);
    JsonObject ack = client.next("ack");
    assertTrue(ack.getBoolean("repeated"), ack.toString());
    return ack;
  }

  /** Node {@code n}'s {@code /health/ready} answer. */
  private static String readiness(int n) throws Exception {
    return ready(n).body();
  }

  private static int readyStatus(int n) throws Exception {
    return ready(n).statusCode();
  }

  private static HttpResponse<String> ready(int n) throws Exception {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + (9990 + 100 * n) + "/health/ready"))
              .timeout(java.time.Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException silent) {
      threadDump(n); // what kept it from answering
      throw silent;
    }
  }

  /** Publishes each value on the channel, one after the other. @return each ack's delivered */
  private static List<Integer> publish(URI ws, String channel, List<Integer> values)
      throws Exception {
    return publish(ws, null, channel, values, 0);
  }

  private static List<Integer> publish(URI ws, String channel, List<Integer> values, long pauseMs)
      throws Exception {
    return publish(ws, null, channel, values, pauseMs);
  }

  /** The same from a connection that authenticates with {@code jwt} first, unless it is null. */
  private static List<Integer> publish(
      URI ws, String jwt, String channel, List<Integer> values, long pauseMs) throws Exception {
    List<Integer> delivered = new ArrayList<>();
    try (TestClient publisher = TestClient.connect(TYRUS, ws)) {
      publisher.next("system");
      if (jwt != null) {
        publisher.authenticate(jwt);
      }
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
    builder.environment().putAll(SETTINGS);
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
