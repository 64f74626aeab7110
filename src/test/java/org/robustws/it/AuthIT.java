package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glassfish.tyrus.client.ClientManager;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.robustws.testing.JwksServer;
import org.robustws.testing.TokenSigner;

/**
 * Token authentication and channel permissions on a server of its own ({@code target/auth-server},
 * port offset 500: HTTP 8580, management 10490), configured by environment variables alone as a
 * deployer would: the key set served over HTTP on loopback by this test (so a rotation can be
 * tried), authentication required, and rules for five namespaces. Every token is really signed (RSA
 * and EC keys of the JDK, through jose4j); none of them may reach the server's log.
 */
class AuthIT {
  private static final int OFFSET = 500;
  private static final TokenSigner SIGNER = new TokenSigner();
  private static final ClientManager TYRUS = ClientManager.createClient();
  private static final List<String> SECRETS = new CopyOnWriteArrayList<>();
  private static JwksServer keys;
  private static StandaloneServer server;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    admin = AdminUsers.admin(); // before the copy of the server: it brings the user along
    keys = new JwksServer(TokenSigner.jwks(SIGNER.rsa));
    Map<String, String> environment = new HashMap<>();
    environment.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", keys.location());
    environment.put("MP_JWT_VERIFY_ISSUER", TokenSigner.ISSUER);
    environment.put("MP_JWT_VERIFY_AUDIENCES", TokenSigner.AUDIENCE);
    environment.put("WS_AUTH_REQUIRED", "true");
    environment.put("WS_AUTH_TIMEOUT_MS", "2000");
    environment.put("WS_AUTH_EXPIRY_GRACE_MS", "1000");
    environment.put("WS_MAX_CONNECTIONS_PER_USER", "3");
    environment.put("WS_LOG_LEVEL", "WARN"); // the refusals (WARN) stay, the opens (INFO) go
    environment.put("WS_NAMESPACE_NEWS_SUBSCRIBE", "anyone");
    environment.put("WS_NAMESPACE_NEWS_PUBLISH", "role:editor");
    environment.put("WS_NAMESPACE_USER_SUBSCRIBE", "owner");
    environment.put("WS_NAMESPACE_USER_PUBLISH", "owner");
    environment.put("WS_NAMESPACE_OPS_PUBLISH", "nobody");
    environment.put("WS_NAMESPACE_ADMIN_SUBSCRIBE", "role:admin");
    environment.put("WS_NAMESPACE_ADMIN_PUBLISH", "role:admin");
    server = StandaloneServer.prepare("auth-server", OFFSET, environment);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        String log = Files.readString(server.serverLog()) + Files.readString(server.console());
        for (String secret : SECRETS) {
          assertFalse(log.contains(secret), "a token or resume token is in the server's log");
          String signature = secret.substring(secret.lastIndexOf('.') + 1);
          assertFalse(
              signature.length() > 8 && log.contains(signature), "a token's signature is logged");
        }
        assertTrue(log.contains("RWS0023"), "refused tokens are logged, without the token");
        assertFalse(log.contains("RWS0001"), "WS_LOG_LEVEL=WARN leaves out the INFO lines");
        assertFalse(log.contains("RWS0025"), "no open-access warning with a verifier");
      }
    } finally {
      if (server != null) {
        server.close();
      }
      if (keys != null) {
        keys.close();
      }
    }
  }

  private static URI ws() {
    return server.uri("ws", "/ws");
  }

  private static String token(String subject, long lifeSeconds, String... groups) {
    return kept(SIGNER.rs256(subject, lifeSeconds, groups));
  }

  private static String kept(String token) {
    SECRETS.add(token);
    return token;
  }

  private static String auth(String token, String id) {
    return "{\"type\":\"auth\",\"token\":\"" + token + "\",\"id\":\"" + id + "\"}";
  }

  /** A connection that has read its {@code system/connected}. */
  private static TestClient connect() throws Exception {
    TestClient client = TestClient.connect(TYRUS, ws());
    JsonObject connected = client.next();
    assertEquals("connected", connected.getString("event"));
    SECRETS.add(connected.getString("resumeToken"));
    return client;
  }

  /** A connection authenticated with {@code token}. */
  private static TestClient authenticated(String token) throws Exception {
    TestClient client = connect();
    client.send(auth(token, "a1"));
    JsonObject answer = client.next("authenticated");
    assertEquals("a1", answer.getString("id"));
    return client;
  }

  private static double failures(String reason) throws Exception {
    return Scrape.fetch(URI.create("http://127.0.0.1:" + (9990 + OFFSET) + "/prometheus"))
        .value("ws_auth_failures_total", "reason=\"" + reason + "\"");
  }

  private static String subscribe(String channel) {
    return "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":\"s-" + channel + "\"}";
  }

  private static String publish(String channel, String data) {
    return "{\"type\":\"publish\",\"channel\":\""
        + channel
        + "\",\"data\":\""
        + data
        + "\",\"id\":\"p-"
        + channel
        + "\"}";
  }

  /**
   * A session that authenticated with {@code token} and subscribed to {@code channels}, whose
   * connection then closed: the {@code resume} (lastSeq 0) that takes it back.
   */
  private static String leftSession(String token, String... channels) throws Exception {
    try (TestClient client = TestClient.connect(TYRUS, ws())) {
      JsonObject connected = client.next();
      SECRETS.add(connected.getString("resumeToken"));
      client.send(auth(token, "a"));
      client.next("authenticated");
      for (String channel : channels) {
        client.send(subscribe(channel));
        client.next("subscribed");
      }
      return "{\"type\":\"resume\",\"sessionId\":\""
          + connected.getString("sessionId")
          + "\",\"resumeToken\":\""
          + connected.getString("resumeToken")
          + "\",\"lastSeq\":0}";
    }
  }

  @Test
  void aValidTokenAuthenticatesAndItsIdentityIsShownToTheAdmin() throws Exception {
    JwtClaims claims = TokenSigner.claims("alice", 300, "editor");
    String token = kept(TokenSigner.rs256(claims, SIGNER.rsa));
    try (TestClient alice = connect()) {
      alice.send(auth(token, "a1"));
      JsonObject answer = alice.next();
      assertEquals("authenticated", answer.getString("type"));
      assertEquals("alice", answer.getString("sub"));
      assertEquals(
          claims.getExpirationTime().getValueInMillis(),
          answer.getJsonNumber("expiresAt").longValue());
      alice.send(subscribe("news:eu"));
      assertEquals("subscribed", alice.next().getString("type"));

      AdminHttp api = new AdminHttp(new URL("http://127.0.0.1:" + server.httpPort() + "/"));
      HttpResponse<String> list = api.get("/connections", admin);
      assertEquals(200, list.statusCode(), list.body());
      assertTrue(list.body().contains("\"sub\":\"alice\""), list.body());
      assertFalse(list.body().contains(token.substring(token.lastIndexOf('.') + 1)));
    }
  }

  @Test
  void everyInvalidTokenClosesWith4003AndIsCountedByItsReason() throws Exception {
    JwtClaims valid = TokenSigner.claims("alice", 300);
    JwtClaims noExp = TokenSigner.claims("alice", 300);
    noExp.unsetClaim("exp");
    JwtClaims foreign = TokenSigner.claims("alice", 300);
    foreign.setIssuer("https://evil.test");
    JwtClaims elsewhere = TokenSigner.claims("alice", 300);
    elsewhere.setAudience("billing");
    JwtClaims early = TokenSigner.claims("alice", 3600);
    early.setNotBefore(NumericDate.fromMilliseconds(System.currentTimeMillis() + 600_000));
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("missing_exp", TokenSigner.rs256(noExp, SIGNER.rsa));
    cases.put("algorithm", TokenSigner.unsigned(valid));
    cases.put("signature", TokenSigner.rs256(valid, TokenSigner.rsaKey("rsa-1")));
    cases.put("issuer", TokenSigner.rs256(foreign, SIGNER.rsa));
    cases.put("audience", TokenSigner.rs256(elsewhere, SIGNER.rsa));
    cases.put("not_before", TokenSigner.rs256(early, SIGNER.rsa));
    cases.put("malformed", "not.a.jwt-at-all");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      double before = failures(c.getKey());
      try (TestClient client = connect()) {
        client.sendExpectingClose(auth(kept(c.getValue()), "x"));
        assertEquals(4003, client.closeCode(), c.getKey());
      }
      assertEquals(before + 1, failures(c.getKey()), c.getKey());
    }
    // HS256 signed with the public key as its secret
    double before = failures("algorithm");
    try (TestClient client = connect()) {
      client.sendExpectingClose(auth(kept(SIGNER.hs256WithPublicKey(valid)), "x"));
      assertEquals(4003, client.closeCode());
    }
    assertEquals(before + 1, failures("algorithm"));
  }

  @Test
  void anExpiredTokenClosesWith4004() throws Exception {
    double before = failures("expired");
    try (TestClient client = connect()) {
      client.sendExpectingClose(auth(token("alice", -120), "x")); // beyond the 60 s skew
      assertEquals(4004, client.closeCode());
    }
    assertEquals(before + 1, failures("expired"));
  }

  /**
   * The key set rotates: a token of the new key is accepted after the set is loaded again, a {@code
   * kid} still unknown after that reload is refused. The one test that makes the server reload: it
   * does so at most once per 30 minutes.
   */
  @Test
  void aRotatedKeyIsAcceptedAfterOneReloadAndAnUnknownKidIsNot() throws Exception {
    RsaJsonWebKey next = TokenSigner.rsaKey("rsa-2");
    keys.serve(TokenSigner.jwks(SIGNER.rsa, next));
    String rotated = kept(TokenSigner.rs256(TokenSigner.claims("dave", 300), next));
    try (TestClient dave = authenticated(rotated)) {
      dave.send("{\"type\":\"ping\",\"timestamp\":1}");
      assertEquals("pong", dave.next().getString("type"));
    }
    double before = failures("unknown_key");
    String stranger =
        kept(TokenSigner.rs256(TokenSigner.claims("dave", 300), TokenSigner.rsaKey("rsa-3")));
    try (TestClient client = connect()) {
      client.sendExpectingClose(auth(stranger, "x"));
      assertEquals(4003, client.closeCode());
    }
    assertEquals(before + 1, failures("unknown_key"));
  }

  @Test
  void nothingButPingBeforeAuthAndNoAuthWithinTheTimeoutCloses4005() throws Exception {
    try (TestClient client = connect()) {
      client.send(subscribe("news:eu"));
      JsonObject refused = client.next();
      assertEquals("unauthenticated", refused.getString("error"));
      assertEquals("s-news:eu", refused.getString("ref"));
      client.send(publish("news:eu", "x"));
      assertEquals("unauthenticated", client.next().getString("error"));
      client.send(
          "{\"type\":\"resume\",\"sessionId\":\"s-x\",\"resumeToken\":\"t\",\"lastSeq\":0}");
      assertEquals("unauthenticated", client.next().getString("error"));
      client.send("{\"type\":\"ping\",\"timestamp\":7}");
      assertEquals("pong", client.next().getString("type"));
      assertEquals(4005, client.closeCode()); // 2 s after the open, at the next heartbeat tick
    }
  }

  @Test
  void aShortTokenWithoutRefreshClosesWith4004AndWithRefreshStaysOpen() throws Exception {
    try (TestClient lapsing = authenticated(token("erin", 3));
        TestClient refreshing = authenticated(token("erin", 3))) {
      refreshing.send(auth(token("erin", 300), "r1"));
      JsonObject refreshed = refreshing.next("authenticated");
      assertEquals("r1", refreshed.getString("id"));
      assertTrue(
          refreshed.getJsonNumber("expiresAt").longValue() > System.currentTimeMillis() + 200_000);
      // exp (3 s) + grace (1 s) + a heartbeat tick
      assertEquals(4004, lapsing.closeCode());
      refreshing.send("{\"type\":\"ping\",\"timestamp\":2}");
      assertEquals("pong", refreshing.next("pong").getString("type"));
      assertTrue(refreshing.session().isOpen());
    }
  }

  @Test
  void aRefreshWithAnotherSubjectClosesWith4003() throws Exception {
    double before = failures("subject_changed");
    try (TestClient client = authenticated(token("frank", 300))) {
      client.sendExpectingClose(auth(token("grace", 300), "r"));
      assertEquals(4003, client.closeCode());
    }
    assertEquals(before + 1, failures("subject_changed"));
  }

  @Test
  void eachRuleKindRefusesWithForbiddenAndTheConnectionGoesOn() throws Exception {
    try (TestClient alice = authenticated(token("alice", 300, "editor"));
        TestClient bob = authenticated(token("bob", 300))) {
      List<String[]> refusals = new ArrayList<>();
      refusals.add(new String[] {publish("news:eu", "x"), "role:editor"}); // bob is no editor
      refusals.add(new String[] {subscribe("user:alice"), "owner"});
      refusals.add(new String[] {publish("user:alice.inbox", "x"), "owner"});
      refusals.add(new String[] {publish("ops:deploys", "x"), "nobody"});
      refusals.add(new String[] {subscribe("admin:audit"), "role:admin"});
      for (String[] refusal : refusals) {
        bob.send(refusal[0]);
        JsonObject error = bob.next();
        assertEquals("forbidden", error.getString("error"), refusal[1]);
        assertTrue(
            error.getString("ref").startsWith("s-") || error.getString("ref").startsWith("p-"));
      }
      bob.send(subscribe("news:eu")); // anyone
      assertEquals("subscribed", bob.next().getString("type"));
      bob.send(subscribe("user:bob.inbox")); // his own
      assertEquals("subscribed", bob.next().getString("type"));
      bob.send(subscribe("ops:deploys")); // no subscribe rule: authenticated
      assertEquals("subscribed", bob.next().getString("type"));

      alice.send(publish("news:eu", "Grüße 🌍"));
      assertEquals("ack", alice.next().getString("type"));
      JsonObject event = bob.next("event");
      assertEquals("Grüße 🌍", event.getString("data"));
      alice.send(publish("user:bob.inbox", "hi"));
      assertEquals("forbidden", alice.next().getString("error"));
    }
  }

  @Test
  void theCapPerUserClosesOneConnectionMoreWith4009WhicheverWayItAuthenticated() throws Exception {
    try (TestClient one = authenticated(token("heidi", 300));
        TestClient two = authenticated(token("heidi", 300));
        TestClient three = authenticated(token("heidi", 300));
        TestClient other = authenticated(token("ivan", 300))) {
      try (TestClient fourth = connect()) {
        fourth.send(auth(token("heidi", 300), "a4"));
        assertEquals("authenticated", fourth.next().getString("type"));
        assertEquals(4009, fourth.closeCode());
      }
      String bearer = "Bearer " + token("heidi", 300);
      try (TestClient fifth =
          TestClient.connect(TYRUS, ws(), TestClient.withHeader("Authorization", bearer))) {
        JsonObject connected = fifth.next();
        SECRETS.add(connected.getString("resumeToken"));
        assertEquals("heidi", connected.getString("sub"), "connected comes first");
        assertEquals(4009, fifth.closeCode());
      }
      for (TestClient c : List.of(one, two, three, other)) {
        c.send("{\"type\":\"ping\",\"timestamp\":3}");
        assertEquals("pong", c.next("pong").getString("type"));
      }
    }
  }

  /**
   * A session belongs to its subject: a resume by another subject fails with {@code invalid_token}
   * and leaves it as it was; its owner then resumes it with every event it missed.
   */
  @Test
  void aResumeByAnotherSubjectFailsAndLeavesTheSessionToItsOwner() throws Exception {
    String resume = leftSession(token("judy", 300), "user:judy.feed");
    try (TestClient judyPublisher = authenticated(token("judy", 300))) {
      judyPublisher.send(publish("user:judy.feed", "while-away"));
      judyPublisher.next("ack");
    }
    try (TestClient mallory = authenticated(token("mallory", 300))) {
      mallory.send(resume);
      assertEquals("invalid_token", mallory.next("resume_failed").getString("reason"));
    }
    try (TestClient judy = connect()) {
      judy.send(auth(token("judy", 300), "a"));
      judy.next("authenticated");
      judy.send(resume); // the message right after the first auth
      JsonObject event = judy.next();
      assertEquals("event", event.getString("type"), event.toString());
      assertEquals("while-away", event.getString("data"));
      assertEquals(1, judy.next("resumed").getInt("replayed"));
    }
  }

  /**
   * Permissions hold at a refresh and at a resume: a channel the new token no longer allows is
   * unsubscribed with {@code reason} {@code forbidden}, and a resume replays only what the subject
   * may still read.
   */
  @Test
  void aChannelTheTokenNoLongerAllowsIsUnsubscribedAtRefreshAndLeftOutOfTheReplay()
      throws Exception {
    try (TestClient kim = authenticated(token("kim", 300, "admin"))) {
      kim.send(subscribe("admin:audit"));
      kim.next("subscribed");
      kim.send(auth(token("kim", 300), "r"));
      kim.next("authenticated");
      JsonObject dropped = kim.next("unsubscribed");
      assertEquals("admin:audit", dropped.getString("channel"));
      assertEquals("forbidden", dropped.getString("reason"));
    }

    String resume = leftSession(token("leo", 300, "admin"), "admin:audit", "news:leo");
    try (TestClient publisher = authenticated(token("mia", 300, "admin", "editor"))) {
      publisher.send(publish("admin:audit", "secret"));
      publisher.next("ack");
      publisher.send(publish("news:leo", "public"));
      publisher.next("ack");
    }
    try (TestClient leo = connect()) {
      leo.send(auth(token("leo", 300), "a")); // no longer admin
      leo.next("authenticated");
      leo.send(resume);
      List<JsonObject> frames = new ArrayList<>();
      JsonObject frame;
      do {
        frame = leo.next();
        frames.add(frame);
      } while (!"unsubscribed".equals(frame.getString("type")));
      assertEquals("forbidden", frame.getString("reason"));
      assertEquals("admin:audit", frame.getString("channel"));
      List<String> events =
          frames.stream()
              .filter(f -> "event".equals(f.getString("type")))
              .map(f -> f.getString("data"))
              .toList();
      assertEquals(List.of("public"), events, frames.toString());
      JsonObject resumed =
          frames.stream()
              .filter(f -> "resumed".equals(f.getString("type")))
              .findFirst()
              .orElseThrow();
      assertFalse(resumed.getJsonObject("positions").containsKey("admin:audit"));
    }
  }

  @Test
  void aBearerTokenOnTheUpgradeAuthenticatesTheConnection() throws Exception {
    String token = token("nina", 300);
    try (TestClient nina =
        TestClient.connect(
            TYRUS, ws(), TestClient.withHeader("Authorization", "Bearer " + token))) {
      JsonObject connected = nina.next();
      SECRETS.add(connected.getString("resumeToken"));
      assertEquals("nina", connected.getString("sub"));
      assertTrue(connected.getJsonNumber("expiresAt").longValue() > System.currentTimeMillis());
      nina.send(subscribe("user:nina"));
      assertEquals("subscribed", nina.next().getString("type"));
    }
  }

  /**
   * docs/security.md: no token is read from the URL or a cookie. A valid token in the query (under
   * the names clients use) and in a cookie leaves the connection unauthenticated; the same token as
   * {@code Authorization: Bearer} authenticates it.
   */
  @Test
  void aTokenInTheUrlOrACookieAuthenticatesNothing() throws Exception {
    String token = token("olga", 300);
    URI withQuery =
        server.uri(
            "ws",
            "/ws?access_token=" + token + "&token=" + token + "&jwt=" + token + "&auth=" + token);
    try (TestClient olga =
        TestClient.connect(
            TYRUS,
            withQuery,
            TestClient.withHeader("Cookie", "access_token=" + token + "; token=" + token))) {
      JsonObject connected = olga.next();
      SECRETS.add(connected.getString("resumeToken"));
      assertFalse(connected.containsKey("sub"), connected.toString());
      olga.send(subscribe("user:olga"));
      JsonObject refused = olga.next();
      assertEquals("unauthenticated", refused.getString("error"), refused.toString());
    }
    try (TestClient olga =
        TestClient.connect(
            TYRUS, ws(), TestClient.withHeader("Authorization", "Bearer " + token))) {
      JsonObject connected = olga.next();
      SECRETS.add(connected.getString("resumeToken"));
      assertEquals("olga", connected.getString("sub"), "the same token, where it belongs");
    }
  }

  @Test
  void anInvalidBearerTokenIsRefusedWith401BeforeTheUpgrade() throws Exception {
    double before = failures("signature");
    String forged =
        kept(TokenSigner.rs256(TokenSigner.claims("nina", 300), TokenSigner.rsaKey("rsa-1")));
    String answer = upgrade("Authorization: Bearer " + forged + "\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
    assertTrue(
        answer
            .toLowerCase(Locale.ROOT)
            .contains("\r\nwww-authenticate: bearer error=\"invalid_token\"\r\n"),
        answer);
    assertTrue(answer.toLowerCase(Locale.ROOT).contains("content-type: application/json"), answer);
    assertTrue(answer.contains("{\"error\":\"invalid_token\""), answer);
    assertFalse(answer.contains(forged.substring(forged.lastIndexOf('.') + 1)));
    assertEquals(before + 1, failures("signature"));
    String metrics =
        Scrape.fetch(URI.create("http://127.0.0.1:" + (9990 + OFFSET) + "/prometheus")).text();
    assertFalse(
        metrics.lines().anyMatch(line -> line.startsWith("ws_") && line.contains("nina")),
        "a subject in a label");
    String expired = upgrade("Authorization: Bearer " + token("nina", -120) + "\r\n");
    assertTrue(
        expired.startsWith("HTTP/1.1 401") && expired.contains("\"token_expired\""), expired);
  }

  /** Sends a valid WebSocket upgrade with {@code extra} headers; returns the answer, body too. */
  private static String upgrade(String extra) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 10_000);
      socket.setSoTimeout(5_000);
      String key =
          Base64.getEncoder()
              .encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
      String request =
          "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:"
              + server.httpPort()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              + key
              + "\r\nSec-WebSocket-Version: 13\r\n"
              + extra
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = RawWebSocket.readHead(in);
      String length =
          head.lines()
              .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
              .map(l -> l.substring("content-length:".length()).trim())
              .findFirst()
              .orElse("0");
      return head + new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    }
  }

  /**
   * The test page in Chromium: the token pasted in its field goes with {@code auth} on connect, the
   * identity is shown, and the page's own message log shows no more of the token than its start.
   */
  @Test
  void theTestPageAuthenticatesWithItsTokenField() throws Exception {
    String token = token("pia", 300);
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      WebDriver driver = chromium.driver();
      driver.get(server.uri("http", "/robust-websocket-test.html").toString());
      driver.findElement(By.id("token")).sendKeys(token);
      driver.findElement(By.id("connect")).click();
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
      wait.until(d -> "connected".equals(d.findElement(By.id("state-word")).getText().trim()));
      wait.until(d -> d.findElement(By.id("identity")).getText().startsWith("pia"));
      String messages = driver.findElement(By.id("message-log")).getText();
      assertTrue(messages.contains("authenticated"), messages);
      assertFalse(messages.contains(token.substring(20)), "the page's log shows the token");
    }
  }

  /**
   * A token that expires is refreshed through the page's {@code getToken()} (it reads the token
   * field) on the open connection, before its {@code exp}: no close, no reconnect, the identity
   * shows the new token's expiry, and the connection outlives the first token and its grace.
   */
  @Test
  void theTestPageRefreshesAnExpiringTokenWithoutADisconnect() throws Exception {
    String shortLived = token("pia", 10);
    String fresh = token("pia", 300);
    long expires = (Instant.now().getEpochSecond() + 10) * 1000;
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      WebDriver driver = chromium.driver();
      JavascriptExecutor js = (JavascriptExecutor) driver;
      driver.get(server.uri("http", "/robust-websocket-test.html").toString());
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
      wait.until(d -> "true".equals(js.executeScript("return document.body.dataset.ready || '';")));
      driver.findElement(By.id("token")).sendKeys(shortLived);
      driver.findElement(By.id("connect")).click();
      wait.until(d -> "connected".equals(d.findElement(By.id("state-word")).getText().trim()));
      wait.until(d -> d.findElement(By.id("identity")).getText().startsWith("pia"));
      String first = driver.findElement(By.id("identity")).getText();
      // the application's token source has a fresh one by the time the library asks again
      js.executeScript("document.getElementById('token').value = arguments[0];", fresh);

      // refreshed halfway to its exp: a second `authenticated`, for the fresh token
      wait.until(d -> events(js, "authenticated").size() == 2);
      wait.until(d -> !first.equals(d.findElement(By.id("identity")).getText()));
      // past the first token's exp and the server's 1 s grace: still the same connection
      wait.until(
          d -> ((Number) js.executeScript("return Date.now();")).longValue() > expires + 2500);
      assertEquals("connected", driver.findElement(By.id("state-word")).getText().trim());
      assertEquals(List.of(), events(js, "close"), "no close");
      assertEquals(List.of(), events(js, "reconnecting"), "no reconnect");
      assertEquals("0", driver.findElement(By.id("count-reconnects")).getText().trim());
      assertTrue(
          driver.findElements(By.cssSelector("#close-history li")).isEmpty(), "no close history");
      String refresh =
          (String)
              js.executeScript(
                  "return Array.from(document.querySelectorAll(\"#message-log tr[data-dir='out']"
                      + "[data-type='auth']\")).map(tr => tr.cells[4].textContent).join('\\n');");
      assertTrue(refresh.contains("\"id\":\"refresh\""), refresh);
      assertFalse(refresh.contains(fresh.substring(20)), "the page's log shows the token");
    }
  }

  /** The details of the page's connection-event rows of one kind. */
  @SuppressWarnings("unchecked")
  private static List<String> events(JavascriptExecutor js, String event) {
    return (List<String>)
        js.executeScript(
            "return Array.from(document.querySelectorAll('#event-log tr'))"
                + ".filter(tr => tr.dataset.event === arguments[0])"
                + ".map(tr => tr.cells[3].textContent);",
            event);
  }
}
