import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The same fixed-rate 64 B echo as LoadGen's, written with the JDK's java.net.http.WebSocket, only
 * to compare the client's CPU per message with LoadGen's (bench/RESULTS.md). Arguments: url,
 * connections, rate, seconds, output file. Bounded: one phase, then exit.
 */
public class JdkEcho {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    int n = Integer.parseInt(args[1]);
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    long[] lat = new long[rate * (seconds + 6)];
    AtomicInteger got = new AtomicInteger();
    HttpClient http = HttpClient.newHttpClient();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long sent = Long.parseLong(data.subSequence(1, 20).toString());
            int i = got.getAndIncrement();
            if (i < lat.length) {
              lat[i] = (System.nanoTime() - sent) / 1000;
            }
            ws.request(1);
            return null;
          }
        };
    List<WebSocket> conns = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      conns.add(http.newWebSocketBuilder().buildAsync(uri, listener).get(10, TimeUnit.SECONDS));
    }
    List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pending.add(null);
    }
    String pad = "x".repeat(44);
    double cpu0 = -1;
    long start = System.nanoTime();
    long interval = 1_000_000_000L / rate;
    long warm = (long) rate * 5; // 5 s warm-up, not counted in the CPU figure
    long total = warm + (long) rate * seconds;
    long sent = 0;
    while (sent < total && System.nanoTime() - start < (seconds + 10) * 1_000_000_000L) {
      if (cpu0 < 0 && sent >= warm) {
        cpu0 = cpu();
      }
      long due = Math.min(total, (System.nanoTime() - start) / interval);
      while (sent < due) {
        int c = (int) (sent % n);
        long intended = start + sent * interval;
        String msg = String.format(Locale.ROOT, "#%019d", intended) + pad;
        CompletableFuture<WebSocket> prev = pending.get(c);
        // one outstanding send per WebSocket is allowed: chain on the previous one
        pending.set(c, prev == null ? conns.get(c).sendText(msg, true).toCompletableFuture()
            : prev.thenCompose(w -> w.sendText(msg, true)));
        sent++;
      }
      Thread.sleep(1);
    }
    long until = System.nanoTime() + 3_000_000_000L;
    while (got.get() < sent && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    double cpu = cpu() - cpu0;
    int k = Math.min(got.get(), lat.length);
    long[] s = Arrays.copyOf(lat, k);
    Arrays.sort(s);
    String out = String.format(Locale.ROOT,
        "{\"client\":\"java.net.http.WebSocket\",\"connections\":%d,\"rate\":%d,\"sent\":%d,\"received\":%d,"
            + "\"client_cpu_us_per_msg\":%.2f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}",
        n, rate, sent, got.get(), cpu * 1e6 / (sent - warm), k == 0 ? -1 : s[k / 2] / 1000.0,
        k == 0 ? -1 : s[(int) (k * 0.99)] / 1000.0);
    System.out.println(out);
    Files.writeString(Path.of(args[4]), out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    for (WebSocket w : conns) {
      w.abort();
    }
    System.exit(0);
  }

  static double cpu() throws Exception {
    String s = Files.readString(Path.of("/proc/self/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }
}
