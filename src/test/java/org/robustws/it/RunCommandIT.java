package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, {@code mvn wildfly:run -Dmaven.test.skip}, starts the server once: a
 * client that connects as soon as {@code /ws} answers stays connected (no 1012 from a reload) until
 * the server is stopped ({@code system/shutdown}, then 1012), the log shows one start, and the run
 * leaves the provisioned configuration as the build wrote it (no deployment recorded in it).
 *
 * <p>Maven runs in a copy of the project ({@code target/run-command}: sources, compiled classes and
 * the provisioned server, so nothing is compiled or provisioned again), because a build in this
 * project's folder would repackage the WAR under the running ITs; with port offset 300 (HTTP 8380,
 * management 10290) beside the shared Arquillian server.
 */
class RunCommandIT {
  private static final int OFFSET = 300;
  private static final URI WS = URI.create("ws://127.0.0.1:" + (8080 + OFFSET) + "/ws");
  private static final Path PROJECT = Path.of("target", "run-command").toAbsolutePath();
  private static final Path LOG = Path.of("target", "run-command.log").toAbsolutePath();

  /** A reload came ~13 s after the first start, so the client is held well past that. */
  private static final Duration HOLD = Duration.ofSeconds(25);

  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
  private static Process maven;

  @AfterAll
  static void stopMaven() throws Exception {
    if (maven != null && maven.isAlive()) {
      List<ProcessHandle> tree = maven.descendants().toList();
      tree.forEach(ProcessHandle::destroyForcibly);
      maven.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void startsOnceAndKeepsItsClientsUntilStopped() throws Exception {
    copyProject();
    Path configuration = PROJECT.resolve("target/server/standalone/configuration/standalone.xml");
    String provisioned = Files.readString(configuration);
    maven = startRunCommand();
    ClientManager container = ClientManager.createClient();
    try (TestClient client = connectOnceWsAnswers(container)) {
      assertEquals("connected", client.next("system").getString("event"));

      Thread.sleep(HOLD.toMillis());
      assertFalse(
          client.closed.isDone(),
          "closed while the server should run: " + client.closed.getNow(null) + "; see " + LOG);
      client.send("{\"type\":\"ping\",\"timestamp\":1}");
      assertEquals("pong", client.next("pong").getString("type"));
      Optional<InetAddress> outside = DocumentedDetailsIT.nonLoopbackAddress();
      if (outside.isPresent()) {
        URI beyond =
            URI.create("ws://" + outside.get().getHostAddress() + ":" + (8080 + OFFSET) + "/ws");
        try (TestClient remote = TestClient.connect(container, beyond)) {
          assertEquals("connected", remote.next("system").getString("event"));
        }
      }

      String log = Files.readString(LOG);
      assertEquals(1, count(log, "WFLYSRV0025"), "server starts in " + LOG);
      assertEquals(0, count(log, "WFLYSRV0050"), "server stops before the shutdown in " + LOG);
      for (String testOutput : List.of("T E S T S", "Tests run:", "ISPN000714", "RWS0022")) {
        assertEquals(0, count(log, testOutput), "no test runs before the server: " + LOG);
      }

      shutdown();
      assertTrue(maven.waitFor(60, TimeUnit.SECONDS), "mvn wildfly:run ends after :shutdown");
      JsonObject goodbye = client.next("system");
      assertEquals("shutdown", goodbye.getString("event"), "before the 1012: " + goodbye);
      CloseReason closed = client.closed.get(10, TimeUnit.SECONDS);
      assertEquals(1012, closed.getCloseCode().getCode(), "the stop's close: " + closed);
    }
    // --read-only-server-config: the run's changes (its deployment) stayed in memory
    assertEquals(provisioned, Files.readString(configuration), "target/server's configuration");
  }

  private static void copyProject() throws Exception {
    ServerCopy.deleteRecursively(PROJECT);
    Files.createDirectories(PROJECT.resolve("target"));
    for (String part : List.of("pom.xml", "src", "wildfly-config")) {
      ServerCopy.copy(Path.of(part).toAbsolutePath(), PROJECT.resolve(part));
    }
    for (String part : List.of("classes", "generated-sources", "maven-status")) {
      Path built = Path.of("target", part).toAbsolutePath();
      if (Files.exists(built)) {
        ServerCopy.copy(built, PROJECT.resolve("target").resolve(part));
      }
    }
    ServerCopy.provisioned(PROJECT.resolve("target/server"));
  }

  /** The README's command, with the same Maven and local repository as this build. */
  private static Process startRunCommand() throws Exception {
    String mavenHome = System.getProperty("it.maven.home");
    assertNotNull(mavenHome, "it.maven.home (set by the pom for failsafe)");
    Files.deleteIfExists(LOG);
    return new ProcessBuilder(
            Path.of(mavenHome, "bin", "mvn").toString(),
            "-B",
            "wildfly:run",
            "-Dmaven.test.skip",
            "-Dmaven.repo.local=" + System.getProperty("it.maven.repo.local"),
            "-Dwildfly.run.port-offset=" + OFFSET,
            "-Dwildfly.port=" + (9990 + OFFSET),
            "-Dwildfly.run.bind-address=0.0.0.0", // docs/deployment.md: beyond loopback
            // what the run command does, without the formatting a test run has done already
            "-Dspotless.apply.phase=none",
            "-Dspotless.check.phase=none")
        .directory(PROJECT.toFile())
        .redirectErrorStream(true)
        .redirectOutput(LOG.toFile())
        .start();
  }

  /** Connects as soon as a handshake on /ws succeeds, as a client waiting for the server would. */
  private static TestClient connectOnceWsAnswers(ClientManager container) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!maven.isAlive()) {
        throw new AssertionError("mvn wildfly:run exited with " + maven.exitValue() + "; " + LOG);
      }
      try {
        return TestClient.connect(container, WS);
      } catch (Exception notYet) {
        last = notYet;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("/ws did not answer within " + START_TIMEOUT + "; see " + LOG, last);
  }

  private static void shutdown() throws Exception {
    Process cli =
        new ProcessBuilder(
                PROJECT.resolve("target/server/bin/jboss-cli.sh").toString(),
                "--connect",
                "--controller=127.0.0.1:" + (9990 + OFFSET),
                "command=:shutdown")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile()))
            .start();
    assertTrue(cli.waitFor(60, TimeUnit.SECONDS) && cli.exitValue() == 0, ":shutdown; " + LOG);
  }

  private static int count(String text, String what) {
    Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (matcher.find()) {
      n++;
    }
    return n;
  }
}
