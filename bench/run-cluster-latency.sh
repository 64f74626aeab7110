#!/usr/bin/env bash
# Publish-to-delivery latency across nodes: LAT_SUBSCRIBERS (2,000) subscribers of one channel in
# three client processes (bench/loadgen LoadGen mode fanout-sub, 127.0.0.2-4, acking every 50
# events, staggered), one process per node of cluster/cluster.sh (8180, 8280, 8380, directly, no
# HAProxy), and a publisher on node 1 (mode fanout-pub, 127.0.0.9) publishing LAT_RATE (10)
# publications/s, each stamped with System.nanoTime() (one clock for all processes); per delivery
# the time from the publisher's send until the subscriber read it, split by whether the
# subscriber is on the publisher's node (same) or on another node (other; report.py fanout-merge
# over each group's processes). Then the same on one node (a copy of target/server, all three
# processes and the publisher on it). Every start is warmed up: LAT_WARM_S (60) s of the same load
# unreported (the JIT needs about a minute of load before figures settle), then LAT_MEASURE_S (20)
# s counted; the order three/one reverses every other round, each variant a fresh start per round.
# Target: other-node p99 <= one-node p99 + 20 ms (report.py's difference per round).
# Shipped defaults (nothing to raise: 667-2,000 connections per client address, 10 publications
# per second); the one-node server runs with the cluster nodes' heap settings (-Xms64m -Xmx512m,
# the provisioned standalone.conf). Three JVMs on two cores measure the cost of the cluster's path
# (the notice to the other nodes, their fan-out), not scaling.
# Writes bench/results/cluster-latency.{jsonl,json,md}.
# Usage: bench/run-cluster-latency.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
N=${LAT_SUBSCRIBERS:-2000}
RATE=${LAT_RATE:-10}
WARM=${LAT_WARM_S:-60}
MEASURE=${LAT_MEASURE_S:-20}
PROCS=3
OUT=$RESULTS/cluster-latency
export CLUSTER_DIR=$WORK/cluster BENCH_JAVA_SIZING=${BENCH_JAVA_SIZING:--Xms64m -Xmx512m}
trap 'stop_node; stop_server; "$ROOT/cluster/cluster.sh" stop >/dev/null 2>&1 || true' EXIT

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/LoadGen.java"
rm -f "$OUT.jsonl"

# measure VARIANT PORT1,PORT2,PORT3 PIDS: subscribers (process p on the p-th port), warm-up and
# measured publications from the first port, one row appended to $OUT.jsonl
measure() {
  local variant=$1 pids=$3 p port c0 c1 s0 s1 st0 st1 pub_pid group files
  local ports=(${2//,/ })
  rm -f "$WORK"/lat.*
  SUB_PIDS=()
  for p in 1 2 3; do
    port=${ports[$((p - 1))]}
    "${LOADGEN[@]}" mode=fanout-sub port="$port" n=$(((N + 3 - p) / 3)) bind=127.0.0.$((p + 1)) channel=lat \
      ready-file="$WORK/lat.ready.$p" stop-file="$WORK/lat.stop" out="$WORK/lat.sub.$p" \
      hold-s=$((WARM + MEASURE + 300)) >"$WORK/lat.out.$p" 2>"$WORK/lat.err.$p" &
    CLIENT_PIDS+=($!)
    SUB_PIDS+=($!)
  done
  await_ready lat
  log "$variant subscribers: $(cat "$WORK"/lat.ready.* | tr '\n' ' ')"
  "${LOADGEN[@]}" mode=fanout-pub port="${ports[0]}" rate="$RATE" round="$round" warm-s="$WARM" \
    measure-s="$MEASURE" channel=lat server-pid="${pids%%,*}" bind=127.0.0.9 >"$WORK/lat.pub.jsonl" &
  pub_pid=$!
  sleep "$WARM"
  c0=$(cpu_ticks ${pids//,/ })
  s0=$(cpu_ticks "${SUB_PIDS[@]}")
  st0=$(steal_ticks)
  wait "$pub_pid"
  c1=$(cpu_ticks ${pids//,/ })
  s1=$(cpu_ticks "${SUB_PIDS[@]}")
  st1=$(steal_ticks)
  jq -c --argjson t "$((s1 - s0))" --argjson st "$((st1 - st0))" '. + {subscriber_cpu_s: ($t / 100), steal_cpu_s: ($st / 100)}' "$WORK/lat.pub.jsonl" >"$WORK/lat.pubcpu.jsonl"
  tail -1 "$WORK/lat.pubcpu.jsonl" >&2
  touch "$WORK/lat.stop"
  for p in "${SUB_PIDS[@]}"; do wait "$p" || true; done
  CLIENT_PIDS=()
  # the deliveries of each group: all, same node as the publisher (process 1), other nodes (2, 3)
  for group in all same other; do
    case $group in
      all) files="$WORK/lat.sub.1 $WORK/lat.sub.2 $WORK/lat.sub.3" ;;
      same) files="$WORK/lat.sub.1" ;;
      other) files="$WORK/lat.sub.2 $WORK/lat.sub.3" ;;
    esac
    [ "$variant" = one ] && [ "$group" != all ] && continue
    python3 "$BENCH/report.py" fanout-merge "$WORK/lat.pubcpu.jsonl" "$WORK/lat.$group.jsonl" '{}' $files
  done
  [ "$variant" = one ] && cp "$WORK/lat.all.jsonl" "$WORK/lat.same.jsonl"
  jq -c -s --arg v "$variant" --argjson cpu "$((c1 - c0))" --argjson m "$MEASURE" --argjson rate "$RATE" \
    '.[0] as $all | .[1] as $same | (.[2] // {}) as $other |
     {variant: $v, round: $all.round, subscribers: $all.subscribers, publish_rate: $rate,
      published: $all.published, publications_complete: $all.publications_complete,
      same_node_subscribers: $same.subscribers,
      same_node_p50_ms: $same.delivery_p50_ms, same_node_p99_ms: $same.delivery_p99_ms,
      same_node_p999_ms: $same.delivery_p999_ms,
      other_node_subscribers: ($other.subscribers // 0),
      other_node_p50_ms: ($other.delivery_p50_ms // -1), other_node_p99_ms: ($other.delivery_p99_ms // -1),
      other_node_p999_ms: ($other.delivery_p999_ms // -1),
      all_p50_ms: $all.delivery_p50_ms, all_p99_ms: $all.delivery_p99_ms,
      last_delivery_p50_ms: $all.last_delivery_p50_ms, last_delivery_p99_ms: $all.last_delivery_p99_ms,
      publish_ack_delivered_min: $all.publish_ack_delivered_min,
      last_ack_after_end_ms: $all.last_ack_after_end_ms,
      seq_gaps: $all.seq_gaps_whole_run, open_at_end: $all.open_at_end,
      server_cpu_cores: ($cpu / 100 / $m), steal_cpu_s: $all.steal_cpu_s}' \
    "$WORK/lat.all.jsonl" "$WORK/lat.same.jsonl" $([ "$variant" = three ] && echo "$WORK/lat.other.jsonl") \
    | tee -a "$OUT.jsonl" >&2
}

for round in $(seq 1 "$ROUNDS"); do
  order="three one"
  [ $((round % 2)) = 0 ] && order="one three"
  for variant in $order; do
    if [ "$variant" = one ]; then
      start_server
      measure one "$HTTP_PORT,$HTTP_PORT,$HTTP_PORT" "$SERVER_PID"
      stop_server
    else
      "$ROOT/cluster/cluster.sh" start
      measure three 8180,8280,8380 "$(cluster_pids)"
      "$ROOT/cluster/cluster.sh" stop
    fi
  done
done
python3 "$BENCH/report.py" cluster-latency "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
