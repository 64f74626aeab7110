package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handshake that starts and never ends (slowloris) is dropped by Undertow's request parse timeout
 * (10 s, wildfly-config/configure-undertow.cli) instead of holding a socket forever; a connection
 * that sends nothing at all, by its no-request timeout (60 s).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HandshakeTimeoutIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive war() {
    return Deployments.builtWar();
  }

  @Test
  void dropsAHalfFinishedHandshake() throws Exception {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      InputStream in = socket.getInputStream();
      int read;
      do {
        read = in.read(); // an error page, if any, then the end of the stream
      } while (read >= 0);
      long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertEquals(-1, read);
      assertTrue(waited >= 9_000 && waited <= 20_000, "dropped after " + waited + " ms");
    }
  }

  /** README, Undertow settings: an HTTP connection without any request is closed after 60 s. */
  @Test
  void closesAConnectionThatSendsNothingAfterAMinute() throws Exception {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(90_000);
      long start = System.nanoTime();
      int read = socket.getInputStream().read();
      long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertEquals(-1, read, "closed without an answer");
      assertTrue(waited >= 59_000 && waited <= 75_000, "closed after " + waited + " ms");
    }
  }
}
