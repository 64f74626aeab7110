#!/usr/bin/env bash
# Publications per second on one hot channel and over 100 channels: three nodes (cluster/cluster.sh,
# publishers spread over the three) against one node (a copy of target/server, all publishers on
# it) and the Node ws reference (bench/node/server.js), in the same run. 100 connections, each
# publishing its next publication as soon as the previous one is acknowledged
# (bench/loadgen/HotChannel.java): all to one channel, then one channel each. After each start
# WARMUP (60) s of the hot channel unreported (cold JVMs take a fifth of what they take warm), then
# 5 s unreported and 15 s counted per variant. Nobody subscribes: this is the append path (one
# channel's appends are ordered cluster-wide by its head's lock; GroupCommit appends what waits for
# one channel on a node together and tells the other nodes once per batch) and the notices.
# Three nodes on a 2-core machine measure the overhead of the replication, not scaling: the three
# JVMs share the two cores the one node has alone.
# Shipped defaults but the rate limit (raised: one connection publishes hundreds per second).
# Writes bench/results/cluster-publish.{jsonl,json,md}.
# Usage: bench/run-cluster-publish.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
OUT=$RESULTS/cluster-publish
LIMITS=(-Dws.rate.per-second=100000 -Dws.rate.burst=100000)
export WS_RATE_PER_SECOND=100000 WS_RATE_BURST=100000 CLUSTER_DIR=$WORK/cluster

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/HotChannel.java"
rm -f "$OUT.jsonl"

# measure LABEL PORTS: warm-up, then the hot channel, then 100 channels
measure() {
  local channels
  java -cp "$WORK/classes" HotChannel ports="$2" conns=100 channels=1 seconds=1 \
    warmup="${WARMUP:-60}" label=warm-up >/dev/null
  for channels in 1 100; do
    java -cp "$WORK/classes" HotChannel ports="$2" conns=100 channels=$channels seconds=15 warmup=5 \
      label="$1" | jq -c --argjson r "$round" '. + {round: $r, variant: "\(.label)/\(.channels)"}' \
      >>"$OUT.jsonl"
    tail -1 "$OUT.jsonl" >&2
  done
}

for round in $(seq 1 "$ROUNDS"); do
  order="three one"
  [ $((round % 2)) = 0 ] && order="one three"
  for variant in $order; do
    if [ "$variant" = one ]; then
      start_server "${LIMITS[@]}"
      measure one "$HTTP_PORT"
      stop_server
    else
      "$ROOT/cluster/cluster.sh" start
      measure three 8180,8280,8380
      "$ROOT/cluster/cluster.sh" stop
    fi
  done
  start_node
  measure node "$NODE_PORT"
  stop_node
done
python3 "$BENCH/report.py" cluster-publish "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
