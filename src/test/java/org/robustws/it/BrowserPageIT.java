package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The test page ({@code /robust-websocket-test.html}) in Debian's headless chromium, driven through
 * Debian's chromedriver (no driver download), against the built WAR.
 *
 * <p>TODO after the admin API lands: {@code operatorCloseShowsReconnectThenResumedWithoutGaps}
 * (DELETE /api/connections/{id}; the page shows reconnecting, then connected and resumed with zero
 * gaps).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrowserPageIT {
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final Path SCREENSHOTS = Path.of("target", "failsafe-reports", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * Console messages that are expected while the admin API (GET /api/stats) is not merged yet: the
   * page shows "not available (HTTP 404)" and the browser logs the failed request. Remove once
   * /api/stats exists.
   */
  private static final String PENDING_STATS_API_404 = "/api/stats";

  @ArquillianResource URL base;

  private Path profile;
  private ChromeDriverService service;
  private WebDriver driver;
  private String testName;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @BeforeEach
  void startBrowser(TestInfo info) throws IOException {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
    // Point Selenium at Debian's driver so Selenium Manager never tries to download one.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);
    profile = Files.createTempDirectory("robustws-chromium-");
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,2000",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void stopBrowser() throws IOException {
    try {
      if (driver != null) {
        screenshot(testName);
      }
    } finally {
      if (driver != null) {
        driver.quit();
      }
      if (service != null) {
        service.stop();
      }
      deleteRecursively(profile);
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

  @Test
  void connectsAndMeasuresLatencyWithPing() {
    openPage();
    connect();
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
    assertEquals("1", text("count-resumes"));
    waitUntil(d -> "connected".equals(text("state-word")));
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

  // ----- helpers -----

  private URI pageUri() {
    return URI.create(base.toExternalForm().replaceAll("/?$", "/") + "robust-websocket-test.html");
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

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
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

  private void assertNoConsoleErrors() {
    List<LogEntry> errors =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .filter(e -> !e.getMessage().contains(PENDING_STATS_API_404))
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

  private static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
