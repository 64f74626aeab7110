package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's "Try it" line, taken from the README as it is, against the shared server. */
@ExtendWith(ArquillianExtension.class)
class ReadmeTryItIT {
  private static final String PREFIX = "node --experimental-websocket -e '";

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.builtWar();
  }

  @Test
  void theTryItLinePrintsConnectedThenPong() throws Exception {
    String line =
        Files.readAllLines(Path.of("README.md")).stream()
            .filter(l -> l.startsWith(PREFIX))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no '" + PREFIX + "' line in README.md"));
    String script = line.substring(PREFIX.length(), line.length() - 1);
    Path errors = Path.of("target", "readme-try-it.err");
    Process node =
        new ProcessBuilder("node", "--experimental-websocket", "-e", script)
            .redirectError(errors.toFile()) // Node's ExperimentalWarning goes there
            .start();
    assertTrue(node.waitFor(20, TimeUnit.SECONDS), "the line ends by itself");
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, node.exitValue(), output + Files.readString(errors));
    String[] lines = output.strip().split("\n");
    assertTrue(lines[0].contains("\"event\":\"connected\""), output);
    assertTrue(lines[lines.length - 1].contains("\"type\":\"pong\""), output);
  }
}
