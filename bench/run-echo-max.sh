#!/usr/bin/env bash
# Scenario (b'): echo as fast as the server goes: 1,000 connections (ECHO_CONNECTIONS), 64 B text,
# closed loop with ECHO_WINDOW (default 2) messages outstanding per connection (the next one is sent
# as soon as a reply arrives); the app's /ws (protocol "echo"), the bare /baseline/echo and the Node
# ws reference server (bench/node) take
# turns in one server run (order alternating per round), exactly as run-echo.sh. Throughput,
# round trip p50/p99 (from the actual send), server and client CPU µs per message.
# Writes bench/results/echo-max.{jsonl,json,md} (ECHO_OUT=explore/x: another name).
# Usage: bench/run-echo-max.sh [rounds=3] [measure seconds=15]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
MEASURE=${2:-15}
N=${ECHO_CONNECTIONS:-1000}
WINDOW=${ECHO_WINDOW:-2}
OUT=$RESULTS/${ECHO_OUT:-echo-max}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
start_node
rm -f "$OUT.jsonl"
jfr_start echo-max
echo_warmup window=$WINDOW node-port=$NODE_PORT node-pid=$NODE_PID
loadgen mode=echo window=$WINDOW port=$HTTP_PORT n=$N rounds=$ROUNDS warm-s=5 measure-s=$MEASURE \
  server-pid=$SERVER_PID node-port=$NODE_PORT node-pid=$NODE_PID bind=127.0.0.2,127.0.0.3 out="$OUT.jsonl"
jfr_stop
stop_node
stop_server
python3 "$BENCH/report.py" echo-max "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
