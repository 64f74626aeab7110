import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Connection lifetimes for bench/run-auth.sh, on LoadGen's NIO connections and frames (compile it
 * with LoadGen's classes on the class path). One lifetime: open {@code /ws}, read {@code
 * system/connected}, [phase {@code token} only: send {@code auth} with the next token of {@code
 * tokens} (a file, one per line, cycled) and wait for {@code authenticated}], subscribe to {@code
 * life:<loop>}, wait for {@code subscribed}, publish one event there, wait for both the {@code
 * event} and the {@code ack}, send a 1000 close and wait for the server's close frame. {@code
 * concurrency} (40) loops each run one lifetime after the other, so that a channel has one
 * subscriber at a time.
 *
 * <p>Phases: {@code token} and {@code none} on {@code port} ({@code kinds=token,none,echo} adds
 * {@code echo}: an echo of a token-sized payload in place of {@code auth}), {@code node} (no auth)
 * on {@code node-port}; first unreported phases of each kind ({@code warm-lifetimes} each, in two
 * passes), then {@code rounds} rounds of {@code lifetimes} per phase: token and none in turns, the
 * order reversed every other round, then Node's rounds. {@code kinds=subscribe}: a lifetime without
 * the publication (open, subscribe, close). {@code ports=8180,8280,8380} spreads the loops over
 * several servers (loop i on the i-th port, cyclically) and {@code server-pid} may list their pids
 * (their CPU is summed); {@code warm-s} repeats the warm-up passes until that long has passed.
 * Per phase one JSON line to {@code out}:
 * lifetimes completed, failures by reason, wall seconds, lifetime latency p50/p99/max, the
 * server's CPU ({@code /proc/<server-pid or node-pid>/stat}; also by kind of thread) and this
 * process's, each per completed lifetime, and the machine's noise (other processes' CPU, steal).
 * Never prints a token. Every wait is bounded: a lifetime gets {@code timeout-s} (10), a phase
 * until every loop has ended.
 */
public final class Lifetimes {
  static final byte[] AUTHENTICATED = "\"type\":\"authenticated\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ERROR = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ECHOED = "\"type\":\"echo\"".getBytes(StandardCharsets.US_ASCII);

  // steps of a lifetime
  static final int CONNECTING = 0;
  static final int AUTHENTICATING = 1;
  static final int SUBSCRIBING = 2;
  static final int PUBLISHED = 3;
  static final int CLOSING = 4;

  static String[] tokens;
  static int nextToken;
  static String[] binds;
  static byte[] echoMessage; // echo phase: a payload as long as a token
  static int nextBind;

  /** One loop's current lifetime. */
  static final class Loop {
    final int idx;
    final byte[] subscribe;
    final byte[] publish;
    LoadGen.Conn conn;
    int step;
    boolean gotEvent;
    boolean gotAck;
    long t0;
    String failure; // why the current lifetime failed, if it did

    Loop(int idx) {
      this.idx = idx;
      String ch = "life:" + idx;
      subscribe = ("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"id\":\"s\"}").getBytes(StandardCharsets.US_ASCII);
      publish =
          ("{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"data\":{\"n\":" + idx + "},\"id\":\"p\"}")
              .getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** What a phase counts. */
  static final class Phase {
    final String name;
    final boolean auth;
    final boolean echo;
    final boolean subscribeOnly;
    final int lifetimes;
    int started;
    int completed;
    int authenticated;
    final Map<String, Integer> failures = new TreeMap<>();
    final LoadGen.Lat lat;

    Phase(String name, int lifetimes) {
      this.name = name;
      this.auth = name.equals("token");
      this.echo = name.equals("echo");
      this.subscribeOnly = name.equals("subscribe");
      this.lifetimes = lifetimes;
      this.lat = new LoadGen.Lat(lifetimes);
    }

    void fail(Loop l, String why) {
      if (l.failure == null) {
        l.failure = why;
        failures.merge(why, 1, Integer::sum);
      }
    }
  }

  static Phase phase;
  static Loop[] loops;
  static int[] ports; // ports=: the loops spread over these servers

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int i = a.indexOf('=');
      LoadGen.opts.put(a.substring(0, i), a.substring(i + 1));
    }
    LoadGen.host = LoadGen.opt("host", "127.0.0.1");
    LoadGen.selector = Selector.open();
    int port = LoadGen.optInt("port", 8580);
    int nodePort = LoadGen.optInt("node-port", 0);
    String serverPid = LoadGen.opt("server-pid", "0");
    String nodePid = LoadGen.opt("node-pid", "0");
    int rounds = LoadGen.optInt("rounds", 3);
    int n = LoadGen.optInt("lifetimes", 4000);
    int warm = LoadGen.optInt("warm-lifetimes", n);
    int concurrency = LoadGen.optInt("concurrency", 40);
    binds = LoadGen.opt("bind", "127.0.0.2").split(",");
    String tokenFile = LoadGen.opt("tokens", "");
    tokens = tokenFile.isEmpty() ? new String[] {"none"}
        : Files.readAllLines(Path.of(tokenFile)).stream().filter(s -> !s.isBlank()).toArray(String[]::new);
    if (LoadGen.opts.containsKey("ports")) {
      ports = java.util.Arrays.stream(LoadGen.opt("ports", "").split(",")).mapToInt(Integer::parseInt).toArray();
    }
    Path out = Path.of(LoadGen.opt("out", "auth.jsonl"));
    echoMessage =
        ("{\"type\":\"echo\",\"payload\":\"" + "x".repeat(tokens[0].length()) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    loops = new Loop[concurrency];
    for (int i = 0; i < concurrency; i++) {
      loops[i] = new Loop(i);
    }
    boolean node = nodePort > 0;
    // the WildFly phases: token and none; kinds=token,none,echo adds echo: the none lifetime with
    // one echo of a token-sized payload in place of auth (the cost of the extra message alone)
    List<String> kinds = List.of(LoadGen.opt("kinds", "token,none").split(","));
    // the warm-up: two passes over the kinds, so that each kind's code is compiled while the
    // other's runs too; each pass ends with a WildFly phase, so that the first measured one does
    // not follow the idle WildFly of a Node phase
    long warmUntil = System.nanoTime() + LoadGen.optInt("warm-s", 0) * 1_000_000_000L;
    LoadGen.log("warm-up: " + warm + " lifetimes of each kind in two passes, repeated for " + LoadGen.opt("warm-s", "0") + " s");
    for (int pass = 0; warm > 0 && (pass < 2 || System.nanoTime() < warmUntil); pass++) {
      List<String> all = new ArrayList<>(kinds);
      if (node) {
        all.add(0, "node");
      }
      for (String k : all) {
        Map<String, Object> r = phase(k, warm / 2, port, nodePort, serverPid, nodePid);
        LoadGen.log("warm-up " + k + " " + LoadGen.json(r));
      }
    }
    // the WildFly kinds take turns, the order reversed every other round, with no Node phase
    // between them: the first WildFly phase after an idle WildFly (a Node phase) cost 150-550 µs
    // more per lifetime than the same phase after another WildFly phase, which with Node in the
    // turns made token pay it in two rounds of three. Node's rounds follow (its figures do not
    // depend on WildFly's).
    List<List<String>> schedule = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      List<String> turn = new ArrayList<>(kinds);
      if (round % 2 == 0) {
        java.util.Collections.reverse(turn);
      }
      schedule.add(turn);
    }
    if (node) {
      for (int round = 1; round <= rounds; round++) {
        schedule.add(List.of("node"));
      }
    }
    Map<String, Integer> roundOf = new HashMap<>();
    for (List<String> turn : schedule) {
      for (String k : turn) {
        Map<String, Object> r = phase(k, n, port, nodePort, serverPid, nodePid);
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("phase", k);
        row.put("round", roundOf.merge(k, 1, Integer::sum));
        row.putAll(r);
        String line = LoadGen.json(row);
        LoadGen.appendLine(out, line);
        LoadGen.log(line);
      }
    }
  }

  static Map<String, Object> phase(
      String k, int n, int port, int nodePort, String serverPid, String nodePid) throws IOException {
    boolean node = k.equals("node");
    return run(k, n, node ? nodePort : port, node ? nodePid : serverPid);
  }

  /** One phase: {@code n} lifetimes over the loops; its figures. */
  static Map<String, Object> run(String name, int n, int port, String pid) throws IOException {
    phase = new Phase(name, n);
    LoadGen.port = port;
    for (Loop l : loops) {
      l.conn = null;
    }
    long[] s0 = cpuTicks(pid);
    Map<String, ThreadTicks> threads0 = threadTicks(pid);
    long[] c0 = LoadGen.cpuTicks("self");
    long[] m0 = machineTicks();
    long t0 = System.nanoTime();
    for (Loop l : loops) {
      start(l);
    }
    long timeout = LoadGen.optInt("timeout-s", 10) * 1_000_000_000L;
    long deadline = t0 + Math.max(120, n / 10) * 1_000_000_000L; // a bound, not a target
    int active = loops.length;
    while (active > 0 && System.nanoTime() < deadline) {
      LoadGen.poll(1);
      long now = System.nanoTime();
      active = 0;
      for (Loop l : loops) {
        if (l.conn == null) {
          continue;
        }
        LoadGen.Conn c = l.conn;
        if (c.eof || c.failed) {
          finish(l, now);
        } else if (now - l.t0 > timeout) {
          phase.fail(l, "timeout_step_" + l.step);
          LoadGen.fail(c);
          finish(l, now);
        }
        if (l.conn != null) {
          active++;
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] s1 = cpuTicks(pid);
    Map<String, ThreadTicks> threads1 = threadTicks(pid);
    long[] c1 = LoadGen.cpuTicks("self");
    long[] m1 = machineTicks();
    for (Loop l : loops) {
      if (l.conn != null) {
        phase.fail(l, "phase_deadline");
        LoadGen.fail(l.conn);
        l.conn = null;
      }
    }
    double serverCpuS = (s1[0] + s1[1] - s0[0] - s0[1]) / 100.0;
    double clientCpuS = (c1[0] + c1[1] - c0[0] - c0[1]) / 100.0;
    int done = Math.max(1, phase.completed);
    Map<String, Object> r = new java.util.LinkedHashMap<>();
    r.put("lifetimes", phase.completed);
    r.put("failures", phase.failures.values().stream().mapToInt(Integer::intValue).sum());
    r.put("authenticated", phase.authenticated);
    r.put("concurrency", loops.length);
    r.put("wall_s", seconds);
    r.put("lifetimes_per_s", phase.completed / seconds);
    Map<String, Object> lat = phase.lat.summary();
    r.put("lifetime_p50_ms", lat.get("p50_ms"));
    r.put("lifetime_p99_ms", lat.get("p99_ms"));
    r.put("lifetime_max_ms", lat.get("max_ms"));
    r.put("server_cpu_s", serverCpuS);
    r.put("server_cpu_us_per_lifetime", serverCpuS * 1e6 / done);
    r.put("server_cpu_cores", serverCpuS / seconds);
    Map<String, Long> byKind = new TreeMap<>();
    long alive = 0;
    for (Map.Entry<String, ThreadTicks> t : threads1.entrySet()) {
      ThreadTicks before = threads0.get(t.getKey());
      long ticks = t.getValue().ticks() - (before == null ? 0 : before.ticks());
      byKind.merge(t.getValue().kind(), ticks, Long::sum);
      alive += ticks;
    }
    // threads that ended within the phase (JGroups' pool lets idle ones go) took their ticks along
    byKind.put("ended", s1[0] + s1[1] - s0[0] - s0[1] - alive);
    StringBuilder byThread = new StringBuilder();
    byKind.forEach(
        (kind, ticks) ->
            byThread.append(byThread.isEmpty() ? "" : ",").append(kind).append(':')
                .append(Math.round(ticks * 1e6 / 100 / done)));
    r.put("server_cpu_us_per_lifetime_by_thread", byThread.toString());
    r.put("client_cpu_us_per_lifetime", clientCpuS * 1e6 / done);
    // the machine's noise: CPU of every other process (process time of all cores minus server and
    // client) and the hypervisor's steal, in cores over the phase
    r.put("other_cpu_cores", Math.max(0, (m1[0] - m0[0]) / 100.0 - serverCpuS - clientCpuS) / seconds);
    r.put("steal_cpu_cores", (m1[1] - m0[1]) / 100.0 / seconds);
    r.put("failure_reasons", phase.failures.toString().replace('=', ':').replace(", ", ","));
    return r;
  }

  /** LoadGen.cpuTicks summed over a comma-separated list of pids. */
  static long[] cpuTicks(String pids) {
    long[] t = new long[2];
    for (String p : pids.split(",")) {
      long[] one = LoadGen.cpuTicks(p);
      t[0] += one[0];
      t[1] += one[1];
    }
    return t;
  }

  /** A server thread's kind ({@link #threadKind}) and CPU ticks so far. */
  record ThreadTicks(String kind, long ticks) {}

  /**
   * Every thread of the servers by pid/tid, from /proc/<pid>/task: where a lifetime's CPU goes,
   * the sockets' threads against the cluster's messages.
   */
  static Map<String, ThreadTicks> threadTicks(String pids) {
    Map<String, ThreadTicks> threads = new HashMap<>();
    for (String p : pids.split(",")) {
      try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + p + "/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            String s = Files.readString(task.resolve("stat"));
            String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            threads.put(
                p + "/" + task.getFileName(),
                new ThreadTicks(threadKind(name), Long.parseLong(f[11]) + Long.parseLong(f[12])));
          } catch (IOException | RuntimeException e) { // the thread ended meanwhile
          }
        }
      } catch (IOException e) { // no such process: no figures
      }
    }
    return threads;
  }

  /**
   * A WildFly thread's kind by its name (Linux keeps 15 characters): io (Undertow's I/O and accept
   * threads), workers (Undertow's and EE's executors), jgroups (its receivers, bundler and pool),
   * infinispan (its blocking, non-blocking and expiration threads), jit, gc, other.
   */
  static String threadKind(String name) {
    if (name.startsWith("default I/O") || name.startsWith("default Accept")) {
      return "io";
    } else if (name.startsWith("default task") || name.startsWith("EE-Managed")) {
      return "workers";
    } else if (name.startsWith("Connection.Rec") || name.startsWith("TQ-Bundler")
        || name.matches("thread-\\d+,.*")) {
      return "jgroups";
    } else if (name.startsWith("blocking-thread") || name.startsWith("non-blocking-th")
        || name.startsWith("expiration-thr")) {
      return "infinispan";
    } else if (name.contains("CompilerThre")) {
      return "jit";
    } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return "gc";
    }
    return "other";
  }

  /**
   * Process time (user, nice, system: irq and softirq time, the loopback's packets, are not in a
   * process's figures either) and steal clock ticks of all cores, from /proc/stat.
   */
  static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
      return new long[] {busy, Long.parseLong(f[8])};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** The next lifetime of the loop, if the phase has one left. */
  static void start(Loop l) {
    l.conn = null;
    if (phase.started >= phase.lifetimes) {
      return;
    }
    phase.started++;
    l.step = CONNECTING;
    l.gotEvent = false;
    l.gotAck = false;
    l.failure = null;
    l.t0 = System.nanoTime();
    try {
      int port = ports == null ? LoadGen.port : ports[l.idx % ports.length];
      l.conn = LoadGen.open(l.idx, "/ws", port, binds[nextBind++ % binds.length], 1024, 0);
      l.conn.handler = (c, b, start, len) -> onText(l, c, b, start, len);
    } catch (IOException e) {
      phase.fail(l, "open");
      l.conn = null;
      start(l);
    }
  }

  /** The loop's connection ended: count the lifetime, start the next. */
  static void finish(Loop l, long now) {
    LoadGen.Conn c = l.conn;
    if (l.failure == null) {
      if (l.step == CLOSING && c.closeCode == 1000) {
        phase.completed++;
        phase.lat.add((now - l.t0) / 1000);
      } else if (c.closeCode > 0) {
        phase.fail(l, "closed_" + c.closeCode + "_step_" + l.step);
      } else if (!c.upgraded) {
        phase.fail(l, "handshake_" + c.status);
      } else {
        phase.fail(l, "eof_step_" + l.step);
      }
    }
    start(l);
  }

  static void onText(Loop l, LoadGen.Conn c, ByteBuffer b, int start, int len) {
    if (c.closing) {
      return;
    }
    if (LoadGen.has(b, start, len, ERROR)) {
      // the server's error text, never a token: kept as a reason only
      phase.fail(l, "error_step_" + l.step);
      LoadGen.startClose(c);
      return;
    }
    switch (l.step) {
      case CONNECTING -> {
        if (LoadGen.has(b, start, len, LoadGen.CONNECTED)) {
          if (phase.auth) {
            l.step = AUTHENTICATING;
            String token = tokens[nextToken++ % tokens.length];
            LoadGen.sendString(c, "{\"type\":\"auth\",\"token\":\"" + token + "\",\"id\":\"a1\"}");
          } else if (phase.echo) {
            l.step = AUTHENTICATING;
            send(l, c, echoMessage);
          } else {
            subscribe(l, c);
          }
        }
      }
      case AUTHENTICATING -> {
        if (LoadGen.has(b, start, len, phase.echo ? ECHOED : AUTHENTICATED)) {
          phase.authenticated += phase.auth ? 1 : 0;
          subscribe(l, c);
        }
      }
      case SUBSCRIBING -> {
        if (LoadGen.has(b, start, len, LoadGen.SUBSCRIBED) && phase.subscribeOnly) {
          l.step = CLOSING;
          LoadGen.startClose(c);
        } else if (LoadGen.has(b, start, len, LoadGen.SUBSCRIBED)) {
          l.step = PUBLISHED;
          send(l, c, l.publish);
        }
      }
      case PUBLISHED -> {
        if (LoadGen.has(b, start, len, LoadGen.EVENT)) {
          l.gotEvent = true;
        } else if (LoadGen.has(b, start, len, LoadGen.PUB_ACK)) {
          l.gotAck = true;
        }
        if (l.gotEvent && l.gotAck) {
          l.step = CLOSING;
          LoadGen.startClose(c);
        }
      }
      default -> {
        // closing: nothing more is expected but the close frame
      }
    }
  }

  static void subscribe(Loop l, LoadGen.Conn c) {
    l.step = SUBSCRIBING;
    send(l, c, l.subscribe);
  }

  static void send(Loop l, LoadGen.Conn c, byte[] m) {
    try {
      LoadGen.sendText(c, m, m.length);
    } catch (IOException e) {
      LoadGen.fail(c);
    }
  }
}
