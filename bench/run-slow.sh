#!/usr/bin/env bash
# Scenario (c), issue 4's slow-consumer criterion: one publisher floods channel "flood" (default
# 500 publications/s of 1 KiB), K=20 subscribers measure publish-to-delivery latency. Phases
# alternate in one server run: without / with one more subscriber that stops reading (SO_RCVBUF
# 4 KiB, never read), which should be closed with 4008 while the others stay within 2x.
# Heap after GC at the end of each phase (the slow one still unread). Writes
# bench/results/slow.{jsonl,json,md}.
# Usage: bench/run-slow.sh [rounds=3] [measure seconds=20]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
MEASURE=${2:-20}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
rm -f "$RESULTS/slow.jsonl"
loadgen mode=slow port=$HTTP_PORT k=${SLOW_SUBSCRIBERS:-20} rate=${SLOW_RATE:-500} size=${SLOW_SIZE:-1024} \
  rounds=$ROUNDS warm-s=3 measure-s=$MEASURE server-pid=$SERVER_PID prometheus=$PROM \
  out="$RESULTS/slow.jsonl"
stop_server
python3 "$BENCH/report.py" slow "$(machine_json)" "$RESULTS/slow.jsonl" "$RESULTS/slow"
cat "$RESULTS/slow.md"
