package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin REST API at {@code /api}: BASIC with role {@code ws-admin} through Elytron, public
 * stats. Other tests' connections may still be closing: assertions look for this test's own. Drain
 * is in {@link AdminDrainIT}, because it leaves the deployment draining.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {
  private final ClientManager container = ClientManager.createClient();
  private String admin;
  private AdminHttp api;

  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @BeforeEach
  void setUp() throws Exception {
    admin = AdminUsers.admin();
    api = new AdminHttp(base);
  }

  /**
   * A client and, on {@code /ws}, its ids from {@code system/connected}. Closing waits for the
   * server's close frame, which it sends after its close callback has removed the connection, so
   * the next test does not see it.
   */
  private record Ws(TestClient client, String id, String sessionId) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      client.close();
      client.closeCode();
    }
  }

  private Ws ws() throws Exception {
    TestClient client = TestClient.connect(container, Deployments.ws(base, "/ws"));
    JsonObject hello = client.next("system");
    return new Ws(client, hello.getString("clientId"), hello.getString("sessionId"));
  }

  /** A {@code /ws-legacy} client, registered (it has answered a ping); it has no known id. */
  private Ws legacy() throws Exception {
    TestClient client = TestClient.connect(container, Deployments.ws(base, "/ws-legacy"));
    client.send("{\"type\":\"ping\"}");
    client.next("pong");
    return new Ws(client, null, null);
  }

  @Test
  void listsWithFiltersAndPages() throws Exception {
    try (Ws first = ws();
        Ws second = ws();
        Ws legacy = legacy()) {
      JsonObject all = ok(api.get("/connections", admin));
      assertEquals(0, all.getInt("offset"));
      assertEquals(100, all.getInt("limit"));
      assertTrue(all.getInt("total") >= 3, all.toString());
      assertEquals(all.getInt("total"), all.getJsonArray("items").size());
      assertTrue(ids(all).containsAll(List.of(first.id(), second.id())));

      JsonObject ws = ok(api.get("/connections?endpoint=ws&state=connected", admin));
      assertTrue(ids(ws).containsAll(List.of(first.id(), second.id())));
      for (JsonObject item : items(ws)) {
        assertEquals("ws", item.getString("endpoint"));
        assertEquals("connected", item.getString("state"));
      }
      // oldest first: the second client comes right after the first among the open /ws ones (any
      // left from other tests are older and closed before those tests ended)
      int at = ids(ws).indexOf(first.id());
      JsonObject page =
          ok(api.get("/connections?endpoint=ws&state=connected&limit=1&offset=" + at, admin));
      assertEquals(1, page.getInt("limit"));
      assertEquals(at, page.getInt("offset"));
      assertEquals(List.of(first.id()), ids(page));
      JsonObject next =
          ok(api.get("/connections?endpoint=ws&state=connected&limit=1&offset=" + (at + 1), admin));
      assertEquals(List.of(second.id()), ids(next));
      assertEquals(ws.getInt("total"), next.getInt("total"));

      JsonObject legacies = ok(api.get("/connections?endpoint=legacy", admin));
      assertTrue(legacies.getInt("total") >= 1);
      assertFalse(ids(legacies).contains(first.id()));
      for (JsonObject item : items(legacies)) {
        assertEquals("legacy", item.getString("endpoint"));
      }
      assertEquals(0, ok(api.get("/connections?state=disconnected", admin)).getInt("total"));

      assertEquals(1000, ok(api.get("/connections?limit=5000", admin)).getInt("limit"));
      assertError(400, api.get("/connections?endpoint=wss", admin));
      assertError(400, api.get("/connections?state=open", admin));
      assertError(400, api.get("/connections?offset=-1", admin));
      assertError(400, api.get("/connections?limit=0", admin));
    }
  }

  @Test
  void getsOneConnectionWithAllItsMetadata() throws Exception {
    try (Ws client = ws()) {
      client.client().send("{\"type\":\"subscribe\",\"channel\":\"admin-meta\"}");
      client.client().next("subscribed");
      JsonObject connection = ok(api.get("/connections/" + client.id(), admin));
      assertEquals(client.id(), connection.getString("id"));
      assertEquals("ws", connection.getString("endpoint"));
      assertEquals("connected", connection.getString("state"));
      assertEquals(client.sessionId(), connection.getString("sessionId"));
      assertEquals("admin-meta", connection.getJsonArray("subscriptions").getString(0));
      assertTrue(connection.getString("remoteAddress").startsWith("127."));
      assertTrue(connection.getJsonNumber("connectedAt").longValue() > 0);
      assertTrue(connection.getJsonNumber("messagesIn").longValue() >= 1);
      assertTrue(connection.getJsonNumber("messagesOut").longValue() >= 2);
      for (String field :
          List.of(
              "userAgent",
              "origin",
              "subprotocol",
              "lastSeenAt",
              "bytesIn",
              "bytesOut",
              "sendFailures",
              "queuedFrames",
              "lastRttMillis")) {
        assertTrue(connection.containsKey(field), field + " missing in " + connection);
      }
    }
  }

  @Test
  void unknownConnectionsAre404() throws Exception {
    assertError(404, api.get("/connections/c-nobody", admin));
    assertError(404, api.delete("/connections/c-nobody", admin));
  }

  @Test
  void deleteClosesTheClientWithTheGivenCode() throws Exception {
    try (Ws client = ws()) {
      assertError(400, api.delete("/connections/" + client.id() + "?code=1002", admin));
      assertError(400, api.delete("/connections/" + client.id() + "?code=5000", admin));
      assertError(400, api.delete("/connections/" + client.id() + "?code=abc", admin));
      assertError(
          400, api.delete("/connections/" + client.id() + "?reason=" + "x".repeat(124), admin));
      // the bound is 123 UTF-8 bytes: 62 two-byte characters are over it, 61 are not
      assertError(
          400, api.delete("/connections/" + client.id() + "?reason=" + encoded("é", 62), admin));

      HttpResponse<String> closed =
          api.delete(
              "/connections/" + client.id() + "?code=4321&reason=" + encoded("é", 61), admin);
      assertEquals(204, closed.statusCode(), closed.body());
      CloseReason reason =
          client.client().closed.get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(4321, reason.getCloseCode().getCode());
      assertEquals("é".repeat(61), reason.getReasonPhrase());
    }
    try (Ws client = ws()) {
      assertEquals(204, api.delete("/connections/" + client.id(), admin).statusCode());
      assertEquals(1000, client.client().closeCode());
    }
  }

  /** {@code text} {@code times} over, encoded for a query string. */
  private static String encoded(String text, int times) {
    return URLEncoder.encode(text.repeat(times), StandardCharsets.UTF_8);
  }

  /** Three operators close the same connection at once: one of them did it, the others are told. */
  @Test
  void concurrentDeletesCloseOnceAndTheOthersGet404() throws Exception {
    for (int round = 0; round < 5; round++) {
      try (Ws client = ws()) {
        String path = "/connections/" + client.id();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          calls.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return api.delete(path, admin).statusCode();
                    } catch (Exception e) {
                      throw new CompletionException(e);
                    }
                  }));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Integer> call : calls) {
          statuses.add(call.get(10, TimeUnit.SECONDS));
        }
        Collections.sort(statuses);
        assertEquals(List.of(204, 404, 404), statuses);
        assertEquals(1000, client.client().closeCode());
      }
    }
  }

  @Test
  void broadcastToAChannelReachesItsSubscriber() throws Exception {
    try (Ws subscriber = ws();
        Ws bystander = ws()) {
      subscriber.client().send("{\"type\":\"subscribe\",\"channel\":\"admin-news\"}");
      subscriber.client().next("subscribed");
      JsonObject delivered =
          ok(api.post("/broadcast", "{\"channel\":\"admin-news\",\"data\":{\"x\":1}}", admin));
      assertEquals(1, delivered.getInt("delivered"));
      JsonObject event = subscriber.client().next("event");
      assertEquals("admin-news", event.getString("channel"));
      assertEquals(1, event.getJsonObject("data").getInt("x"));

      assertError(400, api.post("/broadcast", "{\"channel\":\"no spaces\",\"data\":1}", admin));
      assertError(400, api.post("/broadcast", "{\"channel\":7,\"data\":1}", admin));
      assertError(400, api.post("/broadcast", "{\"channel\":\"admin-news\"}", admin));
      assertError(400, api.post("/broadcast", "{\"data\":", admin));
      assertError(400, api.post("/broadcast", "[1]", admin));
      assertTrue(bystander.client().texts.stream().noneMatch(t -> t.contains("admin-news")));
    }
  }

  @Test
  void broadcastToAllReachesLegacyClients() throws Exception {
    try (Ws legacy = legacy();
        Ws client = ws()) {
      JsonObject delivered = ok(api.post("/broadcast", "{\"data\":\"hello all\"}", admin));
      assertTrue(delivered.getInt("delivered") >= 2, delivered.toString());
      assertEquals("hello all", legacy.client().next("broadcast").getString("data"));
      assertEquals("hello all", client.client().next("broadcast").getString("data"));
    }
  }

  /** A direct message reaches the one connection named, on either endpoint, and nobody else. */
  @Test
  void directReachesTheConnectionNamedOnEitherEndpoint() throws Exception {
    try (Ws client = ws();
        Ws bystander = ws();
        Ws legacy = legacy()) {
      HttpResponse<String> toClient =
          api.post("/connections/" + client.id() + "/direct", "{\"kick\":\"reload\"}", admin);
      assertEquals(204, toClient.statusCode(), toClient.body());
      JsonObject direct = client.client().next("direct");
      assertEquals("reload", direct.getJsonObject("data").getString("kick"));
      assertTrue(direct.getJsonNumber("serverTime").longValue() > 0, direct.toString());

      List<String> legacies = ids(ok(api.get("/connections?endpoint=legacy", admin)));
      String legacyId = legacies.get(legacies.size() - 1); // the newest: this test's
      HttpResponse<String> toLegacy =
          api.post("/connections/" + legacyId + "/direct", "\"to the old client\"", admin);
      assertEquals(204, toLegacy.statusCode(), toLegacy.body());
      assertEquals("to the old client", legacy.client().next("direct").getString("data"));

      assertError(404, api.post("/connections/c-nobodyAtAll/direct", "1", admin));
      assertError(400, api.post("/connections/" + client.id() + "/direct", "{no", admin));
      bystander.client().send("{\"type\":\"ping\",\"timestamp\":1}");
      for (JsonObject seen = bystander.client().next();
          !"pong".equals(seen.getString("type"));
          seen = bystander.client().next()) {
        assertNotEquals("direct", seen.getString("type"), "only the connection named gets it");
      }
    }
  }

  @Test
  void withoutCredentials401() throws Exception {
    assertUnauthorized(api.get("/connections", null));
    assertUnauthorized(api.get("/connections/c-nobody", null));
    assertUnauthorized(api.delete("/connections/c-nobody", null));
    assertUnauthorized(api.post("/broadcast", "{\"data\":1}", null));
    assertUnauthorized(api.post("/drain", "", null));
    assertUnauthorized(api.get("/connections", "Basic aXQtYWRtaW46d3Jvbmc=")); // it-admin:wrong
  }

  @Test
  void withAnotherRole403() throws Exception {
    String viewer = AdminUsers.viewer();
    assertEquals(403, api.get("/connections", viewer).statusCode());
    assertEquals(403, api.delete("/connections/c-nobody", viewer).statusCode());
    assertEquals(403, api.post("/broadcast", "{\"data\":1}", viewer).statusCode());
    assertEquals(403, api.post("/drain", "", viewer).statusCode());
    assertEquals(200, api.get("/stats", viewer).statusCode());
  }

  /**
   * Cross-site request forgery: a page elsewhere makes the operator's browser call with its cached
   * credentials. Drain is refused the same way (the check is one filter for every method that
   * changes something); it is not called here, a drain that went through would end this deployment.
   */
  @Test
  void changesFromAnotherOriginAreRefused() throws Exception {
    AdminHttp foreign = api.from("https://evil.example");
    try (Ws client = ws()) {
      HttpResponse<String> refused = foreign.delete("/connections/" + client.id(), admin);
      assertError(403, refused);
      assertEquals("forbidden_origin", AdminHttp.json(refused).getString("error"));
      assertError(403, foreign.post("/broadcast", "{\"data\":\"forged\"}", admin));
      assertError(403, api.from("null").delete("/connections/" + client.id(), admin));
      assertEquals(200, foreign.get("/connections/" + client.id(), admin).statusCode());

      client.client().send("{\"type\":\"ping\",\"timestamp\":1}");
      assertEquals("pong", client.client().next("pong").getString("type"), "still connected");
      assertTrue(client.client().texts.stream().noneMatch(t -> t.contains("forged")));

      AdminHttp own = api.from(api.ownOrigin());
      assertEquals(204, own.delete("/connections/" + client.id(), admin).statusCode());
      assertEquals(1000, client.client().closeCode());
    }
  }

  @Test
  void statsArePublicAggregatesWithoutIds() throws Exception {
    try (Ws client = ws();
        Ws legacy = legacy()) {
      client.client().send("{\"type\":\"ping\",\"timestamp\":1}");
      client.client().next("pong");
      HttpResponse<String> response = api.get("/stats", null);
      assertEquals(200, response.statusCode(), response.body());
      JsonObject stats = AdminHttp.json(response);
      JsonObject connections = stats.getJsonObject("connections");
      assertTrue(connections.getInt("total") >= 2);
      assertTrue(connections.getJsonObject("byEndpoint").getInt("ws") >= 1);
      assertTrue(connections.getJsonObject("byEndpoint").getInt("legacy") >= 1);
      assertTrue(connections.getJsonObject("byState").getInt("connected") >= 2);
      assertEquals(0, connections.getJsonObject("byState").getInt("disconnected"));
      JsonObject messages = stats.getJsonObject("messages");
      assertTrue(messages.getJsonNumber("in").longValue() >= 2);
      assertTrue(messages.getJsonNumber("out").longValue() >= 2);
      assertTrue(messages.containsKey("inPerSecond") && messages.containsKey("outPerSecond"));
      assertTrue(stats.getJsonObject("rtt").containsKey("p99Millis"));
      assertTrue(stats.getJsonNumber("uptimeMillis").longValue() >= 0);
      assertFalse(stats.getBoolean("draining"));

      String body = response.body();
      assertFalse(body.contains(client.id()), body);
      assertFalse(body.contains(client.sessionId()), body);
      assertFalse(body.matches("(?s).*\"[cs]-[A-Za-z0-9_-]{12}\".*"), body);
    }
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return AdminHttp.json(response);
  }

  private static void assertError(int status, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    JsonObject error = AdminHttp.json(response);
    assertTrue(error.containsKey("error") && error.containsKey("message"), response.body());
  }

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertEquals(401, response.statusCode(), response.body());
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Basic"), challenge);
  }

  private static List<JsonObject> items(JsonObject page) {
    return page.getJsonArray("items").getValuesAs(JsonObject.class);
  }

  private static List<String> ids(JsonObject page) {
    return items(page).stream().map(i -> i.getString("id")).toList();
  }
}
