# Shared by bench/run-*.sh: build, start a copy of the provisioned WildFly with both WARs, measure, stop.
# Source it; it re-executes the calling script under flock /tmp/heavy.lock (one heavy job at a time
# on this machine).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/work
RESULTS=$BENCH/results
OFFSET=${BENCH_PORT_OFFSET:-500}
HTTP_PORT=$((8080 + OFFSET))
MGMT_PORT=$((9990 + OFFSET))
PROM=http://127.0.0.1:$MGMT_PORT/prometheus
NODE_PORT=$((HTTP_PORT + 10))
SERVER_PID=
WRAPPER_PID=
NODE_PID=
CLIENT_PIDS=()

log() { echo "[bench $(date +%T)] $*" >&2; }

# BENCH_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64: the JDK the server runs on (default: the java on
# PATH, as for the clients); its jcmd attaches to it. BENCH_JAVA_OPTS: more server JVM options (say
# -XX:+UseCompactObjectHeaders).
SERVER_JAVA=${BENCH_JAVA_HOME:+$BENCH_JAVA_HOME/bin/}java
jcmd() { if [ -n "${BENCH_JAVA_HOME:-}" ]; then "$BENCH_JAVA_HOME/bin/jcmd" "$@"; else command jcmd "$@"; fi; }

# Build the app WAR (provisions target/server on the first run), the baseline WAR and the load client.
build_all() {
  # the scenario's output may name a folder under results/ (ECHO_OUT=node/x)
  [ -z "${OUT:-}" ] || mkdir -p "$(dirname "$OUT")"
  if [ "${BENCH_SKIP_BUILD:-}" = 1 ] && [ -f "$WORK/classes/LoadGen.class" ]; then return 0; fi
  log "building the app WAR, the baseline WAR and the load client"
  (cd "$ROOT" && mvn -o -q -DskipTests -DskipUTs=true package)
  (cd "$BENCH/baseline" && mvn -o -q package)
  mkdir -p "$WORK/classes" "$RESULTS"
  javac -d "$WORK/classes" "$BENCH/loadgen/LoadGen.java"
  (cd "$BENCH/node" && npm ci --no-audit --no-fund --silent)
}

# start_node: the Node ws reference server (bench/node/server.js) on NODE_PORT (HTTP_PORT + 10,
# 8590), beside WildFly in the same run; waits until it answers. RESUME_GRACE_MS passes through.
start_node() {
  if curl -fsS "http://127.0.0.1:$NODE_PORT/stats" >/dev/null 2>&1; then
    log "port $NODE_PORT is taken (a Node server left running?)"
    return 1
  fi
  log "starting the Node ws reference server on $NODE_PORT"
  PORT=$NODE_PORT node --expose-gc "$BENCH/node/server.js" >"$WORK/node.out" 2>&1 &
  NODE_PID=$!
  local i
  for i in $(seq 1 50); do
    kill -0 "$NODE_PID" 2>/dev/null || break
    if curl -fsS "http://127.0.0.1:$NODE_PORT/stats" >/dev/null 2>&1; then
      log "Node server up, pid $NODE_PID"
      return 0
    fi
    sleep 0.2
  done
  log "the Node server did not start"; cat "$WORK/node.out" >&2
  return 1
}

stop_node() {
  [ -n "$NODE_PID" ] || return 0
  kill "$NODE_PID" 2>/dev/null || true
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
}

# node_stats FIELD [gc]: one field of the Node server's /stats (bytes, µs), after a full GC with gc.
node_stats() {
  curl -fsS "http://127.0.0.1:$NODE_PORT/stats${2:+?gc=1}" |
    python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"
}

# heap_kib SERVER [PID]: heap after a full GC, KiB, of WildFly (app, bare; PID: another WildFly JVM
# than the server's, e.g. a cluster node) or of the Node server (node: V8's heapUsed + external,
# where ws keeps its buffers)
heap_kib() {
  if [ "$1" = node ]; then
    echo $((($(node_stats heapUsed gc) + $(node_stats external)) / 1024))
  else
    heap_after_gc "${2:-}"
  fi
}

# start_server -Dprop=value ...: a fresh copy of target/server, both WARs deployed, waits until ready.
start_server() {
  rm -rf "$WORK/server"
  cp -a "$ROOT/target/server" "$WORK/server"
  # none of target/server's runs (logs, caches' data): a run starts as the build provisioned it
  rm -rf "$WORK/server/standalone/log" "$WORK/server/standalone/data" "$WORK/server/standalone/tmp"
  cp "$ROOT/target/robust-websocket.war" "$BENCH/baseline/target/baseline.war" \
    "$WORK/server/standalone/deployments/"
  # BENCH_IO_THREADS=n: Undertow's io threads (shipped: 16, wildfly-config/configure-undertow.cli);
  # BENCH_CLI="op1;op2": more management operations on this copy, to try a setting side by side
  local ops=${BENCH_CLI:-}
  if [ -n "${BENCH_IO_THREADS:-}" ]; then
    ops="/subsystem=io/worker=default:write-attribute(name=io-threads,value=$BENCH_IO_THREADS)${ops:+;$ops}"
  fi
  if [ -n "$ops" ]; then
    printf 'embed-server\n%s\nstop-embedded-server\n' "$(tr ';' '\n' <<<"$ops")" >"$WORK/server-ops.cli"
    "$WORK/server/bin/jboss-cli.sh" --file="$WORK/server-ops.cli" >/dev/null
  fi
  log "starting WildFly (port offset $OFFSET, io threads ${BENCH_IO_THREADS:-as configured}${BENCH_CLI:+, $BENCH_CLI}) with $*"
  JBOSS_PIDFILE=$WORK/server.pid LAUNCH_JBOSS_IN_BACKGROUND=1 JAVA="$SERVER_JAVA" \
    JBOSS_JAVA_SIZING="${BENCH_JAVA_SIZING:--Xms1g -Xmx4g}${BENCH_JAVA_OPTS:+ $BENCH_JAVA_OPTS}" \
    "$WORK/server/bin/standalone.sh" -Djboss.socket.binding.port-offset="$OFFSET" "$@" \
    >"$WORK/server.out" 2>&1 &
  WRAPPER_PID=$!
  local i
  for i in $(seq 1 120); do
    if [ -f "$WORK/server/standalone/deployments/robust-websocket.war.deployed" ] &&
      [ -f "$WORK/server/standalone/deployments/baseline.war.deployed" ] &&
      curl -fsS "http://127.0.0.1:$MGMT_PORT/health/ready" >/dev/null 2>&1; then
      SERVER_PID=$(cat "$WORK/server.pid")
      log "server up, pid $SERVER_PID, $(ls /proc/$SERVER_PID/fd | wc -l) open files"
      return 0
    fi
    if ls "$WORK/server/standalone/deployments/"*.failed >/dev/null 2>&1; then break; fi
    sleep 1
  done
  log "server did not become ready"; tail -20 "$WORK/server.out" >&2
  return 1
}

# await_ready NAME: waits (up to 180 s) until the PROCS client processes wrote $WORK/NAME.ready.*
await_ready() {
  local i
  for i in $(seq 1 180); do
    [ "$(ls "$WORK/$1".ready.* 2>/dev/null | wc -l)" -ge "$PROCS" ] && break
    sleep 1
  done
}

stop_clients() {
  local p
  for p in "${CLIENT_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  CLIENT_PIDS=()
}

stop_server() {
  stop_clients
  [ -n "$WRAPPER_PID" ] || return 0
  log "stopping the server"
  "$WORK/server/bin/jboss-cli.sh" --connect --controller=127.0.0.1:$MGMT_PORT command=:shutdown \
    >/dev/null 2>&1 || true
  local i
  for i in $(seq 1 30); do
    kill -0 "$WRAPPER_PID" 2>/dev/null || break
    sleep 1
  done
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID" || true; fi
  kill "$WRAPPER_PID" 2>/dev/null || true
  WRAPPER_PID=
}

# Heap used after a full GC, KiB, of the server (or of the JVM PID: heap_after_gc PID).
heap_after_gc() {
  local pid=${1:-$SERVER_PID}
  jcmd "$pid" GC.run >/dev/null
  jcmd "$pid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9
}

# rss_kib PID: resident set size, KiB.
rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# cluster_pids: the pids of cluster/cluster.sh's three nodes (CLUSTER_DIR), comma-separated.
cluster_pids() {
  local n pids=
  for n in 1 2 3; do pids=$pids${pids:+,}$(cat "$CLUSTER_DIR/node-$n.pid"); done
  echo "$pids"
}

# prom NAME [LABEL]: the value of the first sample of metric NAME whose labels contain LABEL
# (e.g. 'endpoint="ws"'); 0 if none. WildFly adds a WF_DEPLOYMENT label to every sample. awk reads
# to the end: an early exit would fail curl (broken pipe) and, with pipefail, the script.
prom() {
  curl -fsS "$PROM" | awk -v n="$1" -v l="${2:-}" \
    'index($0, n "{") == 1 && index($0, l) > 0 && !found { v = $NF; found = 1 } END { print found ? v : 0 }'
}

# The load client's command line. Start background clients as `"${LOADGEN[@]}" ... &` (a simple
# command, so $! is the JVM itself and stop_clients can end it).
LOADGEN=(java -XX:+UseSerialGC -Xms256m -Xmx1g -cp "$WORK/classes" LoadGen)
loadgen() {
  "${LOADGEN[@]}" "$@"
}

machine_json() {
  local mem jdk
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2/1048576 }' /proc/meminfo)
  jdk=$("$SERVER_JAVA" -version 2>&1 | head -1 | sed 's/"/\\"/g')${BENCH_JAVA_OPTS:+ $BENCH_JAVA_OPTS}
  printf '{"date":"%s","nproc":%s,"memory":"%s","cpu":"%s","jdk":"%s","wildfly":"39.0.1.Final (provisioned by the build)"}' \
    "$(date -u +%FT%TZ)" "$(nproc)" "$mem" \
    "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" "$jdk"
}

# live_instances CLASS: live instances of CLASS after a full GC (GC.class_histogram forces one).
live_instances() {
  jcmd "$SERVER_PID" GC.class_histogram | awk -v c="$1" '$4 == c { n = $2 } END { print n + 0 }'
}

# cpu_ticks PID...: user + system CPU of the processes, in clock ticks (100 Hz), summed.
cpu_ticks() {
  local p t=0
  for p in "$@"; do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}

# publish_handling: "SECONDS,COUNT" of the server's publish handler so far (ws_message_handling).
publish_handling() {
  echo "$(prom ws_message_handling_seconds_sum 'type="publish"'),$(prom ws_message_handling_seconds_count 'type="publish"')"
}

# steal_ticks: CPU ticks (100 Hz) the hypervisor gave to other guests, all cores, since boot.
steal_ticks() {
  awk '$1 == "cpu" { print $9 }' /proc/stat
}

# echo_warmup ARGS...: one unreported echo round (mode=echo ARGS over N connections) before the
# measured ones. The app's first phase after deployment otherwise runs on a cold JIT (1.5-2.7x the
# warm cost), and with 3 rounds that cold round decided the median. ECHO_WARMUP_S (20) long; 0: none.
echo_warmup() {
  [ "${ECHO_WARMUP_S:-20}" -gt 0 ] || return 0
  loadgen mode=echo "$@" port=$HTTP_PORT n=$N rounds=1 warm-s=5 measure-s="${ECHO_WARMUP_S:-20}" \
    server-pid=$SERVER_PID bind=127.0.0.2,127.0.0.3 out="$WORK/echo-warmup.jsonl"
}

# jfr_start NAME / jfr_stop: BENCH_JFR=1 records the server with JFR into bench/work/NAME.jfr (for
# bench/jfr-top.py). BENCH_JFR_DELAY=s starts it that late, to profile a warm server;
# BENCH_JFC=file.jfc picks the settings (bench/fast-sampling.jfc: a CPU sample per thread every ms
# instead of every 10-20 ms).
jfr_start() {
  [ "${BENCH_JFR:-}" = 1 ] || return 0
  (sleep "${BENCH_JFR_DELAY:-0}"
    jcmd "$SERVER_PID" JFR.start name=bench settings="${BENCH_JFC:-profile}" filename="$WORK/$1.jfr" >/dev/null) &
}
jfr_stop() {
  [ "${BENCH_JFR:-}" = 1 ] || return 0
  jcmd "$SERVER_PID" JFR.stop name=bench >/dev/null
}

trap 'stop_node; stop_server' EXIT
