#!/usr/bin/env bash
# Scenario (b): echo at a fixed rate (default 5,000 msg/s of 64 B over 1,000 connections), the app's
# /ws (protocol "echo") against the bare endpoint /baseline/echo and the Node ws reference server
# (bench/node, beside WildFly), alternating phases in one server
# run. Writes bench/results/echo.{jsonl,json,md} (ECHO_OUT=explore/x: another name).
# Usage: bench/run-echo.sh [rounds] [measure seconds]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
MEASURE=${2:-15}
N=${ECHO_CONNECTIONS:-1000}
RATE=${ECHO_RATE:-5000}
OUT=$RESULTS/${ECHO_OUT:-echo}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
start_node
rm -f "$OUT.jsonl"
jfr_start echo
echo_warmup rate=$RATE node-port=$NODE_PORT node-pid=$NODE_PID
loadgen mode=echo port=$HTTP_PORT n=$N rate=$RATE rounds=$ROUNDS warm-s=5 measure-s=$MEASURE \
  server-pid=$SERVER_PID node-port=$NODE_PORT node-pid=$NODE_PID bind=127.0.0.2,127.0.0.3 out="$OUT.jsonl"
jfr_stop
stop_node
stop_server
python3 "$BENCH/report.py" echo "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
