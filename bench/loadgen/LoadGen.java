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
 *       {@code n} to the bare endpoint ({@code /baseline/echo}), with {@code node-port} also
 *       {@code n} to the Node reference server (measured by {@code node-pid}); alternating phases at a fixed
 *       total {@code rate} of 64 B messages, round trip from the intended send time (open loop, no
 *       coordinated omission); server CPU per message from {@code /proc/<server-pid>/stat}.
 *   <li>{@code slow}: one publisher floods channel {@code flood}, {@code k} subscribers measure
 *       publish-to-delivery latency; phases alternate without / with one extra subscriber that
 *       stops reading (small SO_RCVBUF, OP_READ off); heap after GC via jcmd; afterwards the slow
 *       one is drained to see its close code.
 *   <li>{@code failover}: clients on one cluster node, a node killed, resume elsewhere (below).
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
    final int port;
    SocketChannel ch;
    SelectionKey key;
    ByteBuffer in;
    ByteBuffer out; // pending bytes not yet written, or null
    boolean upgraded;
    long upgradedAt; // System.nanoTime() of the 101
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
    Sub sub; // resume mode: the client this connection belongs to
    boolean closing; // we sent our close frame: do not answer the server's
    String error; // why it failed, if it did: the I/O exception's message, or "eof"
    long t0; // churn: when it was opened

    Conn(int id, String path, int port, int bufSize) {
      this.id = id;
      this.path = path;
      this.port = port;
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
      case "fanout-sub" -> fanoutSub();
      case "fanout-pub" -> fanoutPub();
      case "churn" -> churn();
      case "resume" -> resume();
      case "failover" -> failover();
      default -> throw new IllegalArgumentException("mode");
    }
  }

  // ---------------------------------------------------------------- connections and frames

  static Conn open(int id, String path, String bind, int bufSize, int rcvBuf) throws IOException {
    return open(id, path, port, bind, bufSize, rcvBuf);
  }

  static Conn open(int id, String path, int port, String bind, int bufSize, int rcvBuf)
      throws IOException {
    Conn c = new Conn(id, path, port, bufSize);
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
            + c.port
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
      if (c.ch.isConnected()) { // one still waiting for its TCP connect has nothing to close
        write(c, frame(8, new byte[] {0x03, (byte) 0xE8}, 2));
      }
      c.ch.close();
    } catch (IOException ignored) {
      // the server may have closed first
    }
    c.eof = true;
  }

  /**
   * How many messages of an open-loop schedule (message k intended at {@code start + k * interval})
   * are due at {@code now}: message 0 at once. (Until 2026-11-26 this left out the +1, so every
   * message went one interval after the time stamped into it: fixed-rate latencies were one interval
   * too high.)
   */
  static long due(long now, long start, long intervalNs) {
    return (now - start) / intervalNs + 1;
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
        c.error = e.getMessage();
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
        c.error = c.upgraded ? c.error : "eof before the handshake's answer";
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
          c.upgradedAt = System.nanoTime();
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
          if (!c.closing) {
            write(c, frame(8, new byte[] {(byte) (c.closeCode >> 8), (byte) c.closeCode}, 2));
          }
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
    Map<String, Integer> errors = new TreeMap<>(); // of the connections without a status
    for (Conn c : conns) {
      statuses.merge(c.status, 1, Integer::sum);
      if (c.status == -1) {
        errors.merge(String.valueOf(c.error), 1, Integer::sum);
      }
    }
    Files.writeString(
        ready, "connected=" + up + " seconds=" + connectS + " statuses=" + statuses + " errors=" + errors + "\n");
    log("connected " + up + "/" + n + " in " + connectS + " s, statuses " + statuses + ", errors " + errors);
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
    // window > 0: closed loop, each connection keeps `window` messages outstanding and sends the
    // next one as soon as a reply arrives (as fast as the server goes); counted by arrival time.
    int window = optInt("window", 0);
    boolean[] active = new boolean[1];
    byte[][] cur = new byte[1][];
    int[] curAt = new int[1];
    long[] outstanding = new long[1];
    Handler h =
        (c, b, start, len) -> {
          int i = find(b, start, len, HASH);
          if (i < 0) {
            return;
          }
          long sent = digits(b, i, start + len);
          long now = System.nanoTime();
          if (window > 0) {
            outstanding[0]--;
            if (now >= phaseWindow[0] && now < phaseWindow[1]) {
              lat[0].add((now - sent) / 1000);
              received[0]++;
            }
            if (active[0]) {
              stamp(cur[0], curAt[0], now);
              try {
                sendText(c, cur[0], 64);
                outstanding[0]++;
              } catch (IOException e) {
                fail(c);
              }
            }
            return;
          }
          if (sent >= phaseWindow[0] && sent < phaseWindow[1]) {
            lat[0].add((now - sent) / 1000);
            received[0]++;
          }
        };
    // targets: app (our /ws) and bare (/baseline/echo) on `port`, measured by `server-pid`; with
    // node-port, also node (the Node ws reference server, bench/node, protocol "echo") by node-pid
    Map<String, List<Conn>> sets = new TreeMap<>();
    List<String[]> targets = new ArrayList<>();
    targets.add(new String[] {"app", opt("app-path", "/ws"), Integer.toString(port), pid});
    targets.add(new String[] {"bare", opt("bare-path", "/baseline/echo"), Integer.toString(port), pid});
    if (opts.containsKey("node-port")) {
      targets.add(new String[] {"node", "/ws", opt("node-port", ""), opt("node-pid", "")});
    }
    Map<String, String> pids = new HashMap<>();
    int id = 0;
    long deadline = System.nanoTime() + 120_000_000_000L;
    for (String[] e : targets) {
      pids.put(e[0], e[3]);
      List<Conn> l = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Conn c = open(id++, e[1], Integer.parseInt(e[2]), binds[i % binds.length], 4096, 0);
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
    int k = targets.size();
    for (int round = 1; round <= rounds; round++) {
      for (int t = 0; t < k; t++) {
        // who goes first alternates: app, bare[, node] in odd rounds, the reverse in even ones
        String which = targets.get(round % 2 == 1 ? t : k - 1 - t)[0];
        String serverPid = pids.get(which);
        List<Conn> l = sets.get(which);
        boolean bareProtocol = which.equals("bare");
        byte[] msg = bareProtocol ? bare : app;
        int at = bareProtocol ? 0 : appStamp;
        lat[0] = new Lat(window > 0 ? 8_000_000 : rate * measureS + rate);
        received[0] = 0;
        if (window > 0) {
          long[] r = closedLoopPhase(l, msg, at, window, warmS, measureS, serverPid, active, cur, curAt, outstanding, phaseWindow);
          Map<String, Object> m = lat[0].summary();
          m.put("endpoint", which);
          m.put("round", round);
          m.put("window", window);
          m.put("connections", l.size());
          m.put("received", received[0]);
          m.put("msgs_per_s", received[0] / (double) measureS);
          double srvCpu = r[0] / 1e6;
          double cliCpu = r[1] / 1e6;
          m.put("server_cpu_us_per_msg", srvCpu * 1e6 / Math.max(1, received[0]));
          m.put("client_cpu_us_per_msg", cliCpu * 1e6 / Math.max(1, received[0]));
          m.put("server_cpu_cores", srvCpu / measureS);
          m.put("client_cpu_cores", cliCpu / measureS);
          m.put("lost_in_flight", outstanding[0]);
          log(json(m));
          Files.writeString(outFile, json(m) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
          continue;
        }
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
            srvCpu0 = cpuSeconds(serverPid);
            cliCpu0 = cpuSeconds("self");
          }
          if (now >= mEnd) {
            break;
          }
          long due = due(now, start, intervalNs);
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
        double srvCpu = cpuSeconds(serverPid) - srvCpu0;
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

  /**
   * One closed-loop phase: `window` messages in flight per connection, warm-up then measurement;
   * returns {server CPU µs, client CPU µs} over the measured window. Replies are counted by the
   * handler.
   */
  static long[] closedLoopPhase(List<Conn> l, byte[] msg, int at, int window, int warmS, int measureS,
      String pid, boolean[] active, byte[][] cur, int[] curAt, long[] outstanding, long[] phaseWindow)
      throws IOException {
    long start = System.nanoTime();
    long mStart = start + warmS * 1_000_000_000L;
    long mEnd = mStart + measureS * 1_000_000_000L;
    phaseWindow[0] = mStart;
    phaseWindow[1] = mEnd;
    cur[0] = msg;
    curAt[0] = at;
    active[0] = true;
    outstanding[0] = 0;
    for (int w = 0; w < window; w++) {
      for (Conn c : l) {
        stamp(msg, at, System.nanoTime());
        sendText(c, msg, 64);
        outstanding[0]++;
      }
      poll(0);
    }
    double srv0 = -1;
    double cli0 = 0;
    while (true) {
      long now = System.nanoTime();
      if (srv0 < 0 && now >= mStart) {
        srv0 = cpuSeconds(pid);
        cli0 = cpuSeconds("self");
      }
      if (now >= mEnd) {
        break;
      }
      poll(5);
    }
    double srv = cpuSeconds(pid) - srv0;
    double cli = cpuSeconds("self") - cli0;
    active[0] = false;
    long graceEnd = System.nanoTime() + 3_000_000_000L;
    while (outstanding[0] > 0 && System.nanoTime() < graceEnd) {
      poll(5);
    }
    return new long[] {(long) (srv * 1e6), (long) (cli * 1e6)};
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
          long due = due(now, start, intervalNs);
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

  // ---------------------------------------------------------------- shared by fanout, churn, resume

  static final byte[] EVENT = "\"type\":\"event\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] CONNECTED = "\"event\":\"connected\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SUBSCRIBED = "\"type\":\"subscribed\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] RESUMED = "\"type\":\"resumed\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] RESUME_FAILED = "\"type\":\"resume_failed\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SESSION_ID = "\"sessionId\":\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] RESUME_TOKEN = "\"resumeToken\":\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] REASON = "\"reason\":\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PUB_ACK = "\"type\":\"ack\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] DELIVERED = "\"delivered\":".getBytes(StandardCharsets.US_ASCII);

  static boolean has(ByteBuffer b, int start, int len, byte[] marker) {
    return find(b, start, len, marker) >= 0;
  }

  /** The JSON string value after {@code marker} (which ends with the opening quote), or null. */
  static String str(ByteBuffer b, int start, int len, byte[] marker) {
    int i = find(b, start, len, marker);
    if (i < 0) {
      return null;
    }
    int j = i;
    while (j < start + len && b.get(j) != '"') {
      j++;
    }
    byte[] v = new byte[j - i];
    b.get(i, v);
    return new String(v, StandardCharsets.US_ASCII);
  }

  static void sendString(Conn c, String s) {
    byte[] m = s.getBytes(StandardCharsets.UTF_8);
    try {
      sendText(c, m, m.length);
    } catch (IOException e) {
      fail(c);
    }
  }

  /** Abrupt close: SO_LINGER 0, so the peer gets a TCP reset and no close frame. */
  static void reset(Conn c) {
    try {
      c.ch.setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException ignored) {
      // already broken: closing is all that is left
    }
    fail(c);
    c.eof = true;
  }

  static void appendLine(Path out, String line) throws IOException {
    Files.writeString(out, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  // ---------------------------------------------------------------- fan-out

  static final int FAN_MAX_IDX = 1_000_000; // idx = round * 100,000 + i
  static final int HIST_BUCKET_US = 100;
  static final int HIST_BUCKETS = 600_000; // 100 µs buckets up to 60 s, the last one holds the rest

  /**
   * {@code n} subscribers of {@code channel}; each event's data is "#<19-digit nanoTime>:<round>:<idx>";
   * records per publication the number of deliveries and the latest arrival, and per round a
   * histogram of the per-delivery latency; acks every {@code ack-every} events (staggered per
   * connection). Writes {@code ready-file} once all have subscribed, ends at {@code stop-file}
   * (or {@code hold-s}) and writes {@code out}: JSON lines kind=pub / hist / summary.
   */
  static void fanoutSub() throws Exception {
    int n = optInt("n", 1000);
    String bind = opt("bind", "127.0.0.2");
    String channel = opt("channel", "fan");
    int ackEvery = optInt("ack-every", 50);
    int connectRate = optInt("connect-rate", 1000);
    Path ready = Path.of(opt("ready-file", "/tmp/fanout.ready"));
    Path stop = Path.of(opt("stop-file", "/tmp/fanout.stop"));
    Path out = Path.of(opt("out", "/tmp/fanout.sub"));
    long holdEnd = System.nanoTime() + optInt("hold-s", 600) * 1_000_000_000L;
    long[] sentAt = new long[FAN_MAX_IDX];
    long[] lastAt = new long[FAN_MAX_IDX];
    int[] count = new int[FAN_MAX_IDX];
    int[][] hist = new int[10][];
    long[] gaps = new long[1];
    long[] events = new long[1];
    int[] subscribed = new int[1];
    byte[] subscribe = ("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}").getBytes(StandardCharsets.US_ASCII);
    Handler h =
        (c, b, start, len) -> {
          if (has(b, start, len, EVENT)) {
            long now = System.nanoTime();
            int s = find(b, start, len, SEQ);
            long seq = s < 0 ? 0 : digits(b, s, start + len);
            if (seq > c.lastSeq + 1) {
              gaps[0] += seq - c.lastSeq - 1;
            }
            c.lastSeq = Math.max(c.lastSeq, seq);
            events[0]++;
            int i = find(b, start, len, HASH);
            if (i >= 0) {
              long sent = digits(b, i, start + len);
              int r = (int) digits(b, i + 20, start + len);
              int idx = (int) digits(b, i + 21 + (r >= 10 ? 2 : 1), start + len);
              if (idx >= 0 && idx < FAN_MAX_IDX && r >= 0 && r < 10) {
                sentAt[idx] = sent;
                count[idx]++;
                if (now > lastAt[idx]) {
                  lastAt[idx] = now;
                }
                if (hist[r] == null) {
                  hist[r] = new int[HIST_BUCKETS];
                }
                hist[r][(int) Math.min(HIST_BUCKETS - 1, (now - sent) / 1000 / HIST_BUCKET_US)]++;
              }
            }
            if ((seq + c.id) % ackEvery == 0) {
              sendString(c, "{\"type\":\"ack\",\"seq\":" + seq + "}");
            }
            return;
          }
          if (has(b, start, len, CONNECTED)) {
            try {
              sendText(c, subscribe, subscribe.length);
            } catch (IOException e) {
              fail(c);
            }
          } else if (!c.subscribed && has(b, start, len, SUBSCRIBED)) {
            c.subscribed = true;
            subscribed[0]++;
          }
        };
    long t0 = System.nanoTime();
    long deadline = t0 + optInt("connect-timeout-s", 120) * 1_000_000_000L;
    List<Conn> conns = new ArrayList<>(n);
    while (subscribed[0] < n && System.nanoTime() < deadline) {
      long due = (System.nanoTime() - t0) * connectRate / 1_000_000_000L + 1;
      while (conns.size() < Math.min(n, due)) {
        Conn c = open(conns.size(), "/ws", bind, 4096, 0);
        c.handler = h;
        conns.add(c);
      }
      poll(1);
    }
    double connectS = (System.nanoTime() - t0) / 1e9;
    Files.writeString(ready, "subscribed=" + subscribed[0] + " seconds=" + connectS + "\n");
    log("subscribed " + subscribed[0] + "/" + n + " in " + connectS + " s");
    double cpu0 = cpuSeconds("self");
    while (System.nanoTime() < holdEnd && !Files.exists(stop)) {
      poll(100);
    }
    double cpu = cpuSeconds("self") - cpu0;
    int open = 0;
    for (Conn c : conns) {
      open += (c.upgraded && !c.eof && !c.failed) ? 1 : 0;
    }
    StringBuilder sb = new StringBuilder();
    for (int idx = 0; idx < FAN_MAX_IDX; idx++) {
      if (count[idx] > 0) {
        sb.append("{\"kind\":\"pub\",\"idx\":").append(idx).append(",\"sent_ns\":").append(sentAt[idx])
            .append(",\"count\":").append(count[idx]).append(",\"last_ns\":").append(lastAt[idx]).append("}\n");
      }
    }
    for (int r = 0; r < hist.length; r++) {
      if (hist[r] == null) {
        continue;
      }
      sb.append("{\"kind\":\"hist\",\"round\":").append(r).append(",\"bucket_us\":").append(HIST_BUCKET_US).append(",\"b\":[");
      boolean first = true;
      for (int i = 0; i < HIST_BUCKETS; i++) {
        if (hist[r][i] > 0) {
          sb.append(first ? "" : ",").append('[').append(i).append(',').append(hist[r][i]).append(']');
          first = false;
        }
      }
      sb.append("]}\n");
    }
    Map<String, Object> sum = new TreeMap<>();
    sum.put("kind", "summary");
    sum.put("subscribers", n);
    sum.put("subscribed", subscribed[0]);
    sum.put("open_at_end", open);
    sum.put("events", events[0]);
    sum.put("seq_gaps", gaps[0]);
    sum.put("client_cpu_s_while_held", cpu);
    sum.put("connect_seconds", connectS);
    sb.append(json(sum)).append('\n');
    Files.writeString(out, sb.toString());
    for (Conn c : conns) {
      closeConn(c);
    }
  }

  /**
   * The publisher: {@code rate} publications/s on {@code channel} for {@code warm-s} (round 0,
   * ignored) and then {@code measure-s} seconds (round {@code round}); each data "#<nanoTime of the
   * intended send>:<round>:<idx>". Prints one JSON line: published, the publish acks' delivered
   * counts (min, max), server and own CPU during the measured part.
   */
  static void fanoutPub() throws Exception {
    int rate = optInt("rate", 10);
    int round = optInt("round", 1);
    int warmS = optInt("warm-s", 2);
    int measureS = optInt("measure-s", 20);
    String channel = opt("channel", "fan");
    String pid = opt("server-pid", "self");
    long[] deliveredMinMax = {Long.MAX_VALUE, -1};
    long[] acks = new long[1];
    long[] deliveredSum = new long[1];
    Handler h =
        (c, b, start, len) -> {
          if (has(b, start, len, PUB_ACK)) {
            int i = find(b, start, len, DELIVERED);
            if (i >= 0) {
              long d = digits(b, i, start + len);
              deliveredMinMax[0] = Math.min(deliveredMinMax[0], d);
              deliveredMinMax[1] = Math.max(deliveredMinMax[1], d);
              acks[0]++;
              deliveredSum[0] += d;
            }
          }
        };
    Conn pub = open(0, "/ws", opt("bind", "127.0.0.9"), 8192, 0);
    pub.handler = h;
    if (connectAll(List.of(pub), System.nanoTime() + 10_000_000_000L) != 1) {
      throw new IllegalStateException("publisher did not connect");
    }
    long intervalNs = 1_000_000_000L / rate;
    double srvAll0 = cpuSeconds(pid);
    long start = System.nanoTime();
    long mStart = start + warmS * 1_000_000_000L;
    long end = mStart + measureS * 1_000_000_000L;
    long sent = 0;
    long published = 0;
    int warmIdx = round * 100_000 + 50_000;
    int idx = round * 100_000;
    double srv0 = -1;
    double cli0 = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = due(now, start, intervalNs);
      while (sent < due) {
        long intended = start + sent * intervalNs;
        boolean warm = intended < mStart;
        if (!warm && srv0 < 0) {
          srv0 = cpuSeconds(pid);
          cli0 = cpuSeconds("self");
        }
        String data = "#" + String.format(Locale.ROOT, "%019d", intended) + ":" + (warm ? 0 : round) + ":" + (warm ? warmIdx++ : idx++);
        sendString(pub, "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}");
        sent++;
        published += warm ? 0 : 1;
      }
      poll(1);
    }
    double srv = cpuSeconds(pid) - srv0;
    double cli = cpuSeconds("self") - cli0;
    // the server answers a publish once it has queued the event to every subscriber: wait for all
    // answers (bounded), so that a slow round does not spill into the next one
    long endNs = System.nanoTime();
    long graceEnd = endNs + optInt("ack-wait-s", 120) * 1_000_000_000L;
    while (acks[0] < sent && System.nanoTime() < graceEnd) {
      poll(5);
    }
    long ackLagMs = (System.nanoTime() - endNs) / 1_000_000;
    double srvAll = cpuSeconds(pid) - srvAll0;
    double allS = (System.nanoTime() - start) / 1e9;
    Map<String, Object> r = new TreeMap<>();
    r.put("round", round);
    r.put("published", published);
    r.put("publish_rate", rate);
    r.put("acks", acks[0]);
    r.put("sent_with_warmup", sent);
    r.put("last_ack_after_end_ms", ackLagMs);
    // from the first publication (warm-up included) until the last publish answer: what the
    // server really delivered per second and its CPU per delivery, whether it kept up or not
    r.put("delivered_total", deliveredSum[0]);
    r.put("server_deliveries_per_s", deliveredSum[0] / allS);
    r.put("server_cpu_us_per_delivery", srvAll * 1e6 / Math.max(1, deliveredSum[0]));
    r.put("delivered_min", deliveredMinMax[0] == Long.MAX_VALUE ? -1 : deliveredMinMax[0]);
    r.put("delivered_max", deliveredMinMax[1]);
    r.put("server_cpu_cores", srv / measureS);
    r.put("publisher_cpu_cores", cli / measureS);
    System.out.println(json(r));
    closeConn(pub);
  }

  // ---------------------------------------------------------------- churn

  /**
   * {@code rate} connections per second to /ws for {@code duration-s}: each waits for
   * system/connected, then by its id: 6 in 10 close at once with a close frame (1000), 2 in 10
   * first subscribe, 1 in 10 first echo, and then close normally, 1 in 10 reset the TCP connection
   * (no close frame). Prints one JSON line with the counts.
   */
  static void churn() throws Exception {
    int rate = optInt("rate", 200);
    int durationS = optInt("duration-s", 60);
    String[] binds = opt("bind", "127.0.0.2").split(",");
    long[] counts = new long[8]; // connected frames, normal closes started, resets, server closes seen, 1000s, subscribed, echoed
    Handler h =
        (c, b, start, len) -> {
          if (c.closing) {
            return;
          }
          int variant = c.id % 10;
          if (has(b, start, len, CONNECTED)) {
            counts[0]++;
            if (variant == 9) {
              reset(c);
              counts[2]++;
            } else if (variant == 6 || variant == 7) {
              sendString(c, "{\"type\":\"subscribe\",\"channel\":\"churn." + (c.id % 50) + "\"}");
            } else if (variant == 8) {
              sendString(c, "{\"type\":\"echo\",\"payload\":\"bye\"}");
            } else {
              startClose(c);
              counts[1]++;
            }
            return;
          }
          if (has(b, start, len, SUBSCRIBED)) {
            counts[5]++;
          } else {
            counts[6]++;
          }
          startClose(c);
          counts[1]++;
        };
    long t0 = System.nanoTime();
    long end = t0 + durationS * 1_000_000_000L;
    List<Conn> inFlight = new ArrayList<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    Map<Integer, Integer> closeCodes = new TreeMap<>();
    int opened = 0;
    int maxInFlight = 0;
    long timedOut = 0;
    long openFailures = 0;
    long nextSweep = t0;
    long drainEnd = end + 15_000_000_000L;
    while (true) {
      long now = System.nanoTime();
      if (now >= end && inFlight.isEmpty() || now >= drainEnd) {
        break;
      }
      if (now < end) {
        long due = (now - t0) * rate / 1_000_000_000L + 1;
        while (opened < due) {
          try {
            Conn c = open(opened, "/ws", binds[opened % binds.length], 1024, 0);
            c.handler = h;
            c.t0 = now;
            inFlight.add(c);
          } catch (IOException e) {
            openFailures++;
          }
          opened++;
        }
      }
      maxInFlight = Math.max(maxInFlight, inFlight.size());
      poll(1);
      if (now >= nextSweep) {
        nextSweep = now + 50_000_000L;
        Iterator<Conn> it = inFlight.iterator();
        while (it.hasNext()) {
          Conn c = it.next();
          if (c.eof || c.failed) {
            statuses.merge(c.status, 1, Integer::sum);
            if (c.id % 10 != 9) {
              closeCodes.merge(c.closeCode, 1, Integer::sum);
            }
            it.remove();
          } else if (now - c.t0 > 10_000_000_000L) {
            timedOut++;
            statuses.merge(c.status, 1, Integer::sum);
            fail(c);
            it.remove();
          }
        }
      }
    }
    Map<String, Object> r = new TreeMap<>();
    r.put("rate", rate);
    r.put("duration_s", durationS);
    r.put("opened", opened);
    r.put("open_failures", openFailures);
    r.put("connected_frames", counts[0]);
    r.put("normal_closes_sent", counts[1]);
    r.put("resets_sent", counts[2]);
    r.put("subscribed", counts[5]);
    r.put("echoed", counts[6]);
    r.put("timed_out", timedOut);
    r.put("left_in_flight", inFlight.size());
    r.put("max_in_flight", maxInFlight);
    r.put("seconds", (System.nanoTime() - t0) / 1e9);
    r.put("handshake_statuses", statuses.toString().replace('=', ':'));
    r.put("server_close_codes", closeCodes.toString().replace('=', ':'));
    r.put("client_cpu_s", cpuSeconds("self"));
    System.out.println(json(r));
  }

  /** Our close frame (1000); the socket stays open until the server's close frame or EOF. */
  static void startClose(Conn c) {
    if (c.closing || c.eof || c.failed) {
      return;
    }
    c.closing = true;
    try {
      write(c, frame(8, new byte[] {0x03, (byte) 0xE8}, 2));
    } catch (IOException e) {
      fail(c);
    }
  }

  // ---------------------------------------------------------------- resume storm

  /** A resume-mode client: its session outlives its connections. */
  static final class Sub {
    final int idx;
    String sessionId;
    String token;
    String freshSessionId;
    String freshToken;
    long lastSeq;
    long gaps;
    long dups;
    boolean subscribed;
    int state; // 0 first connection, 1 resume sent, 2 resumed / live
    long resumedAt;
    long resumeSentAt;
    String failReason;
    boolean fresh; // on a fresh session since a resume_failed (its seq restarted)
    int attempts;
    long reopenAt;
    long offset; // failover: the channel offset and epoch of the last event (resume positions)
    String epoch;
    long lost;
    int backoffAttempt;

    Sub(int idx) {
      this.idx = idx;
    }
  }

  /**
   * {@code n} clients subscribe to one channel while a publisher publishes {@code rate}/s; per
   * round, after {@code warm-s}, every client connection is reset at once (SO_LINGER 0) and
   * reconnected at once with resume (sessionId, resumeToken, lastSeq); time from the drop until
   * all got resumed, seq gaps, duplicates, resume_failed; then {@code after-s} more and a check
   * that every client's lastSeq equals the publications so far. One JSON line per round to out.
   */
  static void resume() throws Exception {
    int n = optInt("n", 5000);
    int rate = optInt("rate", 20);
    int warmS = optInt("warm-s", 5);
    int afterS = optInt("after-s", 5);
    int rounds = optInt("rounds", 3);
    int ackEvery = optInt("ack-every", 50);
    int timeoutS = optInt("timeout-s", 60);
    int reconnectRate = optInt("reconnect-rate", 0); // connections/s; 0: all at once
    String channel = opt("channel", "storm");
    String pid = opt("server-pid", "self");
    String[] binds = opt("bind", "127.0.0.2,127.0.0.3").split(",");
    Path outFile = Path.of(opt("out", "resume.jsonl"));
    String prometheus = opt("prometheus", null);
    Map<String, Integer> failReasons = new TreeMap<>();
    int[] resumedCount = new int[1];
    long[] replayed = new long[1];
    Handler h =
        (c, b, start, len) -> {
          Sub s = c.sub;
          if (has(b, start, len, EVENT)) {
            int i = find(b, start, len, SEQ);
            long seq = i < 0 ? 0 : digits(b, i, start + len);
            if (seq <= s.lastSeq) {
              s.dups++;
              return;
            }
            if (seq != s.lastSeq + 1) {
              s.gaps += seq - s.lastSeq - 1;
            }
            s.lastSeq = seq;
            if (s.state == 1) {
              replayed[0]++;
            }
            if ((seq + s.idx) % ackEvery == 0) {
              sendString(c, "{\"type\":\"ack\",\"seq\":" + seq + "}");
            }
            return;
          }
          if (has(b, start, len, CONNECTED)) {
            s.freshSessionId = str(b, start, len, SESSION_ID);
            s.freshToken = str(b, start, len, RESUME_TOKEN);
            if (s.sessionId == null) {
              s.sessionId = s.freshSessionId;
              s.token = s.freshToken;
              sendString(c, "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            } else {
              s.state = 1;
              s.resumeSentAt = System.nanoTime();
              sendString(c, "{\"type\":\"resume\",\"sessionId\":\"" + s.sessionId + "\",\"resumeToken\":\""
                  + s.token + "\",\"lastSeq\":" + s.lastSeq + "}");
            }
            return;
          }
          if (has(b, start, len, RESUMED)) {
            s.token = str(b, start, len, RESUME_TOKEN);
            s.state = 2;
            s.resumedAt = System.nanoTime();
            resumedCount[0]++;
          } else if (has(b, start, len, RESUME_FAILED)) {
            s.failReason = str(b, start, len, REASON);
            failReasons.merge(s.failReason, 1, Integer::sum);
            s.fresh = true;
            s.sessionId = s.freshSessionId;
            s.token = s.freshToken;
            s.lastSeq = 0;
            s.state = 2;
            s.resumedAt = System.nanoTime();
            sendString(c, "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
          } else if (has(b, start, len, SUBSCRIBED)) {
            s.subscribed = true;
          }
        };
    List<Sub> subs = new ArrayList<>(n);
    long deadline = System.nanoTime() + 120_000_000_000L;
    for (int i = 0; i < n; i++) {
      Sub s = new Sub(i);
      subs.add(s);
      Conn c = open(i, "/ws", binds[i % binds.length], 4096, 0);
      c.sub = s;
      c.handler = h;
      s.attempts = 1;
      subConns.put(i, c);
      if (i % 500 == 499) {
        for (int k = 0; k < 200 && System.nanoTime() < deadline; k++) {
          poll(5);
        }
      }
    }
    while (subs.stream().anyMatch(s -> !s.subscribed) && System.nanoTime() < deadline) {
      poll(5);
    }
    long subscribedCount = subs.stream().filter(s -> s.subscribed).count();
    log("subscribed " + subscribedCount + "/" + n);
    Conn pub = open(n, "/ws", "127.0.0.9", 8192, 0);
    if (connectAll(List.of(pub), System.nanoTime() + 10_000_000_000L) != 1) {
      throw new IllegalStateException("publisher did not connect");
    }
    long[] published = new long[1];
    long pubStart = System.nanoTime();
    long intervalNs = 1_000_000_000L / rate;
    boolean[] publishing = {true};
    long[] pubSent = new long[1];
    Runnable pump =
        () -> {
          long due = (System.nanoTime() - pubStart) / intervalNs;
          if (!publishing[0]) {
            pubSent[0] = Math.max(pubSent[0], due); // skip the pause, do not catch up
            return;
          }
          while (pubSent[0] < due) {
            sendString(pub, "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + published[0] + "}");
            published[0]++;
            pubSent[0]++;
          }
        };
    for (int round = 1; round <= rounds; round++) {
      long until = System.nanoTime() + warmS * 1_000_000_000L;
      while (System.nanoTime() < until) {
        pump.run();
        poll(1);
      }
      long gaps0 = subs.stream().mapToLong(s -> s.gaps).sum();
      long dups0 = subs.stream().mapToLong(s -> s.dups).sum();
      int failed0 = failReasons.values().stream().mapToInt(Integer::intValue).sum();
      double resumesOk0 = prometheus == null ? 0 : scrape("ws_resumes_total{|result=\"ok\"");
      resumedCount[0] = 0;
      replayed[0] = 0;
      long pubAtDrop = published[0];
      double srv0 = cpuSeconds(pid);
      double cli0 = cpuSeconds("self");
      // the drop: every client connection reset at once
      long tDrop = System.nanoTime();
      for (Sub s : subs) {
        reset(subConns.get(s.idx));
        s.state = 0;
        s.resumedAt = 0;
        s.resumeSentAt = 0;
        s.failReason = null;
        s.attempts = 0;
        s.reopenAt = reconnectRate > 0 ? tDrop + (long) s.idx * 1_000_000_000L / reconnectRate : tDrop;
      }
      long dropMs = (System.nanoTime() - tDrop) / 1_000_000;
      long storm_deadline = tDrop + timeoutS * 1_000_000_000L;
      int reopened = 0;
      long reconnectFailures = 0;
      Map<Integer, Integer> lostBeforeAnswer = new TreeMap<>(); // close code (-1: none, reset/EOF)
      long nextCheck = 0;
      int done = 0;
      while (System.nanoTime() < storm_deadline) {
        long now = System.nanoTime();
        for (int k = reopened; k < n; k++) {
          Sub s = subs.get(k);
          if (s.reopenAt > now) {
            break;
          }
          Conn c = open(s.idx, "/ws", binds[s.idx % binds.length], 4096, 0);
          c.sub = s;
          c.handler = h;
          s.attempts++;
          subConns.put(s.idx, c);
          reopened++;
        }
        pump.run();
        poll(1);
        if (now >= nextCheck) {
          nextCheck = now + 20_000_000L;
          done = 0;
          for (Sub s : subs) {
            Conn c = subConns.get(s.idx);
            if (s.resumedAt != 0) {
              done++;
            } else if (s.attempts > 0 && (c.failed || c.eof) && s.attempts < 10) {
              // connection lost before the resume answer: reconnect (with the token we hold)
              reconnectFailures++;
              lostBeforeAnswer.merge(c.closeCode, 1, Integer::sum);
              Conn nc = open(s.idx, "/ws", binds[s.idx % binds.length], 4096, 0);
              nc.sub = s;
              nc.handler = h;
              s.attempts++;
              s.state = 0;
              subConns.put(s.idx, nc);
            }
          }
          if (done == n) {
            break;
          }
        }
      }
      long tAll = System.nanoTime();
      int resumedInTime = resumedCount[0];
      // where the clients still waiting at the timeout are stuck
      Map<String, Integer> waiting = new TreeMap<>();
      for (Sub s : subs) {
        Conn c = subConns.get(s.idx);
        if (s.resumedAt == 0) {
          String stage =
              c.failed || c.eof ? "lost"
                  : !c.ch.isConnected() ? "tcp_connect"
                  : !c.upgraded ? "upgrade"
                  : s.state == 0 ? "connected_frame"
                  : "resume_answer";
          waiting.merge(stage, 1, Integer::sum);
        }
      }
      double srv = cpuSeconds(pid) - srv0;
      double cli = cpuSeconds("self") - cli0;
      Lat perClient = new Lat(n);
      // the stages of each answered client's way back: drop to its 101, drop to its resume sent
      // (after system/connected), resume sent to the answer (which follows the replayed events)
      Lat toUpgrade = new Lat(n);
      Lat toResumeSent = new Lat(n);
      Lat resumeToAnswer = new Lat(n);
      for (Sub s : subs) {
        if (s.resumedAt != 0) {
          perClient.add((s.resumedAt - tDrop) / 1000);
          toUpgrade.add((subConns.get(s.idx).upgradedAt - tDrop) / 1000);
          if (s.resumeSentAt != 0) {
            toResumeSent.add((s.resumeSentAt - tDrop) / 1000);
            resumeToAnswer.add((s.resumedAt - s.resumeSentAt) / 1000);
          }
        }
      }
      until = System.nanoTime() + afterS * 1_000_000_000L;
      while (System.nanoTime() < until) {
        pump.run();
        poll(1);
      }
      // pause the publisher and let every delivery arrive (bounded by drain-s), then compare each
      // client's lastSeq with the publications
      publishing[0] = false;
      long drainStart = System.nanoTime();
      until = drainStart + optInt("drain-s", 30) * 1_000_000_000L;
      long behind = 0;
      long sessionsFresh = 0;
      long nextCount = 0;
      while (true) {
        long now = System.nanoTime();
        pump.run();
        poll(5);
        if (now >= nextCount || now >= until) {
          nextCount = now + 100_000_000L;
          behind = 0;
          sessionsFresh = 0;
          for (Sub s : subs) {
            if (s.fresh) {
              sessionsFresh++; // seq restarted with its new session: not comparable
            } else if (s.lastSeq != published[0]) {
              behind++;
            }
          }
          if (behind == 0 || now >= until) {
            break;
          }
        }
      }
      long drainMs = (System.nanoTime() - drainStart) / 1_000_000;
      publishing[0] = true;
      // a client's live connection closed by the server after its answer (4001: taken over)
      Map<Integer, Integer> closedAfterAnswer = new TreeMap<>();
      for (Sub s : subs) {
        Conn c = subConns.get(s.idx);
        if (s.resumedAt != 0 && (c.eof || c.failed)) {
          closedAfterAnswer.merge(c.closeCode, 1, Integer::sum);
        }
      }
      Map<String, Object> r = new TreeMap<>();
      Map<String, Object> q = perClient.summary();
      r.put("round", round);
      r.put("clients", n);
      r.put("publish_rate", rate);
      r.put("published_before_drop", pubAtDrop);
      r.put("published_total", published[0]);
      r.put("drop_loop_ms", dropMs);
      r.put("resumed", resumedCount[0]);
      r.put("resumed_in_time", resumedInTime);
      r.put("waiting_at_timeout", waiting.toString().replace('=', ':'));
      r.put("resume_failed", failReasons.values().stream().mapToInt(Integer::intValue).sum() - failed0);
      r.put("resume_failed_reasons_so_far", failReasons.toString().replace('=', ':'));
      // answered: resumed or resume_failed; all_resumed only if every one resumed
      r.put("all_answered", done == n);
      r.put("all_resumed", resumedCount[0] == n);
      r.put("drop_to_all_answered_ms", done == n ? (tAll - tDrop) / 1e6 : -1.0);
      r.put("per_client_p50_ms", q.get("p50_ms"));
      for (Map.Entry<String, Lat> stage :
          Map.of("upgrade", toUpgrade, "resume_sent", toResumeSent, "resume_answer", resumeToAnswer).entrySet()) {
        Map<String, Object> sq = stage.getValue().summary();
        r.put("stage_" + stage.getKey() + "_p50_ms", sq.get("p50_ms"));
        r.put("stage_" + stage.getKey() + "_p99_ms", sq.get("p99_ms"));
      }
      r.put("per_client_p99_ms", q.get("p99_ms"));
      r.put("per_client_max_ms", q.get("max_ms"));
      r.put("replayed_events", replayed[0]);
      r.put("seq_gaps", subs.stream().mapToLong(s -> s.gaps).sum() - gaps0);
      r.put("duplicates", subs.stream().mapToLong(s -> s.dups).sum() - dups0);
      r.put("clients_behind_at_end", behind);
      r.put("drain_after_pause_ms", drainMs);
      r.put("clients_on_fresh_session", sessionsFresh);
      r.put("reconnect_retries", reconnectFailures);
      r.put("lost_before_answer_close_codes", lostBeforeAnswer.toString().replace('=', ':'));
      r.put("closed_after_answer_codes", closedAfterAnswer.toString().replace('=', ':'));
      r.put("server_cpu_s_storm", srv);
      r.put("client_cpu_s_storm", cli);
      if (prometheus != null) {
        r.put("server_resumes_ok", scrape("ws_resumes_total{|result=\"ok\"") - resumesOk0);
      }
      log(json(r));
      appendLine(outFile, json(r));
    }
    for (Sub s : subs) {
      closeConn(subConns.get(s.idx));
    }
    closeConn(pub);
  }


  // ---------------------------------------------------------------- failover (cluster)

  static final byte[] OFFSET = "\"offset\":".getBytes(StandardCharsets.US_ASCII);
  static final byte[] EPOCH = "\"epoch\":\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ERROR_TYPE = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] REPLAYED = "\"replayed\":".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ERROR_CODE = "\"error\":\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * One node killed under its clients: {@code n} clients connect to {@code port} (one node,
   * directly), subscribe to {@code channel}, ack every {@code ack-every} events and keep the
   * channel's offset and epoch of their last event; a publisher on {@code pub-port} publishes
   * {@code rate}/s. After {@code warm-s}, {@code kill-cmd} (run by this process, so that the kill's
   * time is on this clock) kills the node; every client whose connection ends waits as the browser
   * library does (protocol section 13: {@code cap = min(30 s, 1 s * 1.5^attempt)}, delay = cap/2 +
   * random(cap/2)) and reconnects to {@code resume-port} (HAProxy) with {@code resume}: sessionId,
   * resumeToken, lastSeq and positions. Per client: time from the kill until {@code resumed}; lost
   * events (channel offsets skipped) and duplicates (an offset again). After {@code after-s} more,
   * the publisher pauses and every client must reach the last offset (bounded by {@code drain-s}).
   * One JSON line to stdout.
   */
  static void failover() throws Exception {
    int n = optInt("n", 1000);
    int rate = optInt("rate", 20);
    int warmS = optInt("warm-s", 10);
    int afterS = optInt("after-s", 5);
    int ackEvery = optInt("ack-every", 50);
    long timeoutNs = optInt("timeout-s", 60) * 1_000_000_000L;
    int resumePort = optInt("resume-port", 8000);
    int pubPort = optInt("pub-port", 8180);
    String channel = opt("channel", "failover");
    String[] binds = opt("bind", "127.0.0.2,127.0.0.3").split(",");
    java.util.Random random = new java.util.Random();
    long[] replayed = new long[1];
    Map<String, Integer> reconnectsLost = new TreeMap<>(); // "HTTP status/close code" of failed reconnects
    Map<String, Integer> failReasons = new TreeMap<>();
    Handler h =
        (c, b, start, len) -> {
          Sub s = c.sub;
          if (has(b, start, len, EVENT)) {
            int i = find(b, start, len, OFFSET);
            long offset = i < 0 ? 0 : digits(b, i, start + len);
            i = find(b, start, len, SEQ);
            long seq = i < 0 ? 0 : digits(b, i, start + len);
            if (offset <= s.offset) {
              s.dups++;
            } else {
              s.lost += offset - s.offset - 1;
              s.offset = offset;
              s.epoch = str(b, start, len, EPOCH);
            }
            if (seq > s.lastSeq + 1 && !s.fresh) {
              s.gaps += seq - s.lastSeq - 1;
            }
            s.lastSeq = Math.max(s.lastSeq, seq);
            if ((seq + s.idx) % ackEvery == 0) {
              sendString(c, "{\"type\":\"ack\",\"seq\":" + seq + "}");
            }
          } else if (has(b, start, len, CONNECTED)) {
            s.backoffAttempt = 0;
            s.freshSessionId = str(b, start, len, SESSION_ID);
            s.freshToken = str(b, start, len, RESUME_TOKEN);
            if (s.sessionId == null) {
              s.sessionId = s.freshSessionId;
              s.token = s.freshToken;
              sendString(c, "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            } else {
              s.state = 1;
              String positions = s.epoch == null ? "{}"
                  : "{\"" + channel + "\":{\"offset\":" + s.offset + ",\"epoch\":\"" + s.epoch + "\"}}";
              s.resumeSentAt = System.nanoTime();
              sendString(c, "{\"type\":\"resume\",\"sessionId\":\"" + s.sessionId + "\",\"resumeToken\":\""
                  + s.token + "\",\"lastSeq\":" + s.lastSeq + ",\"positions\":" + positions + "}");
            }
          } else if (has(b, start, len, RESUMED)) {
            s.token = str(b, start, len, RESUME_TOKEN);
            int i = find(b, start, len, REPLAYED);
            replayed[0] += i < 0 ? 0 : digits(b, i, start + len);
            s.state = 2;
            s.resumedAt = System.nanoTime();
          } else if (has(b, start, len, RESUME_FAILED)) {
            // data loss is never silent: counted, then on with the fresh session (protocol step 5)
            failReasons.merge(str(b, start, len, REASON), 1, Integer::sum);
            s.fresh = true;
            s.sessionId = s.freshSessionId;
            s.token = s.freshToken;
            s.lastSeq = 0;
            s.state = 3;
            s.resumedAt = System.nanoTime();
            sendString(c, "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
          } else if (has(b, start, len, SUBSCRIBED)) {
            s.subscribed = true;
          }
        };
    List<Sub> subs = new ArrayList<>(n);
    long deadline = System.nanoTime() + 120_000_000_000L;
    for (int i = 0; i < n; i++) {
      Sub s = new Sub(i);
      subs.add(s);
      Conn c = open(i, "/ws", binds[i % binds.length], 4096, 0);
      c.sub = s;
      c.handler = h;
      subConns.put(i, c);
      if (i % 200 == 199) {
        for (int k = 0; k < 100 && System.nanoTime() < deadline; k++) {
          poll(5);
        }
      }
    }
    while (subs.stream().anyMatch(s -> !s.subscribed) && System.nanoTime() < deadline) {
      poll(5);
    }
    long subscribed = subs.stream().filter(s -> s.subscribed).count();
    log("subscribed " + subscribed + "/" + n + " on port " + port);
    // the publisher: one publication every 1/rate s, data = its number; acks answer in order
    Conn pub = open(n, "/ws", pubPort, "127.0.0.9", 8192, 0);
    java.util.ArrayDeque<Long> pending = new java.util.ArrayDeque<>();
    long[] pubStats = new long[4]; // acked, errors, max publish-to-answer µs, sent
    Map<String, Integer> pubErrors = new TreeMap<>(); // the publisher's errors by code
    pub.handler =
        (c, b, start, len) -> {
          boolean ack = has(b, start, len, PUB_ACK);
          if (!ack && has(b, start, len, ERROR_TYPE)) {
            pubErrors.merge(String.valueOf(str(b, start, len, ERROR_CODE)), 1, Integer::sum);
          }
          if ((ack || has(b, start, len, ERROR_TYPE)) && !pending.isEmpty()) {
            pubStats[ack ? 0 : 1]++;
            pubStats[2] = Math.max(pubStats[2], (System.nanoTime() - pending.poll()) / 1000);
          }
        };
    if (connectAll(List.of(pub), System.nanoTime() + 10_000_000_000L) != 1) {
      throw new IllegalStateException("publisher did not connect");
    }
    long pubStart = System.nanoTime();
    long intervalNs = 1_000_000_000L / rate;
    boolean[] publishing = {true};
    Runnable pump =
        () -> {
          long due = due(System.nanoTime(), pubStart, intervalNs);
          while (publishing[0] && pubStats[3] < due) {
            pending.add(System.nanoTime());
            sendString(pub, "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + pubStats[3] + "}");
            pubStats[3]++;
          }
        };
    long until = System.nanoTime() + warmS * 1_000_000_000L;
    while (System.nanoTime() < until) {
      pump.run();
      poll(1);
    }
    long lostBefore = subs.stream().mapToLong(s -> s.lost).sum();
    long pubMaxBefore = pubStats[2];
    pubStats[2] = 0;
    // the kill, by this process so that its time is on this clock
    long tKill = System.nanoTime();
    Process kill = new ProcessBuilder(opt("kill-cmd", "true").split(" ")).inheritIO().start();
    long firstDrop = 0;
    long reconnects = 0;
    int answered = 0;
    long nextCheck = 0;
    while (System.nanoTime() - tKill < timeoutNs) {
      long now = System.nanoTime();
      pump.run();
      poll(1);
      if (now < nextCheck) {
        continue;
      }
      nextCheck = now + 5_000_000L;
      answered = 0;
      for (Sub s : subs) {
        Conn c = subConns.get(s.idx);
        if (s.resumedAt != 0) {
          answered++;
        } else if ((c.failed || c.eof) && s.reopenAt == 0) {
          firstDrop = firstDrop == 0 ? now : firstDrop;
          if (c.port == resumePort) {
            reconnectsLost.merge(c.status + "/" + c.closeCode, 1, Integer::sum);
          }
          // the browser library's backoff: cap = min(30 s, 1 s * 1.5^attempt), half of it jittered
          double cap = Math.min(30_000, 1000 * Math.pow(1.5, s.backoffAttempt++));
          s.reopenAt = now + (long) ((cap / 2 + random.nextDouble() * cap / 2) * 1_000_000);
        } else if (s.reopenAt != 0 && now >= s.reopenAt) {
          s.reopenAt = 0;
          s.state = 0;
          s.attempts++;
          reconnects++;
          Conn nc = open(s.idx, "/ws", resumePort, binds[s.idx % binds.length], 4096, 0);
          nc.sub = s;
          nc.handler = h;
          subConns.put(s.idx, nc);
        }
      }
      if (answered == n) {
        break;
      }
    }
    long tAll = System.nanoTime();
    kill.waitFor();
    Lat perClient = new Lat(n);
    Lat toResumeSent = new Lat(n); // the kill until the client sent the resume that succeeded
    Lat resumeToAnswer = new Lat(n); // that resume until its answer (replayed events first)
    for (Sub s : subs) {
      if (s.resumedAt != 0) {
        perClient.add((s.resumedAt - tKill) / 1000);
        toResumeSent.add((s.resumeSentAt - tKill) / 1000);
        resumeToAnswer.add((s.resumedAt - s.resumeSentAt) / 1000);
      }
    }
    until = System.nanoTime() + afterS * 1_000_000_000L;
    while (System.nanoTime() < until) {
      pump.run();
      poll(1);
    }
    // pause; every acked publication must reach every client (bounded by drain-s)
    publishing[0] = false;
    long drainStart = System.nanoTime();
    long drainEnd = drainStart + optInt("drain-s", 30) * 1_000_000_000L;
    long behind = n;
    long lastOffset = 0;
    while (System.nanoTime() < drainEnd) {
      poll(5);
      // the channel is new: its last offset is at least the publications acknowledged
      lastOffset = Math.max(pubStats[0], subs.stream().mapToLong(s -> s.offset).max().orElse(0));
      long target = lastOffset;
      behind = subs.stream().filter(s -> s.offset < target).count();
      if (behind == 0 && pending.isEmpty()) {
        break;
      }
    }
    Map<String, Object> r = new TreeMap<>();
    Map<String, Object> q = perClient.summary();
    r.put("clients", n);
    r.put("subscribed", subscribed);
    r.put("publish_rate", rate);
    r.put("published", pubStats[3]);
    r.put("publish_acked", pubStats[0]);
    r.put("publish_errors", pubStats[1]);
    r.put("publish_answer_max_ms_before_kill", pubMaxBefore / 1000.0);
    r.put("publish_answer_max_ms_after_kill", pubStats[2] / 1000.0);
    r.put("first_drop_after_kill_ms", firstDrop == 0 ? -1.0 : (firstDrop - tKill) / 1e6);
    long resumed = subs.stream().filter(s -> s.state == 2).count();
    r.put("resumed", resumed);
    r.put("resume_failed", failReasons.values().stream().mapToInt(Integer::intValue).sum());
    r.put("resume_failed_reasons", failReasons.toString().replace('=', ':'));
    r.put("all_resumed", resumed == n);
    r.put("kill_to_all_resumed_ms", resumed == n ? (tAll - tKill) / 1e6 : -1.0);
    r.put("per_client_p50_ms", q.get("p50_ms"));
    r.put("per_client_p99_ms", q.get("p99_ms"));
    r.put("per_client_max_ms", q.get("max_ms"));
    for (Map.Entry<String, Lat> stage : Map.of("resume_sent", toResumeSent, "resume_answer", resumeToAnswer).entrySet()) {
      Map<String, Object> sq = stage.getValue().summary();
      r.put("stage_" + stage.getKey() + "_p50_ms", sq.get("p50_ms"));
      r.put("stage_" + stage.getKey() + "_p99_ms", sq.get("p99_ms"));
    }
    r.put("publish_error_codes", pubErrors.toString().replace('=', ':'));
    r.put("reconnects", reconnects);
    r.put("failed_reconnects_status_close", reconnectsLost.toString().replace('=', ':'));
    r.put("replayed_events", replayed[0]);
    r.put("lost_before_kill", lostBefore);
    r.put("lost_events", subs.stream().mapToLong(s -> s.lost).sum() - lostBefore);
    r.put("clients_with_lost_events", subs.stream().filter(s -> s.lost > 0).count());
    r.put("lost_per_client_max", subs.stream().mapToLong(s -> s.lost).max().orElse(0));
    r.put("duplicates", subs.stream().mapToLong(s -> s.dups).sum());
    r.put("clients_with_duplicates", subs.stream().filter(s -> s.dups > 0).count());
    r.put("duplicates_per_client_max", subs.stream().mapToLong(s -> s.dups).max().orElse(0));
    r.put("seq_gaps", subs.stream().mapToLong(s -> s.gaps).sum());
    r.put("publish_unanswered", pending.size());
    r.put("last_offset", lastOffset);
    r.put("clients_behind_at_end", behind);
    r.put("drain_after_pause_ms", (System.nanoTime() - drainStart) / 1_000_000);
    r.put("client_cpu_s", cpuSeconds("self"));
    System.out.println(json(r));
    for (Sub s : subs) {
      closeConn(subConns.get(s.idx));
    }
    closeConn(pub);
  }

  static final Map<Integer, Conn> subConns = new HashMap<>();
}
