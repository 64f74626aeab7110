import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes over one {@code /ws} connection (JDK client only) and times each publication until its
 * {@code ack}, that is until the event was appended to its channel's stream and queued for this
 * server's subscribers.
 *
 * <ul>
 *   <li>{@code mode=latency n=2000}: one publication at a time; prints one JSON line with p50, p90,
 *       p99, max (ms) of publish-to-ack.
 *   <li>{@code mode=fill n=100000 channels=100 window=200}: fills the channels {@code fill.0} …
 *       round-robin with up to {@code window} publications outstanding; prints the count and the
 *       rate.
 *   <li>{@code mode=offset channel=fill.0}: subscribes, publishes once and prints the event's offset
 *       and epoch (after a restart: whether the stream survived).
 * </ul>
 *
 * Every wait is bounded (60 s).
 */
public final class PublishAck {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String uri = "ws://127.0.0.1:" + a.getOrDefault("port", "8580") + "/ws";
    LinkedBlockingQueue<String> in = new LinkedBlockingQueue<>();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(uri), new Collector(in))
            .get(60, TimeUnit.SECONDS);
    take(in, "\"event\":\"connected\"");
    String mode = a.getOrDefault("mode", "latency");
    int n = Integer.parseInt(a.getOrDefault("n", "2000"));
    String payload = "\"" + "x".repeat(Integer.parseInt(a.getOrDefault("size", "100"))) + "\"";
    switch (mode) {
      case "latency" -> {
        double[] ms = new double[n];
        String channel = a.getOrDefault("channel", "ack.latency");
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          ws.sendText(publish(channel, payload, i), true).get(60, TimeUnit.SECONDS);
          take(in, "\"type\":\"ack\"");
          ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(
            "{\"variant\":\"%s\",\"publications\":%d,\"ack_p50_ms\":%.3f,\"ack_p90_ms\":%.3f,"
                + "\"ack_p99_ms\":%.3f,\"ack_max_ms\":%.3f}%n",
            a.getOrDefault("variant", "?"), n, q(ms, 0.5), q(ms, 0.9), q(ms, 0.99), ms[n - 1]);
      }
      case "fill" -> {
        int channels = Integer.parseInt(a.getOrDefault("channels", "100"));
        Semaphore window = new Semaphore(Integer.parseInt(a.getOrDefault("window", "200")));
        Thread acks =
            new Thread(
                () -> {
                  for (int i = 0; i < n; i++) {
                    try {
                      take(in, "\"type\":\"ack\"");
                    } catch (InterruptedException e) {
                      return;
                    }
                    window.release();
                  }
                });
        acks.start();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no ack within 60 s after " + i);
          }
          ws.sendText(publish("fill." + (i % channels), payload, i), true).get(60, TimeUnit.SECONDS);
        }
        acks.join(60_000);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"filled\":%d,\"channels\":%d,\"seconds\":%.1f}%n", n, channels, s);
      }
      case "offset" -> {
        String channel = a.getOrDefault("channel", "fill.0");
        ws.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}", true).get();
        take(in, "\"type\":\"subscribed\"");
        ws.sendText(publish(channel, payload, 0), true).get();
        String event = take(in, "\"type\":\"event\"");
        System.out.println(event.replaceAll(",\"data\":.*", "}"));
      }
      default -> throw new IllegalArgumentException("mode " + mode);
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  private static String publish(String channel, String data, int id) {
    return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data + ",\"id\":" + id + "}";
  }

  private static double q(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** The next frame that contains {@code marker}, skipping others; fails after 60 s. */
  private static String take(LinkedBlockingQueue<String> in, String marker)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String frame = in.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (frame != null && frame.contains(marker)) {
        return frame;
      }
      if (frame != null && frame.contains("\"type\":\"error\"")) {
        throw new IllegalStateException(frame);
      }
    }
    throw new IllegalStateException("no " + marker + " within 60 s");
  }

  /** Queues every text message, whole. */
  private static final class Collector implements WebSocket.Listener {
    private final LinkedBlockingQueue<String> in;
    private final StringBuilder part = new StringBuilder();

    Collector(LinkedBlockingQueue<String> in) {
      this.in = in;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        in.add(part.toString());
        part.setLength(0);
      }
      ws.request(1);
      return CompletableFuture.completedFuture(null);
    }
  }
}
