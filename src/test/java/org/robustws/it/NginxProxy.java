package org.robustws.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx as a foreground child process on a free loopback port, proxying to one upstream
 * with the WebSocket snippet of docs/deployment.md ({@link #SNIPPET}, included unchanged). Its
 * prefix, configuration, pid, logs and temp files live under {@code target/}.
 */
final class NginxProxy implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/nginx");

  /** The snippet that docs/deployment.md shows, byte for byte. */
  static final Path SNIPPET = Path.of("src/test/resources/nginx/robust-websocket.conf");

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Path prefix;
  private final int port;

  private NginxProxy(Process process, Path prefix, int port) {
    this.process = process;
    this.prefix = prefix;
    this.port = port;
  }

  /**
   * Starts nginx in front of {@code 127.0.0.1:upstreamPort} and returns once it accepts
   * connections.
   *
   * @param name names its directory, {@code target/nginx-NAME}
   */
  static NginxProxy start(String name, int upstreamPort) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: run .ci/setup.sh (installs nginx)");
    }
    Path prefix = Path.of("target", "nginx-" + name).toAbsolutePath();
    Files.createDirectories(prefix.resolve("conf"));
    Files.createDirectories(prefix.resolve("logs"));
    Files.createDirectories(prefix.resolve("temp"));
    int port = LoopbackPort.free();
    String config =
        String.join(
            "\n",
            "worker_processes 1;",
            "pid " + prefix.resolve("nginx.pid") + ";",
            "error_log " + prefix.resolve("logs/error.log") + " info;",
            "events { worker_connections 512; }",
            "http {",
            "    access_log " + prefix.resolve("logs/access.log") + ";",
            "    client_body_temp_path " + prefix.resolve("temp/client_body") + ";",
            "    proxy_temp_path " + prefix.resolve("temp/proxy") + ";",
            "    fastcgi_temp_path " + prefix.resolve("temp/fastcgi") + ";",
            "    uwsgi_temp_path " + prefix.resolve("temp/uwsgi") + ";",
            "    scgi_temp_path " + prefix.resolve("temp/scgi") + ";",
            "    upstream robust_websocket {",
            "        server 127.0.0.1:" + upstreamPort + ";",
            "    }",
            "    server {",
            "        listen 127.0.0.1:" + port + ";",
            "        include " + SNIPPET.toAbsolutePath() + ";",
            "    }",
            "}",
            "");
    Path conf = prefix.resolve("conf/nginx.conf");
    Files.writeString(conf, config, StandardCharsets.UTF_8);
    Process process =
        new ProcessBuilder(
                List.of(
                    BINARY.toString(),
                    "-p",
                    prefix + "/",
                    "-c",
                    conf.toString(),
                    "-e",
                    prefix.resolve("logs/error.log").toString(),
                    "-g",
                    "daemon off;"))
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
            .start();
    NginxProxy proxy = new NginxProxy(process, prefix, port);
    try {
      proxy.awaitListening();
    } catch (IOException | RuntimeException | InterruptedException e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  int port() {
    return port;
  }

  /** nginx's error log (connections it closed, timeouts), for assertion messages. */
  String errorLog() {
    try {
      return Files.readString(prefix.resolve("logs/error.log"));
    } catch (IOException e) {
      return "(no error log: " + e + ")";
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IOException("nginx does not listen on " + port + ": " + errorLog(), notYet);
        }
      }
      // Waits for the process to end: returns early, with an explanation, if nginx fails to start.
      if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "nginx exited with " + process.exitValue() + ": " + errorLog());
      }
    }
  }

  /** Stops nginx (SIGTERM: fast shutdown) and its worker; kills them if they linger. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> workers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    workers.forEach(ProcessHandle::destroyForcibly);
  }
}
