package org.robustws.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The nginx snippet in docs/deployment.md is, byte for byte, the one NginxProxyIT runs. */
class DeploymentDocsTest {
  @Test
  void documentsTheTestedNginxSnippetUnchanged() throws Exception {
    String snippet = Files.readString(Path.of("src/test/resources/nginx/robust-websocket.conf"));
    String docs = Files.readString(Path.of("docs/deployment.md"));
    assertTrue(
        docs.contains("```nginx\n" + snippet + "```\n"),
        "docs/deployment.md must show src/test/resources/nginx/robust-websocket.conf unchanged"
            + " in an nginx code block");
  }
}
