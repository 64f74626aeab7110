#!/usr/bin/env bash
# Publish-to-ack latency with the channel streams' file store on (as shipped) and off (memory only),
# one server start per variant and round, variants alternating: one client publishes PUBACK_N
# (2,000) publications of 100 B to one channel, one at a time, and times each until its ack (the
# event appended in one Infinispan transaction and queued for this server's subscribers; nobody is
# subscribed here). Writes bench/results/publish-ack.{jsonl,json,md}.
# Usage: bench/run-publish-ack.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
N=${PUBACK_N:-2000}
OUT=$RESULTS/${PUBACK_OUT:-publish-ack}
NO_STORE='/subsystem=infinispan/cache-container=ws/local-cache=streams/store=file:remove;/subsystem=infinispan/cache-container=ws/local-cache=sessions/store=file:remove'

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/PublishAck.java"
rm -f "$OUT.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  order="file-store memory"
  [ $((round % 2)) = 0 ] && order="memory file-store"
  for variant in $order; do
    if [ "$variant" = memory ]; then BENCH_CLI=$NO_STORE; else BENCH_CLI=; fi
    BENCH_CLI=$BENCH_CLI start_server -Dws.rate.per-second=100000 -Dws.rate.burst=100000
    # a first, unreported run warms the JIT up
    java -cp "$WORK/classes" PublishAck mode=latency port=$HTTP_PORT n=1000 channel=warm >/dev/null
    java -cp "$WORK/classes" PublishAck mode=latency port=$HTTP_PORT n="$N" variant="$variant" |
      jq -c --argjson r "$round" '. + {round: $r}' >>"$OUT.jsonl"
    tail -1 "$OUT.jsonl" >&2
    stop_server
  done
done
python3 "$BENCH/report.py" publish-ack "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
