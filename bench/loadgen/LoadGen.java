import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Load client for bench/: raw NIO WebSocket (RFC 6455) on one thread and one selector, no
 * per-message objects beyond the frame bytes, client frames masked with the all-zero key (valid,
 * and it saves the XOR). Modes:
 *
 * <ul>
 *   <li>{@code idle}: hold {@code n} connections on {@code path}, answer pings with pongs, until
 *       {@code stop-file} appears or {@code hold-s} passes; writes {@code ready-file} once all are
 *       connected and prints one JSON line at the end.
 *   <li>{@code echo}: {@code n} connections to the app ({@code /ws}, protocol {@code echo}) and
 *       {@code n} to the bare endpoint ({@code /baseline/echo}); alternating phases at a fixed
 *       total {@code rate} of 64 B messages, round trip from the intended send time (open loop, no
 *       coordinated omission); server CPU per message from {@code /proc/<server-pid>/stat}.
 *   <li>{@code slow}: one publisher floods channel {@code flood}, {@code k} subscribers measure
 *       publish-to-delivery latency; phases alternate without / with one extra subscriber that
 *       stops reading (small SO_RCVBUF, OP_READ off); heap after GC via jcmd; afterwards the slow
 *       one is drained to see its close code.
 * </ul>
 *
 * Arguments are key=value. Every loop is bounded by a deadline.
 */
public class LoadGen {

  static Map<String, String> opts = new HashMap<>();

  static String opt(String k, String def) {
    return opts.getOrDefault(k, def);
  }

  static int optInt(String k, int def) {
    return Integer.parseInt(opt(k, Integer.toString(def)));
  }

  static final byte[] KEY = "dGhlIHNhbXBsZSBub25jZQ==".getBytes(StandardCharsets.US_ASCII);

  /** One client connection. */
  static final class Conn {
    final int id;
    final String path;
    SocketChannel ch;
    SelectionKey key;
    ByteBuffer in;
    ByteBuffer out; // pending bytes not yet written, or null
    boolean upgraded;
    boolean failed;
    int status = -1;
    int closeCode = -1; // close code received from the server
    boolean eof;
    long lastSeq;
    long unacked;
    boolean subscribed;
    long rxMessages;
    long rxBytes;
    Handler handler;

    Conn(int id, String path, int bufSize) {
      this.id = id;
      this.path = path;
      this.in = ByteBuffer.allocate(bufSize);
    }
  }

  interface Handler {
    void onText(Conn c, ByteBuffer buf, int start, int len);
  }

  static Selector selector;
  static String host;
  static int port;
  static long pingsReceived;
  static long framesIn;
  static long writeStalls;

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int i = a.indexOf('=');
      opts.put(a.substring(0, i), a.substring(i + 1));
    }
    host = opt("host", "127.0.0.1");
    port = optInt("port", 8580);
    selector = Selector.open();
    switch (opt("mode", "idle")) {
      case "idle" -> idle();
      case "echo" -> echo();
      case "slow" -> slow();
      default -> throw new IllegalArgumentException("mode");
    }
  }

  // ---------------------------------------------------------------- connections and frames

  static Conn open(int id, String path, String bind, int bufSize, int rcvBuf) throws IOException {
    Conn c = new Conn(id, path, bufSize);
    SocketChannel ch = SocketChannel.open();
    ch.configureBlocking(false);
    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    if (rcvBuf > 0) {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, rcvBuf);
    }
    if (bind != null) {
      ch.bind(new InetSocketAddress(bind, 0));
    }
    c.ch = ch;
    boolean done = ch.connect(new InetSocketAddress(host, port));
    c.key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
    if (done) {
      sendHandshake(c);
    }
    return c;
  }

  static void sendHandshake(Conn c) throws IOException {
    String req =
        "GET "
            + c.path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + new String(KEY, StandardCharsets.US_ASCII)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    write(c, ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
  }

  /** A masked client frame with the all-zero masking key. */
  static ByteBuffer frame(int opcode, byte[] payload, int len) {
    int hdr = len < 126 ? 6 : 8;
    ByteBuffer b = ByteBuffer.allocate(hdr + len);
    b.put((byte) (0x80 | opcode));
    if (len < 126) {
      b.put((byte) (0x80 | len));
    } else {
      b.put((byte) (0x80 | 126));
      b.putShort((short) len);
    }
    b.putInt(0);
    b.put(payload, 0, len);
    b.flip();
    return b;
  }

  static void write(Conn c, ByteBuffer b) throws IOException {
    if (c.failed || c.eof) {
      return;
    }
    if (c.out != null) {
      ByteBuffer n = ByteBuffer.allocate(c.out.remaining() + b.remaining());
      n.put(c.out).put(b).flip();
      c.out = n;
      return;
    }
    try {
      c.ch.write(b);
    } catch (IOException e) {
      fail(c);
      return;
    }
    if (b.hasRemaining()) {
      writeStalls++;
      c.out = ByteBuffer.allocate(b.remaining()).put(b).flip();
      c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
    }
  }

  static void fail(Conn c) {
    c.failed = true;
    try {
      c.key.cancel();
      c.ch.close();
    } catch (IOException ignored) {
      // closing a broken socket: nothing to report
    }
  }

  static void sendText(Conn c, byte[] payload, int len) throws IOException {
    write(c, frame(1, payload, len));
  }

  static void closeConn(Conn c) {
    if (c.failed || c.eof) {
      return;
    }
    try {
      write(c, frame(8, new byte[] {0x03, (byte) 0xE8}, 2));
      c.ch.close();
    } catch (IOException ignored) {
      // the server may have closed first
    }
    c.eof = true;
  }

  /** One select round: connects, writes, reads. */
  static void poll(long timeoutMs) throws IOException {
    selector.select(timeoutMs);
    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
    while (it.hasNext()) {
      SelectionKey k = it.next();
      it.remove();
      Conn c = (Conn) k.attachment();
      if (!k.isValid()) {
        continue;
      }
      try {
        if (k.isConnectable()) {
          if (c.ch.finishConnect()) {
            k.interestOps(SelectionKey.OP_READ);
            sendHandshake(c);
          }
          continue;
        }
        if (k.isWritable() && c.out != null) {
          c.ch.write(c.out);
          if (!c.out.hasRemaining()) {
            c.out = null;
            k.interestOps(k.interestOps() & ~SelectionKey.OP_WRITE);
          }
        }
        if (k.isValid() && k.isReadable()) {
          read(c);
        }
      } catch (IOException e) {
        fail(c);
      }
    }
  }

  static void read(Conn c) throws IOException {
    for (int round = 0; round < 16; round++) {
      if (!c.in.hasRemaining()) {
        ByteBuffer n = ByteBuffer.allocate(c.in.capacity() * 2);
        c.in.flip();
        n.put(c.in);
        c.in = n;
      }
      int r = c.ch.read(c.in);
      if (r < 0) {
        c.eof = true;
        c.key.cancel();
        c.ch.close();
        return;
      }
      if (r == 0) {
        return;
      }
      c.rxBytes += r;
      c.in.flip();
      if (!c.upgraded) {
        if (!parseHandshake(c)) {
          c.in.compact();
          continue;
        }
      }
      parseFrames(c);
      c.in.compact();
      if (c.eof || c.failed) {
        return;
      }
    }
  }

  static boolean parseHandshake(Conn c) {
    ByteBuffer b = c.in;
    for (int i = b.position(); i + 3 < b.limit(); i++) {
      if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
        // "HTTP/1.1 101"
        int s = b.position() + 9;
        c.status = (b.get(s) - '0') * 100 + (b.get(s + 1) - '0') * 10 + (b.get(s + 2) - '0');
        b.position(i + 4);
        if (c.status == 101) {
          c.upgraded = true;
          return true;
        }
        fail(c);
        return false;
      }
    }
    return false;
  }

  static void parseFrames(Conn c) throws IOException {
    ByteBuffer b = c.in;
    while (b.remaining() >= 2) {
      int p = b.position();
      int b0 = b.get(p) & 0xff;
      int b1 = b.get(p + 1) & 0x7f;
      int hdr = 2;
      long len = b1;
      if (b1 == 126) {
        if (b.remaining() < 4) {
          return;
        }
        len = b.getShort(p + 2) & 0xffff;
        hdr = 4;
      } else if (b1 == 127) {
        if (b.remaining() < 10) {
          return;
        }
        len = b.getLong(p + 2);
        hdr = 10;
      }
      if (b.remaining() < hdr + len) {
        if (hdr + len > b.capacity()) {
          ByteBuffer n = ByteBuffer.allocate((int) (hdr + len) * 2);
          n.put(b);
          n.flip();
          c.in = n;
          b = n;
        }
        return;
      }
      int start = p + hdr;
      int ilen = (int) len;
      framesIn++;
      switch (b0 & 0x0f) {
        case 0, 1, 2 -> {
          c.rxMessages++;
          if (c.handler != null) {
            c.handler.onText(c, b, start, ilen);
          }
        }
        case 9 -> {
          pingsReceived++;
          byte[] pl = new byte[ilen];
          b.get(start, pl);
          write(c, frame(10, pl, ilen));
        }
        case 8 -> {
          c.closeCode = ilen >= 2 ? (b.getShort(start) & 0xffff) : 1005;
          write(c, frame(8, new byte[] {(byte) (c.closeCode >> 8), (byte) c.closeCode}, 2));
          b.position(start + ilen);
          c.eof = true;
          c.key.cancel();
          c.ch.close();
          return;
        }
        default -> {
          // pong: nothing to do
        }
      }
      b.position(start + ilen);
    }
  }

  /** Position just after {@code marker} in the frame, or -1. */
  static int find(ByteBuffer b, int start, int len, byte[] marker) {
    outer:
    for (int i = start; i <= start + len - marker.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (b.get(i + j) != marker[j]) {
          continue outer;
        }
      }
      return i + marker.length;
    }
    return -1;
  }

  static long digits(ByteBuffer b, int i, int end) {
    long v = 0;
    while (i < end) {
      int d = b.get(i) - '0';
      if (d < 0 || d > 9) {
        break;
      }
      v = v * 10 + d;
      i++;
    }
    return v;
  }

  static final byte[] HASH = {'#'};

  /** Writes the 19-digit nanoTime after '#' at offset {@code at}. */
  static void stamp(byte[] buf, int at, long t) {
    buf[at] = '#';
    for (int i = at + 19; i > at; i--) {
      buf[i] = (byte) ('0' + (t % 10));
      t /= 10;
    }
  }

  /** Connects all, bounded by a deadline; returns how many upgraded. */
  static int connectAll(List<Conn> conns, long deadlineNanos) throws IOException {
    while (System.nanoTime() < deadlineNanos) {
      int up = 0;
      int dead = 0;
      for (Conn c : conns) {
        if (c.upgraded) {
          up++;
        } else if (c.failed || c.eof) {
          dead++;
        }
      }
      if (up + dead == conns.size()) {
        return up;
      }
      poll(5);
    }
    int up = 0;
    for (Conn c : conns) {
      up += c.upgraded ? 1 : 0;
    }
    return up;
  }

  // ---------------------------------------------------------------- measurements

  static long[] cpuTicks(String pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // utime, stime
    } catch (IOException e) {
      return new long[] {0, 0};
    }
  }

  /** CPU seconds (user + system) of a process; clock ticks are 100 Hz on Linux. */
  static double cpuSeconds(String pid) {
    long[] t = cpuTicks(pid);
    return (t[0] + t[1]) / 100.0;
  }

  /** Heap used after a full GC, in KiB, through jcmd. */
  static long heapAfterGc(String pid) {
    try {
      run("jcmd", pid, "GC.run");
      String out = run("jcmd", pid, "GC.heap_info");
      int i = out.indexOf("used ");
      if (i < 0) {
        return -1;
      }
      int j = out.indexOf('K', i);
      return Long.parseLong(out.substring(i + 5, j).trim());
    } catch (IOException e) {
      return -1;
    }
  }

  static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  static HttpClient http;

  /**
   * Value of one Prometheus sample: the line that starts with {@code prefix}, or with the part
   * before '|' and contains the part after it; 0 if none, -1 if the scrape failed.
   */
  static double scrape(String prefix) {
    try {
      if (http == null) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      }
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(opt("prometheus", "http://127.0.0.1:10490/prometheus")))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        int bar = prefix.indexOf('|');
        if (bar < 0 ? line.startsWith(prefix)
            : line.startsWith(prefix.substring(0, bar)) && line.contains(prefix.substring(bar + 1))) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return 0;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Latency recorder: microseconds, sorted at the end. */
  static final class Lat {
    long[] v;
    int n;
    long dropped;

    Lat(int cap) {
      v = new long[cap];
    }

    void add(long micros) {
      if (n < v.length) {
        v[n++] = micros;
      } else {
        dropped++;
      }
    }

    Map<String, Object> summary() {
      long[] s = Arrays.copyOf(v, n);
      Arrays.sort(s);
      Map<String, Object> m = new TreeMap<>();
      m.put("samples", n);
      m.put("p50_ms", q(s, 0.50));
      m.put("p90_ms", q(s, 0.90));
      m.put("p99_ms", q(s, 0.99));
      m.put("p999_ms", q(s, 0.999));
      m.put("max_ms", n == 0 ? -1 : s[n - 1] / 1000.0);
      return m;
    }

    static double q(long[] s, double q) {
      if (s.length == 0) {
        return -1;
      }
      return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)] / 1000.0;
    }
  }

  static String json(Object o) {
    if (o instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append('"').append(e.getKey()).append("\":").append(json(e.getValue()));
      }
      return sb.append('}').toString();
    }
    if (o instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (Object x : l) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(json(x));
      }
      return sb.append(']').toString();
    }
    if (o instanceof String s) {
      return '"' + s + '"';
    }
    if (o instanceof Double d) {
      return String.format(Locale.ROOT, "%.4f", d);
    }
    return String.valueOf(o);
  }

  static void log(String s) {
    System.err.println("[loadgen " + String.format(Locale.ROOT, "%tT", System.currentTimeMillis()) + "] " + s);
  }

  // ---------------------------------------------------------------- idle

  static void idle() throws Exception {
    int n = optInt("n", 1000);
    String path = opt("path", "/ws");
    String bind = opt("bind", null);
    int connectRate = optInt("connect-rate", 1000);
    long holdNanos = optInt("hold-s", 120) * 1_000_000_000L;
    Path ready = Path.of(opt("ready-file", "/tmp/loadgen.ready"));
    Path stop = Path.of(opt("stop-file", "/tmp/loadgen.stop"));
    long t0 = System.nanoTime();
    List<Conn> conns = new ArrayList<>(n);
    long deadline = t0 + optInt("connect-timeout-s", 120) * 1_000_000_000L;
    while (conns.size() < n && System.nanoTime() < deadline) {
      long due = (System.nanoTime() - t0) * connectRate / 1_000_000_000L + 1;
      while (conns.size() < Math.min(n, due)) {
        conns.add(open(conns.size(), path, bind, 1024, 0));
      }
      poll(1);
    }
    int up = connectAll(conns, deadline);
    double connectS = (System.nanoTime() - t0) / 1e9;
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (Conn c : conns) {
      statuses.merge(c.status, 1, Integer::sum);
    }
    Files.writeString(ready, "connected=" + up + " seconds=" + connectS + " statuses=" + statuses + "\n");
    log("connected " + up + "/" + n + " in " + connectS + " s, statuses " + statuses);
    long holdEnd = System.nanoTime() + holdNanos;
    while (System.nanoTime() < holdEnd && !Files.exists(stop)) {
      poll(100);
    }
    int open = 0;
    Map<Integer, Integer> closes = new TreeMap<>();
    for (Conn c : conns) {
      if (c.upgraded && !c.eof && !c.failed) {
        open++;
      } else if (c.upgraded) {
        closes.merge(c.closeCode, 1, Integer::sum);
      }
    }
    Map<String, Object> r = new TreeMap<>();
    r.put("requested", n);
    r.put("connected", up);
    r.put("open_at_end", open);
    r.put("connect_seconds", connectS);
    r.put("pings_received", pingsReceived);
    r.put("closed_by_server", closes.toString().replace('=', ':'));
    r.put("handshake_statuses", statuses.toString().replace('=', ':'));
    System.out.println(json(r));
    for (Conn c : conns) {
      closeConn(c);
    }
  }

  // ---------------------------------------------------------------- echo

  static final byte[] APP_PREFIX = "{\"type\":\"echo\",\"payload\":\"".getBytes(StandardCharsets.US_ASCII);

  static void echo() throws Exception {
    int n = optInt("n", 1000);
    int rate = optInt("rate", 5000);
    int warmS = optInt("warm-s", 5);
    int measureS = optInt("measure-s", 15);
    int rounds = optInt("rounds", 3);
    String pid = opt("server-pid", "self");
    String[] binds = opt("bind", "127.0.0.2").split(",");
    Path outFile = Path.of(opt("out", "echo.jsonl"));
    Lat[] lat = new Lat[1];
    long[] phaseWindow = new long[2];
    long[] received = new long[1];
    Handler h =
        (c, b, start, len) -> {
          int i = find(b, start, len, HASH);
          if (i < 0) {
            return;
          }
          long sent = digits(b, i, start + len);
          if (sent >= phaseWindow[0] && sent < phaseWindow[1]) {
            lat[0].add((System.nanoTime() - sent) / 1000);
            received[0]++;
          }
        };
    Map<String, List<Conn>> sets = new TreeMap<>();
    int id = 0;
    long deadline = System.nanoTime() + 120_000_000_000L;
    for (String[] e : new String[][] {{"app", opt("app-path", "/ws")}, {"bare", opt("bare-path", "/baseline/echo")}}) {
      List<Conn> l = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Conn c = open(id++, e[1], binds[i % binds.length], 4096, 0);
        c.handler = h;
        l.add(c);
        if (i % 200 == 199) {
          connectAll(l, deadline);
        }
      }
      int up = connectAll(l, deadline);
      log(e[0] + ": " + up + "/" + n + " connected");
      if (up != n) {
        throw new IllegalStateException(e[0] + " connected only " + up);
      }
      sets.put(e[0], l);
    }
    // 64 B text frames: the app gets {"type":"echo","payload":"#<19 digits>xxx..."}.
    byte[] app = new byte[64];
    System.arraycopy(APP_PREFIX, 0, app, 0, APP_PREFIX.length);
    Arrays.fill(app, APP_PREFIX.length, 62, (byte) 'x');
    app[62] = '"';
    app[63] = '}';
    byte[] bare = new byte[64];
    Arrays.fill(bare, (byte) 'x');
    int appStamp = APP_PREFIX.length;
    List<Map<String, Object>> results = new ArrayList<>();
    String[] order = {"app", "bare"};
    for (int round = 1; round <= rounds; round++) {
      for (int k = 0; k < 2; k++) {
        String which = order[(round % 2 == 1) ? k : 1 - k]; // alternate who goes first
        List<Conn> l = sets.get(which);
        byte[] msg = which.equals("app") ? app : bare;
        int at = which.equals("app") ? appStamp : 0;
        lat[0] = new Lat(rate * measureS + rate);
        received[0] = 0;
        long start = System.nanoTime();
        long mStart = start + warmS * 1_000_000_000L;
        long mEnd = mStart + measureS * 1_000_000_000L;
        phaseWindow[0] = mStart;
        phaseWindow[1] = mEnd;
        long sent = 0;
        long sentInWindow = 0;
        double srvCpu0 = 0;
        double cliCpu0 = 0;
        boolean measuring = false;
        long intervalNs = 1_000_000_000L / rate;
        int rr = 0;
        while (true) {
          long now = System.nanoTime();
          if (!measuring && now >= mStart) {
            measuring = true;
            srvCpu0 = cpuSeconds(pid);
            cliCpu0 = cpuSeconds("self");
          }
          if (now >= mEnd) {
            break;
          }
          long due = (now - start) / intervalNs;
          int burst = 0;
          while (sent < due && burst++ < 200) {
            long intended = start + sent * intervalNs;
            stamp(msg, at, intended);
            sendText(l.get(rr), msg, 64);
            rr = (rr + 1) % l.size();
            sent++;
            if (intended >= mStart) {
              sentInWindow++;
            }
          }
          poll(1);
        }
        double srvCpu = cpuSeconds(pid) - srvCpu0;
        double cliCpu = cpuSeconds("self") - cliCpu0;
        long graceEnd = System.nanoTime() + 2_000_000_000L;
        while (received[0] < sentInWindow && System.nanoTime() < graceEnd) {
          poll(5);
        }
        Map<String, Object> r = lat[0].summary();
        r.put("endpoint", which);
        r.put("round", round);
        r.put("rate", rate);
        r.put("connections", l.size());
        r.put("sent", sentInWindow);
        r.put("received", received[0]);
        r.put("server_cpu_us_per_msg", srvCpu * 1e6 / Math.max(1, sentInWindow));
        r.put("client_cpu_us_per_msg", cliCpu * 1e6 / Math.max(1, sentInWindow));
        r.put("server_cpu_cores", srvCpu / measureS);
        results.add(r);
        log(json(r));
        Files.writeString(outFile, json(r) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      }
    }
    int closed = 0;
    for (List<Conn> l : sets.values()) {
      for (Conn c : l) {
        if (c.eof || c.failed) {
          closed++;
        }
        closeConn(c);
      }
    }
    log("connections lost during the run: " + closed + ", write stalls: " + writeStalls);
  }

  // ---------------------------------------------------------------- slow consumer

  static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

  static void slow() throws Exception {
    int k = optInt("k", 20);
    int rate = optInt("rate", 500);
    int size = optInt("size", 1024);
    int warmS = optInt("warm-s", 3);
    int measureS = optInt("measure-s", 20);
    int rounds = optInt("rounds", 3);
    String pid = opt("server-pid", "self");
    Path outFile = Path.of(opt("out", "slow.jsonl"));
    String path = opt("path", "/ws");
    Lat[] lat = new Lat[1];
    long[] window = new long[2];
    Handler sub =
        (c, b, start, len) -> {
          int s = find(b, start, Math.min(len, 40), SEQ);
          if (s < 0) {
            if (find(b, start, len, "\"subscribed\"".getBytes(StandardCharsets.US_ASCII)) >= 0) {
              c.subscribed = true;
            }
            return;
          }
          c.lastSeq = digits(b, s, start + len);
          int i = find(b, start, len, HASH);
          if (i >= 0) {
            long sent = digits(b, i, start + len);
            if (sent >= window[0] && sent < window[1]) {
              lat[0].add((System.nanoTime() - sent) / 1000);
            }
          }
          if (++c.unacked >= 100) {
            c.unacked = 0;
            byte[] ack = ("{\"type\":\"ack\",\"seq\":" + c.lastSeq + "}").getBytes(StandardCharsets.US_ASCII);
            try {
              sendText(c, ack, ack.length);
            } catch (IOException e) {
              fail(c);
            }
          }
        };
    byte[] subscribe = "{\"type\":\"subscribe\",\"channel\":\"flood\"}".getBytes(StandardCharsets.US_ASCII);
    long deadline = System.nanoTime() + 60_000_000_000L;
    List<Conn> subs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      Conn c = open(i, path, "127.0.0.2", 8192, 0);
      c.handler = sub;
      subs.add(c);
    }
    Conn pub = open(k, path, "127.0.0.3", 8192, 0);
    List<Conn> all = new ArrayList<>(subs);
    all.add(pub);
    if (connectAll(all, deadline) != all.size()) {
      throw new IllegalStateException("not all connected");
    }
    for (Conn c : subs) {
      sendText(c, subscribe, subscribe.length);
    }
    while (subs.stream().anyMatch(c -> !c.subscribed) && System.nanoTime() < deadline) {
      poll(5);
    }
    log(k + " subscribers + 1 publisher ready");
    String prefix = "{\"type\":\"publish\",\"channel\":\"flood\",\"data\":\"";
    byte[] msg = new byte[prefix.length() + size + 2];
    System.arraycopy(prefix.getBytes(StandardCharsets.US_ASCII), 0, msg, 0, prefix.length());
    Arrays.fill(msg, prefix.length(), msg.length - 2, (byte) 'x');
    msg[msg.length - 2] = '"';
    msg[msg.length - 1] = '}';
    int at = prefix.length();
    long intervalNs = 1_000_000_000L / rate;
    String closed4008 = "ws_connections_closed_total{|code=\"4008\"";
    for (int round = 1; round <= rounds; round++) {
      for (String variant : (round % 2 == 1) ? new String[] {"without", "with"} : new String[] {"with", "without"}) {
        Conn slow = null;
        if (variant.equals("with")) {
          slow = open(1000 + round, path, "127.0.0.4", 8192, optInt("slow-rcvbuf", 4096));
          List<Conn> one = List.of(slow);
          connectAll(one, System.nanoTime() + 10_000_000_000L);
          slow.handler = sub;
          sendText(slow, subscribe, subscribe.length);
          long until = System.nanoTime() + 5_000_000_000L;
          while (!slow.subscribed && System.nanoTime() < until) {
            poll(5);
          }
          slow.key.interestOps(0); // stop reading: its TCP receive window fills up
        }
        double c4008Before = scrape(closed4008);
        lat[0] = new Lat(rate * k * (measureS + 1));
        long start = System.nanoTime();
        long mStart = start + warmS * 1_000_000_000L;
        long mEnd = mStart + measureS * 1_000_000_000L;
        window[0] = mStart;
        window[1] = mEnd;
        long sent = 0;
        double srv0 = -1;
        long closedAtMs = -1;
        long nextScrape = start + 1_000_000_000L;
        while (true) {
          long now = System.nanoTime();
          if (srv0 < 0 && now >= mStart) {
            srv0 = cpuSeconds(pid);
          }
          if (now >= mEnd) {
            break;
          }
          long due = (now - start) / intervalNs;
          int burst = 0;
          while (sent < due && burst++ < 100) {
            stamp(msg, at, start + sent * intervalNs);
            sendText(pub, msg, msg.length);
            sent++;
          }
          // one scrape a second in both variants, so both pay the same for it
          if (now >= nextScrape) {
            nextScrape = now + 1_000_000_000L;
            if (scrape(closed4008) > c4008Before && slow != null && closedAtMs < 0) {
              closedAtMs = (now - start) / 1_000_000;
            }
          }
          poll(1);
        }
        double srvCpu = cpuSeconds(pid) - srv0;
        long graceEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < graceEnd) {
          poll(5);
        }
        Map<String, Object> r = lat[0].summary();
        r.put("variant", variant);
        r.put("round", round);
        r.put("subscribers", k);
        r.put("publish_rate", rate);
        r.put("payload_bytes", size);
        r.put("server_cpu_cores", srvCpu / measureS);
        r.put("heap_after_gc_kib", heapAfterGc(pid));
        r.put("closed_4008_total", scrape(closed4008));
        if (slow != null) {
          r.put("slow_closed_4008_after_ms", closedAtMs);
          // Read what the slow one had pending, then see how it was closed.
          slow.key.interestOps(SelectionKey.OP_READ);
          long until = System.nanoTime() + 15_000_000_000L;
          while (!slow.eof && !slow.failed && System.nanoTime() < until) {
            poll(5);
          }
          r.put("slow_close_code", slow.closeCode);
          r.put("slow_events_received", slow.lastSeq);
          r.put("slow_bytes_read", slow.rxBytes);
          closeConn(slow);
        }
        int lost = 0;
        for (Conn c : subs) {
          lost += (c.eof || c.failed) ? 1 : 0;
        }
        r.put("normal_subscribers_lost", lost);
        log(json(r));
        Files.writeString(outFile, json(r) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      }
    }
    for (Conn c : all) {
      closeConn(c);
    }
  }
}
