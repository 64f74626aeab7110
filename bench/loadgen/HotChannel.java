import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publications per second that one channel (or several) takes: {@code conns} connections spread
 * over {@code ports} (one or several nodes), each publishing as soon as its previous publication
 * was acknowledged (one outstanding per connection: a server takes a connection's publications one
 * after the other anyway). Connection i publishes to {@code hot} with {@code channels=1}, else to
 * {@code ch.<i % channels>}. After {@code warmup} seconds it counts the acks of {@code seconds}
 * seconds and prints one JSON line, with the offsets of a channel acknowledged twice over the whole
 * run (acks that carry one: the Node reference keeps no stream). Usage: java HotChannel
 * ports=8180,8280,8380 conns=30 channels=1 seconds=15 warmup=5 label=three
 */
public final class HotChannel {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String[] ports = a.getOrDefault("ports", "8580").split(",");
    int conns = Integer.parseInt(a.getOrDefault("conns", "30"));
    int channels = Integer.parseInt(a.getOrDefault("channels", "1"));
    long seconds = Long.parseLong(a.getOrDefault("seconds", "15"));
    long warmup = Long.parseLong(a.getOrDefault("warmup", "5"));
    AtomicLong acks = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Set<String> places = ConcurrentHashMap.newKeySet();
    AtomicLong repeats = new AtomicLong();
    HttpClient http = HttpClient.newHttpClient();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      String channel = channels == 1 ? "hot" : "ch." + (i % channels);
      URI uri = URI.create("ws://127.0.0.1:" + ports[i % ports.length] + "/ws");
      sockets.add(
          http.newWebSocketBuilder()
              .buildAsync(uri, new Publisher(channel, acks, errors, places, repeats))
              .get(60, TimeUnit.SECONDS));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    long from = acks.get();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long counted = acks.get() - from;
    double elapsed = (System.nanoTime() - start) / 1e9;
    for (WebSocket ws : sockets) {
      ws.abort();
    }
    System.out.printf(
        "{\"label\":\"%s\",\"nodes\":%d,\"connections\":%d,\"channels\":%d,"
            + "\"publications_per_s\":%.1f,\"errors\":%d,\"offsets_acked_twice\":%d}%n",
        a.getOrDefault("label", "?"), ports.length, conns, channels, counted / elapsed,
        errors.get(), repeats.get());
    System.exit(0);
  }

  /** Publishes on {@code system/connected} and again on every {@code ack}. */
  private static final class Publisher implements WebSocket.Listener {
    private final String channel;
    private final AtomicLong acks;
    private final AtomicLong errors;
    private final Set<String> places;
    private final AtomicLong repeats;
    private final StringBuilder part = new StringBuilder();
    private long sent;

    Publisher(
        String channel, AtomicLong acks, AtomicLong errors, Set<String> places, AtomicLong repeats) {
      this.channel = channel;
      this.acks = acks;
      this.errors = errors;
      this.places = places;
      this.repeats = repeats;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        String frame = part.toString();
        part.setLength(0);
        if (frame.contains("\"type\":\"ack\"")) {
          acks.incrementAndGet();
          if (frame.contains("\"offset\":")
              && !places.add(channel + " " + field(frame, "epoch") + " " + field(frame, "offset"))) {
            repeats.incrementAndGet();
          }
          publish(ws);
        } else if (frame.contains("\"event\":\"connected\"")) {
          publish(ws);
        } else if (frame.contains("\"type\":\"error\"")) {
          errors.incrementAndGet();
          publish(ws);
        }
      }
      ws.request(1);
      return CompletableFuture.completedFuture(null);
    }

    /** The text after {@code "name":} up to the next comma or brace, quotes and all. */
    private static String field(String frame, String name) {
      int from = frame.indexOf("\"" + name + "\":") + name.length() + 3;
      int to = from;
      while (to < frame.length() && frame.charAt(to) != ',' && frame.charAt(to) != '}') {
        to++;
      }
      return frame.substring(from, to);
    }

    private void publish(WebSocket ws) {
      sent++;
      ws.sendText(
          "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":\"x\",\"id\":" + sent + "}",
          true);
    }
  }
}
