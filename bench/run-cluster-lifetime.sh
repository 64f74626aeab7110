#!/usr/bin/env bash
# Server CPU per connection lifetime and memory per node: three nodes (cluster/cluster.sh, the
# client loops spread over 8180, 8280, 8380 directly) against one node (a copy of target/server)
# and the Node ws reference (bench/node/server.js), a fresh start of each per round (the order
# three/unclustered/one reverses every other round; Node last). The control "unclustered": the
# same three nodes with bench/cluster-unclustered.cli (each the one-node server's caches, no
# JGroups): what running three JVMs on this machine costs, without any replication (lifetimes
# only, no memory row); three/unclustered is then the cluster's own cost.
# - Memory first, per server: heap after a full GC (jcmd GC.run + GC.heap_info; Node: V8's heapUsed
#   + external) and RSS (/proc/<pid>/status), idle (10 s after the start) and with LIFE_HOLD
#   (2,000) subscribers of one channel held, as in bench/run-cluster-latency.sh (three LoadGen
#   fanout-sub processes, one per node on the cluster, all on the one server otherwise); per node
#   and summed over the nodes, and the growth per held connection.
# - Then lifetimes (bench/loadgen/Lifetimes.java, as in bench/run-auth.sh, without auth): LIFE_CONCURRENCY
#   (40) loops each run one lifetime after the other from 20 client addresses. Kind "event": open
#   /ws, system/connected, subscribe life:<loop>, publish one event there, the event and the
#   publish's ack, close 1000; kind "subscribe": open, subscribe, close. After an unreported
#   warm-up of both kinds (two passes of LIFE_N of each, repeated until LIFE_WARM_S (60) s have
#   passed; Node: the two passes), LIFE_N (30,000) lifetimes of each kind (LIFE_KINDS, default
#   event,subscribe) counted: the servers' CPU ticks (summed over
#   the three nodes) over that fixed count, per lifetime, also by kind of thread
#   (server_cpu_us_per_lifetime_by_thread: io, workers, jgroups, infinispan, jit, gc, other, and
#   ended: threads that ended within the count, as idle JGroups pool threads do; last
#   round's in the .md, every round's in the .jsonl); lifetime p50/p99.
# Target: three nodes <= 1.5x one node's server CPU per lifetime (report.py's ratios per round).
# Shipped defaults but ws.resume.grace-ms=5000 (as bench/run-auth.sh: at ~500 lifetimes/s the
# shipped 120 s takes one node past its 38,000-session cap within the warm-up, after which every
# close also expires the oldest session, a regime three nodes at their pace never reach); the
# one-node server runs with the nodes' heap settings (-Xms64m -Xmx512m, the provisioned
# standalone.conf), so that RSS compares. Three JVMs on two cores measure overhead, not scaling:
# three/one holds both the cluster's own (session records and publications replicated, notices to
# the other nodes) and that of a third JVM per core, which three/unclustered leaves out.
# Writes bench/results/cluster-lifetime.{jsonl,json,md} (with LIFE_KINDS=subscribe:
# cluster-lifetime-subscribe.*).
# Usage: bench/run-cluster-lifetime.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
# 30,000: the warm-up passes are as long, and the count window (~30 s on the cluster) outlasts the
# transients after a start (with 2,000, ~4 s, rounds of one run differed by 2.3x; bench/RESULTS.md)
N=${LIFE_N:-30000}
HOLD=${LIFE_HOLD:-2000}
WARM_S=${LIFE_WARM_S:-60}
CONCURRENCY=${LIFE_CONCURRENCY:-40}
KINDS=${LIFE_KINDS:-event,subscribe}
BINDS=$(seq -s, -f 127.0.0.%g 10 29)
PROCS=3
OUT=$RESULTS/cluster-lifetime${LIFE_KINDS:+-${LIFE_KINDS//,/-}}
export CLUSTER_DIR=$WORK/cluster BENCH_JAVA_SIZING=${BENCH_JAVA_SIZING:--Xms64m -Xmx512m}
export WS_RESUME_GRACE_MS=5000 RESUME_GRACE_MS=5000
trap 'stop_node; stop_server; "$ROOT/cluster/cluster.sh" stop >/dev/null 2>&1 || true' EXIT

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/LoadGen.java"
javac -cp "$WORK/classes" -d "$WORK/classes" "$BENCH/loadgen/Lifetimes.java"
rm -f "$OUT.jsonl"

# footprint KIND PIDS: "heap,rss" KiB of each server, space-separated (KIND: app or node)
footprint() {
  local p
  for p in ${2//,/ }; do echo -n "$(heap_kib "$1" "$p"),$(rss_kib "$p") "; done
}

# memory VARIANT KIND PORT1,PORT2,PORT3 PIDS: idle, then with HOLD subscribers; one row
memory() {
  local variant=$1 kind=$2 pids=$4 p idle held
  local ports=(${3//,/ })
  sleep 10
  idle=$(footprint "$kind" "$pids")
  rm -f "$WORK"/hold.*
  for p in 1 2 3; do
    "${LOADGEN[@]}" mode=fanout-sub port="${ports[$((p - 1))]}" n=$(((HOLD + 3 - p) / 3)) \
      bind=127.0.0.$((p + 1)) channel=hold ready-file="$WORK/hold.ready.$p" stop-file="$WORK/hold.stop" \
      out="$WORK/hold.sub.$p" hold-s=600 >"$WORK/hold.out.$p" 2>"$WORK/hold.err.$p" &
    CLIENT_PIDS+=($!)
  done
  await_ready hold
  log "$variant held: $(cat "$WORK"/hold.ready.* | tr '\n' ' ')"
  sleep 5
  held=$(footprint "$kind" "$pids")
  touch "$WORK/hold.stop"
  for p in "${CLIENT_PIDS[@]}"; do wait "$p" || true; done
  CLIENT_PIDS=()
  python3 - "$variant" "$round" "$HOLD" "$idle" "$held" <<'EOF' | tee -a "$OUT.jsonl" >&2
import json, sys
variant, rnd, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
idle = [[int(x) for x in s.split(",")] for s in sys.argv[4].split()]
held = [[int(x) for x in s.split(",")] for s in sys.argv[5].split()]
k = len(idle)
row = {"variant": variant + "/memory", "round": rnd, "servers": k, "held_connections": hold}
for name, vals in (("idle", idle), ("held", held)):
    row[f"heap_{name}_kib_per_server"] = sum(v[0] for v in vals) / k
    row[f"rss_{name}_kib_per_server"] = sum(v[1] for v in vals) / k
    row[f"heap_{name}_kib_total"] = sum(v[0] for v in vals)
    row[f"rss_{name}_kib_total"] = sum(v[1] for v in vals)
    row[f"heap_{name}_kib_each"] = "/".join(str(v[0]) for v in vals)
    row[f"rss_{name}_kib_each"] = "/".join(str(v[1]) for v in vals)
row["heap_per_conn_kib"] = (row["heap_held_kib_total"] - row["heap_idle_kib_total"]) / hold
row["rss_per_conn_kib"] = (row["rss_held_kib_total"] - row["rss_idle_kib_total"]) / hold
print(json.dumps(row))
EOF
}

# lifetimes VARIANT PORTS PIDS WARM_S: the warm-up, then LIFE_N of each kind; two rows
lifetimes() {
  rm -f "$WORK/life.jsonl"
  java -cp "$WORK/classes" Lifetimes ports="$2" server-pid="$3" rounds=1 lifetimes="$N" \
    warm-lifetimes="$N" warm-s="$4" concurrency="$CONCURRENCY" kinds="$KINDS" bind="$BINDS" \
    out="$WORK/life.jsonl" 2>"$WORK/life.err"
  jq -c --arg v "$1" --argjson round "$round" '. + {variant: "\($v)/\(.phase)", round: $round} | del(.phase)' \
    "$WORK/life.jsonl" | tee -a "$OUT.jsonl" >&2
}

for round in $(seq 1 "$ROUNDS"); do
  order="three unclustered one"
  [ $((round % 2)) = 0 ] && order="one unclustered three"
  for variant in $order; do
    if [ "$variant" = one ]; then
      start_server -Dws.resume.grace-ms=5000
      memory one app "$HTTP_PORT,$HTTP_PORT,$HTTP_PORT" "$SERVER_PID"
      lifetimes one "$HTTP_PORT" "$SERVER_PID" "$WARM_S"
      stop_server
    elif [ "$variant" = unclustered ]; then
      CLUSTER_EXTRA_CLI=$BENCH/cluster-unclustered.cli "$ROOT/cluster/cluster.sh" start
      lifetimes unclustered 8180,8280,8380 "$(cluster_pids)" "$WARM_S"
      "$ROOT/cluster/cluster.sh" stop
    else
      "$ROOT/cluster/cluster.sh" start
      memory three app 8180,8280,8380 "$(cluster_pids)"
      lifetimes three 8180,8280,8380 "$(cluster_pids)" "$WARM_S"
      "$ROOT/cluster/cluster.sh" stop
    fi
  done
  start_node
  memory node node "$NODE_PORT,$NODE_PORT,$NODE_PORT" "$NODE_PID"
  lifetimes node "$NODE_PORT" "$NODE_PID" 0
  stop_node
done
python3 "$BENCH/report.py" cluster-lifetime "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
