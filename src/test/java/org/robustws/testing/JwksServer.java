package org.robustws.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A key set served over HTTP on loopback, as an identity provider serves its {@code jwks_uri}: the
 * JDK's own HTTP server. {@link #serve} changes it (a key rotation); {@link #fetches} counts how
 * often it was loaded.
 */
public final class JwksServer implements AutoCloseable {
  private final AtomicReference<String> keys;
  private final AtomicInteger fetches = new AtomicInteger();
  private final HttpServer http;

  public JwksServer(String jwks) throws IOException {
    keys = new AtomicReference<>(jwks);
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/certs",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = keys.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    http.start();
  }

  /** The key set's address, for {@code mp.jwt.verify.publickey.location}. */
  public String location() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/certs";
  }

  public void serve(String jwks) {
    keys.set(jwks);
  }

  public int fetches() {
    return fetches.get();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
