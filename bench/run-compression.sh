#!/usr/bin/env bash
# Compression (ws.compression, permessage-deflate): per server setting, a fresh WildFly started with
# it and bench/node/compression.js against /ws: heap and RSS per idle connection and after one 4 KiB
# echo each, server CPU per echo and bytes on the wire per echo for 64 B and 4 KiB JSON (median of 3
# rounds per setting). Settings in order: off (the default), level 6 (the default level when on), 1, 0
# (negotiated, stored blocks); the whole sequence COMPRESSION_ROUNDS (2) times, so each setting has
# rows from early and late in the run. Writes bench/results/compression.{jsonl,json,md}.
# Usage: bench/run-compression.sh [idle connections=2000] [echo connections=50] [messages=40000]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
IDLE=${1:-2000}
CONNS=${2:-50}
MESSAGES=${3:-40000}
OUT=$RESULTS/${COMPRESSION_OUT:-compression}

build_all
rm -f "$OUT.jsonl"
for round in $(seq 1 "${COMPRESSION_ROUNDS:-2}"); do
  for setting in ${COMPRESSION_SETTINGS:-off 6 1 0}; do
    limits=(-Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000)
    if [ "$setting" = off ]; then
      start_server "${limits[@]}"
    else
      start_server "${limits[@]}" -Dws.compression=true -Dws.compression.level="$setting"
    fi
    # a warm-up run of the echo phases (unreported): the first phases on a fresh server run on a cold JIT
    node "$BENCH/node/compression.js" "ws://127.0.0.1:$HTTP_PORT/ws" "$SERVER_PID" 100 "$CONNS" "$MESSAGES" 1 >/dev/null
    node "$BENCH/node/compression.js" "ws://127.0.0.1:$HTTP_PORT/ws" "$SERVER_PID" "$IDLE" "$CONNS" "$MESSAGES" 3 |
      jq -c --arg s "$setting" --argjson r "$round" '. + {setting: $s, round: $r}' | tee -a "$OUT.jsonl"
    stop_server
  done
done
python3 "$BENCH/report.py" compression "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
