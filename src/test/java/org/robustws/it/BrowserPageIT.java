package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The test page ({@code /robust-websocket-test.html}) in Debian's headless chromium, driven through
 * Debian's chromedriver (no driver download), against the built WAR. The admin API ({@code /api})
 * publishes to the page and closes its connection as an operator would.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrowserPageIT {
  private static final Path SCREENSHOTS = Path.of("target", "failsafe-reports", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(15);

  @ArquillianResource URL base;

  private HeadlessChromium chromium;
  private WebDriver driver;
  private String testName;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @BeforeEach
  void startBrowser(TestInfo info) throws IOException {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
    chromium = HeadlessChromium.start();
    driver = chromium.driver();
  }

  @AfterEach
  void stopBrowser() throws IOException {
    if (chromium == null) {
      return;
    }
    try {
      screenshot(testName);
    } finally {
      chromium.close();
    }
  }

  @Test
  void loadsWithoutConsoleErrorsAndFitsAPhone() {
    openPage();
    assertEquals("disconnected", text("state-word"));
    assertNoConsoleErrors();
    screenshot(testName + "-desktop");

    driver.manage().window().setSize(new Dimension(390, 844));
    Object overflow =
        js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertEquals(0L, ((Number) overflow).longValue(), "no horizontal scrolling at 390 px");
  }

  @Test
  void servesThePageWithAContentSecurityPolicy() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(pageUri()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertTrue(csp.contains("connect-src 'self' ws: wss:"), csp);
    assertTrue(!response.body().contains("onclick="), "no inline handlers");
  }

  /**
   * The library's package files are served beside it with types a browser and a bundler take: the
   * .d.ts as text (web.xml maps it: Undertow knows no .ts, it would be application/octet-stream),
   * package.json as JSON.
   */
  @Test
  void servesTheTypesAndThePackageJsonBesideTheLibrary() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> types =
        http.send(
            HttpRequest.newBuilder(pageUri().resolve("js/robust-websocket.d.ts")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, types.statusCode());
    assertEquals(
        "text/plain;charset=utf-8",
        types.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase());
    assertTrue(types.body().contains("export declare class RobustWebSocket"), "the .d.ts itself");

    HttpResponse<String> pkg =
        http.send(
            HttpRequest.newBuilder(pageUri().resolve("js/package.json")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, pkg.statusCode());
    assertTrue(
        pkg.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        pkg.headers().map().toString());
    JsonObject json = Json.createReader(new StringReader(pkg.body())).readObject();
    assertEquals("./robust-websocket.d.ts", json.getString("types"));
    for (JsonValue file : json.getJsonArray("files")) {
      String name = ((JsonString) file).getString();
      assertEquals(
          200,
          http.send(
                  HttpRequest.newBuilder(pageUri().resolve("js/" + name)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode(),
          name + " is served");
    }
  }

  @Test
  void connectsAndMeasuresLatencyWithPing() {
    openPage();
    connect();
    // Chromium offers permessage-deflate; the shipped default (ws.compression off) declines it
    waitUntil(d -> !text("compression").isEmpty());
    assertEquals("false", attribute("compression", "data-negotiated"), text("compression"));
    click("send-ping");
    waitUntil(d -> text("latency-last").matches("\\d+ ms"));
    assertTrue(text("latency-p50").matches("\\d+ ms"));
    assertNotNull(
        driver.findElement(By.cssSelector("#message-log tr[data-dir='in'][data-type='pong']")));
    assertNoConsoleErrors();
  }

  @Test
  void subscribeAndPublishRoundTripAppearsInTheLog() {
    openPage();
    connect();
    String channel = "it." + System.nanoTime();
    type("channel", channel);
    click("subscribe");
    waitForRow("#message-log tr[data-dir='in'][data-type='subscribed']");
    type("publish-data", "{\"hello\":\"browser\"}");
    click("publish");
    waitForRow("#message-log tr[data-dir='in'][data-type='ack']");
    String event = waitForRow("#message-log tr[data-dir='in'][data-type='event']");
    assertTrue(event.contains(channel) && event.contains("\"hello\":\"browser\""), event);
    assertNoConsoleErrors();
  }

  @Test
  void resumeTestReplaysWhatWasMissedWithoutGaps() {
    openPage();
    connect();
    type("resume-count", "5");
    click("resume-test");
    waitUntil(
        d -> {
          String outcome = attribute("resume-result", "data-outcome");
          return "pass".equals(outcome) || "fail".equals(outcome);
        });
    assertEquals("pass", attribute("resume-result", "data-outcome"), text("resume-result"));
    assertEquals("5", attribute("resume-result", "data-replayed"));
    assertEquals("0", attribute("resume-result", "data-gaps"));
    // the page shows the channel position the library resumed from and where it stands now
    assertTrue(text("resume-result").contains(" → offset "), text("resume-result"));
    assertTrue(Long.parseLong(attribute("resume-result", "data-position")) >= 5);
    assertEquals("1", text("count-resumes"));
    waitUntil(d -> "connected".equals(text("state-word")));
    assertNoConsoleErrors();
  }

  @Test
  void showsTheServerFiguresFromTheStatsApi() {
    openPage();
    connect();
    click("stats-refresh");
    // at least this page's /ws connection, and the real fields of GET /api/stats
    waitUntil(d -> stat("connections").matches("\\d+ \\(ws [1-9]\\d*, legacy \\d+\\)"));
    assertTrue(text("stats-status").startsWith("updated"), text("stats-status"));
    assertTrue(stat("connections.byState").matches(".*\\bconnected [1-9]\\d*.*"));
    assertTrue(stat("messages").matches("\\d+ / \\d+ since start"), stat("messages"));
    assertTrue(
        stat("messages.rate").contains("msg/s") || stat("messages.rate").contains("no rate"));
    assertTrue(stat("rtt").matches(".+ ms / .+ ms \\(\\d+ connections?\\)|no samples yet.*"));
    assertTrue(stat("uptimeMillis").matches("(\\d+d )?\\d+h \\d+m \\d+s \\(since .+\\)"));
    assertEquals("no", stat("draining"));
    assertNoConsoleErrors();
  }

  @Test
  void operatorCloseShowsReconnectThenResumedWithoutGaps() throws Exception {
    String admin = AdminUsers.admin();
    AdminHttp api = new AdminHttp(base);
    openPage();
    // a fixed 4 s before the reconnect (no jitter): the events below are published while away
    type("initial-delay", "4000");
    type("jitter", "0");
    connect();
    String channel = "it.operator." + System.nanoTime();
    type("channel", channel);
    click("subscribe");
    waitForRow("#message-log tr[data-dir='in'][data-type='subscribed']");

    int before = 3;
    int whileAway = 4;
    int after = 2;
    int n = 0;
    while (n < before) {
      broadcast(api, admin, channel, ++n);
    }
    waitUntil(d -> eventsShown(channel).size() == before);

    String id = session().replaceAll("^clientId (\\S+) .*$", "$1");
    assertEquals(200, api.get("/connections/" + id, admin).statusCode(), "page's clientId " + id);
    HttpResponse<String> closed = api.delete("/connections/" + id + "?code=1000", admin);
    assertEquals(204, closed.statusCode(), closed.body());

    // reconnecting: a 1000 the page did not ask for is an operator's close
    waitUntil(d -> text("state-detail").startsWith("reconnecting in"));
    assertEquals("disconnected", text("state-word"));
    String history =
        driver.findElement(By.cssSelector("#close-history li[data-code='1000']")).getText();
    assertTrue(history.contains("reconnect with backoff"), history);
    assertTrue(
        eventLog("reconnecting").get(0).contains("after 1000 (backoff)"),
        eventLog("reconnecting").toString());

    while (n < before + whileAway) {
      // nobody holds the page's session now: the channel's history keeps the events for it
      broadcast(api, admin, channel, ++n, 0);
    }
    assertEquals("disconnected", text("state-word"), "published while the page was away");

    // connected again and resumed: the events published while away are replayed
    waitUntil(d -> "connected".equals(text("state-word")) && "1".equals(text("count-resumes")));
    assertEquals(
        List.of("replayed " + whileAway + " events, lastSeq " + (before + whileAway)),
        eventLog("resumed"));
    assertEquals(String.valueOf(whileAway), text("count-replayed"));
    assertEquals("1", text("count-reconnects"));
    assertEquals("0", text("count-gaps"));

    while (n < before + whileAway + after) {
      broadcast(api, admin, channel, ++n);
    }
    int total = n;
    waitUntil(d -> eventsShown(channel).size() >= total);

    // every event exactly once, in order, seq without gaps
    List<JsonObject> events = eventsShown(channel);
    List<Integer> values = new ArrayList<>();
    List<Integer> seqs = new ArrayList<>();
    for (JsonObject event : events) {
      values.add(event.getJsonObject("data").getInt("n"));
      seqs.add(event.getInt("seq"));
    }
    List<Integer> expected = java.util.stream.IntStream.rangeClosed(1, total).boxed().toList();
    assertEquals(expected, values, "events shown in the message log");
    assertEquals(expected, seqs, "seq of the events shown");
    assertEquals(List.of(), eventLog("gap"));
    assertEquals(List.of(), eventLog("duplicate"));
    assertEquals(List.of(), eventLog("resume failed"));
    assertEquals("0", text("count-gaps"));
    assertNoConsoleErrors();
  }

  @Test
  void legacyEndpointWorksFromThePage() {
    openPage();
    new Select(driver.findElement(By.id("endpoint"))).selectByValue("/ws-legacy");
    assertTrue(driver.findElement(By.id("url")).getDomProperty("value").endsWith("/ws-legacy"));
    connect();
    click("send-ping");
    waitUntil(d -> text("latency-last").matches("\\d+ ms"));
    type("raw-text", "plain legacy text");
    click("send-raw");
    String echoed = waitForRow("#message-log tr[data-dir='in'][data-type='text']");
    assertTrue(echoed.contains("plain legacy text"), echoed);
    waitForRow("#message-log tr[data-dir='in'][data-type='heartbeat']");
    assertNoConsoleErrors();
  }

  /**
   * The library in the page, on its own connection: the Promise of a publication resolves with its
   * ack, whose offset is the one of the event the page (subscribed to the channel) receives.
   */
  @Test
  void publishResolvesWithTheOffsetOfItsAck() {
    openPage();
    connect();
    String channel = "it.ack." + System.nanoTime();
    subscribe(channel);
    Map<String, Object> result =
        library(
            "const socket = client(); socket.connect();"
                + " const first = await socket.publish(channel, {n: 1});"
                + " const second = await socket.publish(channel, {n: 2});"
                + " socket.disconnect();"
                + " return {first, second};",
            channel);
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) result.get("first");
    @SuppressWarnings("unchecked")
    Map<String, Object> second = (Map<String, Object>) result.get("second");
    assertEquals(channel, first.get("channel"), result.toString());
    assertEquals(1L, ((Number) first.get("delivered")).longValue(), "the page is subscribed");
    assertEquals(false, first.get("repeated"));
    assertTrue(!String.valueOf(first.get("epoch")).isEmpty(), result.toString());
    long offset = ((Number) first.get("offset")).longValue();
    assertEquals(offset + 1, ((Number) second.get("offset")).longValue(), result.toString());

    waitUntil(d -> eventsShown(channel).size() == 2);
    List<JsonObject> events = eventsShown(channel);
    assertEquals(offset, events.get(0).getJsonNumber("offset").longValue());
    assertEquals(first.get("id"), events.get(0).getString("id"));
    assertEquals(offset + 1, events.get(1).getJsonNumber("offset").longValue());
    assertNoConsoleErrors();
  }

  /**
   * A publication in flight when its connection drops (the library publishes, then the socket is
   * closed at once, before any ack): sent again with its id after the reconnect and resume, its
   * Promise resolves, and the page, subscribed to the channel, shows its event exactly once.
   */
  @Test
  void aPublicationInFlightDuringADisconnectArrivesExactlyOnce() {
    openPage();
    connect();
    String channel = "it.once." + System.nanoTime();
    subscribe(channel);
    Map<String, Object> result =
        library(
            "const socket = client();"
                + " const sent = [];"
                + " socket.addEventListener('send', (e) => e.detail.message"
                + "   && e.detail.message.type === 'publish' && sent.push(e.detail.message.id));"
                + " const ready = waitFor(socket, 'statechange', (d) => d.state === 'connected');"
                + " socket.connect(); await ready;"
                + " const publication = socket.publish(channel, {once: 1});"
                + " socket.forceReconnect();" // the frame was just handed to the socket: in flight
                + " const ack = await publication;"
                + " const marker = await socket.publish(channel, {marker: 1});"
                + " const resumes = socket.stats.resumes;"
                + " socket.disconnect();"
                + " return {ack, marker, sent, resumes};",
            channel);
    @SuppressWarnings("unchecked")
    Map<String, Object> ack = (Map<String, Object>) result.get("ack");
    assertEquals(1L, ((Number) result.get("resumes")).longValue(), result.toString());
    assertEquals(
        List.of(ack.get("id"), ack.get("id")),
        ((List<?>) result.get("sent")).subList(0, 2),
        "sent, then sent again with its id after the resume: " + result);
    System.out.println("in-flight publication answered with repeated=" + ack.get("repeated"));

    // the marker was published after the ack: once it is shown, any second copy would be too
    waitUntil(
        d ->
            eventsShown(channel).stream()
                .anyMatch(e -> e.getJsonObject("data").containsKey("marker")));
    List<JsonObject> once =
        eventsShown(channel).stream()
            .filter(e -> e.getJsonObject("data").containsKey("once"))
            .toList();
    assertEquals(1, once.size(), "the in-flight publication's events: " + once);
    assertEquals(ack.get("id"), once.get(0).getString("id"));
    assertEquals(
        ((Number) ack.get("offset")).longValue(), once.get(0).getJsonNumber("offset").longValue());
    assertNoConsoleErrors();
  }

  /**
   * Offline (DevTools network emulation) while the connection drops: the reconnect waits for the
   * network instead of its 20 s backoff ('paused'), and going online reconnects at once ('wakeup')
   * and resumes.
   */
  @Test
  void goingOnlineReconnectsAtOnce() {
    openPage();
    type("initial-delay", "20000");
    type("jitter", "0");
    connect();
    network(true);
    waitUntil(d -> Boolean.FALSE.equals(js("return navigator.onLine;")));
    if ("connected".equals(text("state-word"))) {
      System.out.println("offline: the socket stays open; the page drops it (Force reconnect)");
      click("force-reconnect"); // the connection drops while offline
    }
    waitUntil(d -> !eventLog("paused").isEmpty());
    assertEquals("disconnected", text("state-word"));
    assertEquals(List.of(), eventLog("reconnecting"), "no attempt is scheduled while offline");

    long online = System.nanoTime();
    network(false);
    new WebDriverWait(driver, Duration.ofSeconds(2))
        .until(d -> "connected".equals(text("state-word")) && "1".equals(text("count-resumes")));
    long took = Duration.ofNanos(System.nanoTime() - online).toMillis();
    assertTrue(took < 2000, "reconnected " + took + " ms after online; the backoff was 20 s");
    assertEquals(
        List.of("online: reconnecting now, without waiting out the delay"), eventLog("wakeup"));
    // a GET /api/stats of the page's 5 s refresh may have failed while offline: nothing else
    assertNoConsoleErrors("net::ERR_INTERNET_DISCONNECTED");
  }

  // ----- helpers -----

  /** DevTools network emulation: offline, or back to no emulation. */
  private void network(boolean offline) {
    ChromeDriver chrome = (ChromeDriver) driver;
    chrome.executeCdpCommand("Network.enable", Map.of());
    chrome.executeCdpCommand(
        "Network.emulateNetworkConditions",
        Map.of("offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
  }

  private void subscribe(String channel) {
    type("channel", channel);
    click("subscribe");
    waitUntil(
        d ->
            !driver
                .findElements(
                    By.xpath(
                        "//table[@id='message-log']//tr[@data-dir='in' and @data-type='subscribed']"
                            + "[contains(., '"
                            + channel
                            + "')]"))
                .isEmpty());
  }

  /**
   * Runs {@code body} (the body of an async function of {@code channel}, with {@code client()}: a
   * new RobustWebSocket on this server's /ws, and {@code waitFor(target, type, predicate)}) in the
   * page, against the library the WAR serves, and returns what it returns.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> library(String body, String channel) {
    driver.manage().timeouts().scriptTimeout(WAIT);
    Object result =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const [channel, done] = arguments;"
                    + " import(new URL('js/robust-websocket.js', location.href).href)"
                    + ".then(async ({ RobustWebSocket }) => {"
                    + "  const url = new URL('ws', location.href);"
                    + "  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';"
                    + "  const client = () => new RobustWebSocket(url.href);"
                    + "  const waitFor = (target, type, predicate) => new Promise((resolve) =>"
                    + "    target.addEventListener(type, (e) => predicate(e.detail) && resolve(e.detail)));"
                    + body
                    + " }).then(done, (e) => done({error: String(e && e.stack || e)}));",
                channel);
    Map<String, Object> map = (Map<String, Object>) result;
    assertTrue(!map.containsKey("error"), String.valueOf(map.get("error")));
    return map;
  }

  private URI pageUri() {
    return URI.create(
        base.toExternalForm().replaceFirst("/*$", "/") + "robust-websocket-test.html");
  }

  private void openPage() {
    driver.get(pageUri().toString());
    waitUntil(d -> "true".equals(js("return document.body.dataset.ready || '';")));
  }

  private void connect() {
    click("connect");
    waitUntil(d -> "connected".equals(text("state-word")));
    assertEquals("connected", attribute("state", "data-state"));
  }

  private void click(String id) {
    new WebDriverWait(driver, WAIT)
        .until(ExpectedConditions.elementToBeClickable(By.id(id)))
        .click();
  }

  private void type(String id, String value) {
    var field = driver.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  private String text(String id) {
    return driver.findElement(By.id(id)).getText().trim();
  }

  private String attribute(String id, String name) {
    return driver.findElement(By.id(id)).getDomAttribute(name);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits for a log row and returns its text. */
  private String waitForRow(String css) {
    return new WebDriverWait(driver, WAIT)
        .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)))
        .getText();
  }

  private void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
    Boolean ok = new WebDriverWait(driver, WAIT).until(condition);
    assertTrue(ok);
  }

  /**
   * The text shown for one figure of GET /api/stats (its {@code data-key}), read in one script: the
   * page replaces the whole list on every refresh, so a found element may go stale.
   */
  private String stat(String key) {
    return (String)
        js(
            "const dd = document.querySelector(`#server-stats dd[data-key='${arguments[0]}']`);"
                + " return dd ? dd.textContent.trim() : '';",
            key);
  }

  /** The page's "clientId … · session … · lastSeq …" line. */
  private String session() {
    return text("session-info");
  }

  /** Publishes {@code {"n":n}} to the channel through the admin API; the page is its subscriber. */
  private static void broadcast(AdminHttp api, String admin, String channel, int n)
      throws Exception {
    broadcast(api, admin, channel, n, 1);
  }

  private static void broadcast(
      AdminHttp api, String admin, String channel, int n, int connectedSubscribers)
      throws Exception {
    HttpResponse<String> response =
        api.post(
            "/broadcast", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + n + "}}", admin);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(
        connectedSubscribers, AdminHttp.json(response).getInt("delivered"), response.body());
  }

  /** The channel's events in the page's message log, oldest first (rows are newest first). */
  private List<JsonObject> eventsShown(String channel) {
    @SuppressWarnings("unchecked")
    List<String> contents =
        (List<String>)
            js(
                "return Array.from(document.querySelectorAll("
                    + "\"#message-log tr[data-dir='in'][data-type='event']\"))"
                    + ".map(tr => tr.cells[4].textContent).reverse();");
    List<JsonObject> events = new ArrayList<>();
    for (String content : contents) {
      JsonObject event = Json.createReader(new StringReader(content)).readObject();
      if (channel.equals(event.getString("channel"))) {
        events.add(event);
      }
    }
    return events;
  }

  /** Details of the page's connection-event log rows of one kind, newest first. */
  @SuppressWarnings("unchecked")
  private List<String> eventLog(String event) {
    return (List<String>)
        js(
            "return Array.from(document.querySelectorAll('#event-log tr'))"
                + ".filter(tr => tr.dataset.event === arguments[0])"
                + ".map(tr => tr.cells[3].textContent);",
            event);
  }

  private void assertNoConsoleErrors() {
    assertNoConsoleErrors(null);
  }

  /** No console errors, but those that contain {@code expected} (when given). */
  private void assertNoConsoleErrors(String expected) {
    List<LogEntry> errors =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .filter(e -> expected == null || !e.getMessage().contains(expected))
            .collect(Collectors.toList());
    assertTrue(errors.isEmpty(), "console errors: " + errors);
  }

  private void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(
          shot.toPath(),
          SCREENSHOTS.resolve("BrowserPageIT-" + name + ".png"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      System.err.println("screenshot " + name + " failed: " + e);
    }
  }
}
