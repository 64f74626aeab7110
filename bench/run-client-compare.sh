#!/usr/bin/env bash
# Which load client: the same fixed-rate 64 B echo against the bare endpoint, with LoadGen (raw
# NIO) and with JdkEcho (java.net.http.WebSocket), one after the other in one server run; client
# and server CPU per message. Writes bench/results/client-compare.jsonl.
# Usage: bench/run-client-compare.sh [measure seconds=15]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
MEASURE=${1:-15}
build_all
javac -d "$WORK/classes" "$BENCH/loadgen/JdkEcho.java"
start_server -Dws.max-connections-per-address=20000
OUT=$RESULTS/client-compare.jsonl
rm -f "$OUT" "$WORK/cc-loadgen.jsonl"
loadgen mode=echo port=$HTTP_PORT n=1000 rate=5000 rounds=1 warm-s=5 measure-s=$MEASURE \
  server-pid=$SERVER_PID out="$WORK/cc-loadgen.jsonl"
jq -c 'select(.endpoint == "bare") | {client: "LoadGen (NIO)", connections, rate, sent, received,
  client_cpu_us_per_msg, server_cpu_us_per_msg, p50_ms, p99_ms}' "$WORK/cc-loadgen.jsonl" >>"$OUT"
cpu0=$(awk '{ print $14 + $15 }' /proc/$SERVER_PID/stat)
java -Xmx1g -cp "$WORK/classes" JdkEcho "ws://127.0.0.1:$HTTP_PORT/baseline/echo" 1000 5000 "$MEASURE" \
  "$WORK/cc-jdk.jsonl.tmp"
cpu1=$(awk '{ print $14 + $15 }' /proc/$SERVER_PID/stat)
# server CPU over JdkEcho's whole run (warm-up included): an upper bound
jq -c --argjson srv "$(echo "($cpu1 - $cpu0) * 10000 / (5000 * ($MEASURE + 5))" | bc -l)" \
  '. + {server_cpu_us_per_msg_incl_warmup: $srv}' "$WORK/cc-jdk.jsonl.tmp" >>"$OUT"
rm -f "$WORK/cc-jdk.jsonl.tmp"
stop_server
cat "$OUT"
