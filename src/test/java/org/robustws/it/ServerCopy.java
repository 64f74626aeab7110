package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Copies of what the build produced, for ITs that start a WildFly of their own beside the shared
 * Arquillian-managed one (which must not be stopped or reconfigured under the other ITs).
 */
final class ServerCopy {
  static final Path PROVISIONED = Path.of("target", "server").toAbsolutePath();

  private ServerCopy() {}

  /**
   * A fresh copy of the provisioned server at {@code home}: none of the shared server's state (it
   * may be running) and no deployment recorded in its configuration.
   */
  static void provisioned(Path home) throws IOException, InterruptedException {
    assertTrue(Files.isDirectory(PROVISIONED), "run 'mvn verify': " + PROVISIONED + " is missing");
    deleteRecursively(home);
    copy(PROVISIONED, home);
    for (String dir : List.of("data", "tmp", "log", "configuration/standalone_xml_history")) {
      deleteRecursively(home.resolve("standalone").resolve(dir));
    }
    Path config = home.resolve("standalone/configuration/standalone.xml");
    Files.writeString(
        config,
        Files.readString(config).replaceAll("(?s)<deployments>.*?</deployments>", ""),
        StandardCharsets.UTF_8);
  }

  /** {@code cp -a}: keeps modification times, so Maven sees copied build output as up to date. */
  static void copy(Path from, Path to) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).start();
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("cp -a " + from + " " + to + " failed");
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              file -> {
                try {
                  Files.delete(file);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
