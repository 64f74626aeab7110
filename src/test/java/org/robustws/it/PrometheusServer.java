package org.robustws.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.robustws.ops.OpsKit;

/**
 * Debian's Prometheus as a child process on a free loopback port, with the configuration and alert
 * rules of docs/ops (only the target and the intervals changed, so a test takes seconds, not
 * minutes). Its configuration, data and log live under {@code target/prometheus-NAME}.
 */
final class PrometheusServer implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path dir;
  private final URI api;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
  }

  /** How long {@link #await} waits: a few scrapes and rule evaluations. */
  static final Duration WAIT = Duration.ofSeconds(45);

  /** An API call for {@link #await}. */
  interface Call {
    JsonObject get() throws Exception;
  }

  /** What {@link #await} waits for in an answer. */
  interface Check {
    boolean test(JsonObject data) throws Exception;
  }

  /** Starts Prometheus scraping {@code targets} (host:port) every second; returns once ready. */
  static PrometheusServer start(String name, String... targets) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: run .ci/setup.sh (installs prometheus)");
    }
    Path dir = Path.of("target", "prometheus-" + name).toAbsolutePath();
    ServerCopy.deleteRecursively(dir);
    Files.createDirectories(dir);
    String config = Files.readString(OpsKit.PROMETHEUS_CONFIG);
    config = replaceOnce(config, "scrape_interval: 15s", "scrape_interval: 1s");
    config = replaceOnce(config, "evaluation_interval: 15s", "evaluation_interval: 1s");
    config =
        replaceOnce(
            config,
            "targets: [\"10.0.0.11:9990\", \"10.0.0.12:9990\"]",
            "targets: [\"" + String.join("\", \"", targets) + "\"]");
    Files.writeString(dir.resolve("prometheus.yml"), config);
    Files.copy(OpsKit.RULES, dir.resolve(OpsKit.RULES.getFileName()));
    int port = LoopbackPort.free();
    Process process =
        new ProcessBuilder(
                List.of(
                    BINARY.toString(),
                    "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    PrometheusServer server = new PrometheusServer(process, dir, port);
    try {
      server.awaitReady();
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static String replaceOnce(String text, String what, String with) {
    if (!text.contains(what)) {
      throw new IllegalStateException(OpsKit.PROMETHEUS_CONFIG + " no longer contains " + what);
    }
    return text.replace(what, with);
  }

  /** The {@code data} of an API call that answered {@code status: success}. */
  JsonObject get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(api.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject body;
    try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
      body = reader.readObject();
    }
    if (!"success".equals(body.getString("status", ""))) {
      throw new AssertionError(pathAndQuery + " answered " + response.statusCode() + " " + body);
    }
    return body.getJsonObject("data");
  }

  /** An instant query's {@code data}. */
  JsonObject query(String promql) throws IOException, InterruptedException {
    return get("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** Calls {@code call} until its answer passes {@code done}, for at most {@link #WAIT}. */
  JsonObject await(String what, Call call, Check done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonObject last = call.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            what + ": not within " + WAIT + "; last answer " + last + "\n" + log());
      }
      Thread.sleep(250);
      last = call.get();
    }
    return last;
  }

  /** The values of {@code label} over an instant query's series. */
  static Set<String> labelValues(JsonObject data, String label) {
    return data.getJsonArray("result").getValuesAs(JsonObject.class).stream()
        .map(series -> series.getJsonObject("metric").getString(label))
        .collect(Collectors.toSet());
  }

  /** Prometheus's log, for assertion messages. */
  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    URI ready = api.resolve("/-/ready");
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "prometheus exited with " + process.exitValue() + ": " + log());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "prometheus not ready after " + START_TIMEOUT + ": " + log());
      }
    }
  }

  /** Stops Prometheus (SIGTERM), kills it if it lingers. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
