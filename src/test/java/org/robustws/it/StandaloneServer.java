package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A WildFly of an IT's own beside the shared Arquillian-managed one: a {@link ServerCopy} of the
 * provisioned server in {@code target/NAME} with the built WAR in its deployments folder, started
 * with {@code standalone.sh} at a port offset. Its console goes to {@code target/NAME-console.log}.
 */
final class StandaloneServer implements AutoCloseable {
  private static final Path WAR = Path.of("target", "robust-websocket.war").toAbsolutePath();
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path home;
  private final Path console;
  private final int offset;
  private final Map<String, String> environment;
  private final List<String> properties;
  private Process launcher;

  private StandaloneServer(
      Path home, int offset, Map<String, String> environment, List<String> properties) {
    this.home = home;
    this.console = home.resolveSibling(home.getFileName() + "-console.log");
    this.offset = offset;
    this.environment = environment;
    this.properties = properties;
  }

  /**
   * Prepares {@code target/NAME}; {@link #start()} launches it.
   *
   * @param environment added to the server's environment
   * @param properties system properties, {@code -Dkey=value}
   */
  static StandaloneServer prepare(
      String name, int offset, Map<String, String> environment, String... properties)
      throws IOException, InterruptedException {
    StandaloneServer server = prepareWithoutTheApp(name, offset, environment, properties);
    Files.copy(
        WAR,
        server.home.resolve("standalone/deployments/robust-websocket.war"),
        StandardCopyOption.REPLACE_EXISTING);
    return server;
  }

  /** Like {@link #prepare}, with nothing in the deployments folder: {@link #deploy} does it. */
  static StandaloneServer prepareWithoutTheApp(
      String name, int offset, Map<String, String> environment, String... properties)
      throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(WAR), "run 'mvn verify': " + WAR + " is missing");
    Path home = Path.of("target", name).toAbsolutePath();
    ServerCopy.provisioned(home);
    StandaloneServer server = new StandaloneServer(home, offset, environment, List.of(properties));
    Files.deleteIfExists(server.console);
    return server;
  }

  /** Starts the server (again, after a stop: on the same data) and waits until it is ready. */
  void start() throws Exception {
    launch();
    awaitReady();
  }

  /**
   * Starts the server and waits until WildFly says it started, with errors or not ({@code
   * WFLYSRV0025}, {@code WFLYSRV0026}), whether the application deployed or not.
   *
   * @return the line that said so
   */
  String startWithoutWaitingForTheApp() throws Exception {
    launch();
    long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(serverLog())) {
        Optional<String> started =
            Files.readAllLines(serverLog()).stream()
                .filter(l -> l.contains("WFLYSRV0025") || l.contains("WFLYSRV0026"))
                .findFirst();
        if (started.isPresent()) {
          return started.get();
        }
      }
      if (launcher.waitFor(250, TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "the server exited with " + launcher.exitValue() + "; see " + console);
      }
    }
    throw new AssertionError("not started within " + BOOT_TIMEOUT + "; see " + console);
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/standalone.sh").toString());
    command.add("-Djboss.socket.binding.port-offset=" + offset);
    command.add("-Djava.net.preferIPv4Stack=true");
    command.addAll(properties);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
    builder.environment().put("JBOSS_HOME", home.toString());
    builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().putAll(environment);
    launcher = builder.start();
  }

  int httpPort() {
    return 8080 + offset;
  }

  URI uri(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + httpPort() + path);
  }

  /**
   * Deploys the built WAR through the management API, as {@code mvn wildfly:run} does.
   *
   * @return the CLI's output, which says why if the deployment failed
   */
  String deploy() throws IOException, InterruptedException {
    return run("deploy " + WAR + " --force").output();
  }

  /** Runs one management operation with the server's own {@code jboss-cli.sh}; its output. */
  String cli(String operation) throws IOException, InterruptedException {
    Cli cli = run(operation);
    if (cli.exit() != 0) {
      throw new AssertionError(operation + " failed: " + cli.output());
    }
    return cli.output();
  }

  private record Cli(int exit, String output) {}

  private Cli run(String operation) throws IOException, InterruptedException {
    Process cli =
        new ProcessBuilder(
                home.resolve("bin/jboss-cli.sh").toString(),
                "--connect",
                "--controller=127.0.0.1:" + (9990 + offset),
                "--command=" + operation)
            .redirectErrorStream(true)
            .start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!cli.waitFor(60, TimeUnit.SECONDS)) {
      cli.destroyForcibly();
      throw new AssertionError(operation + " did not end: " + output);
    }
    return new Cli(cli.exitValue(), output);
  }

  Path console() {
    return console;
  }

  Path serverLog() {
    return home.resolve("standalone/log/server.log");
  }

  /** The WildFly JVM that standalone.sh started (its child running jboss-modules.jar). */
  ProcessHandle jvm() {
    return launcher
        .descendants()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(line -> line.contains("jboss-modules.jar"))
                    .orElse(false))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no WildFly JVM under " + launcher.pid()));
  }

  /** Polls readiness until our check answers UP; returns early if the server dies. */
  private void awaitReady() throws Exception {
    URI ready = URI.create("http://127.0.0.1:" + (9990 + offset) + "/health/ready");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200 && response.body().contains("websocket-capacity")) {
          return;
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      // Waits for the launcher to end: returns early, with an explanation, if the server dies.
      if (launcher.waitFor(250, TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "the server exited with " + launcher.exitValue() + "; see " + console);
      }
    }
    throw new AssertionError("not ready within " + BOOT_TIMEOUT + ": " + last + "; see " + console);
  }

  /** Kills the server and its launcher, if running, and waits until they are gone. */
  @Override
  public void close() throws Exception {
    if (launcher == null) {
      return;
    }
    List<ProcessHandle> tree = launcher.descendants().toList();
    tree.forEach(ProcessHandle::destroyForcibly);
    launcher.destroyForcibly();
    launcher.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    for (ProcessHandle process : tree) {
      process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
