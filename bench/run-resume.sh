#!/usr/bin/env bash
# Scenario (e), resume storm: RESUME_CLIENTS (5,000) clients subscribed to channel "storm" while a
# publisher publishes RESUME_RATE (20) events/s; per round, after 5 s, every client connection is
# reset at once (SO_LINGER 0: the server sees a TCP reset, no close frame) and all reconnect at
# once and send resume (sessionId, resumeToken, lastSeq). Time from the drop until every client
# got its answer, resumed / resume_failed, seq gaps and duplicates across the drop, clients whose
# lastSeq differs from the publications once the publisher paused (waiting up to 30 s for the
# deliveries to drain), and the stages of the way back (p50/p99 of drop to 101, drop to resume sent,
# resume sent to its answer). Writes bench/results/resume.{jsonl,json,md} (RESUME_OUT: another name).
# RESUME_ARGS='timeout-s=15 drain-s=0' passes more options to the load generator (later ones win).
# Each round runs against the app, then against the Node ws reference server (bench/node) started
# beside WildFly (RESUME_NODE=0: the app only); rows carry "server": app or node.
# Usage: bench/run-resume.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
N=${RESUME_CLIENTS:-5000}
OUT=$RESULTS/${RESUME_OUT:-resume}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
[ "${RESUME_NODE:-1}" = 1 ] && start_node
rm -f "$OUT.jsonl"
jfr_start resume
# storm SERVER PORT PID [more options]: one round, rows tagged with the server
storm() {
  local server=$1 port=$2 pid=$3
  shift 3
  rm -f "$WORK/resume.round.jsonl"
  loadgen mode=resume port=$port n=$N rate=${RESUME_RATE:-20} rounds=1 warm-s=5 after-s=5 \
    reconnect-rate=${RESUME_RECONNECT_RATE:-0} server-pid=$pid bind=127.0.0.2,127.0.0.3 \
    out="$WORK/resume.round.jsonl" "$@" ${RESUME_ARGS:-}
  jq -c --arg s "$server" --argjson r "$round" '. + {server: $s, round: $r}' "$WORK/resume.round.jsonl" >>"$OUT.jsonl"
}
for round in $(seq 1 "$ROUNDS"); do
  storm app $HTTP_PORT $SERVER_PID prometheus=$PROM
  [ "${RESUME_NODE:-1}" = 1 ] && storm node $NODE_PORT $NODE_PID
done
jfr_stop
stop_node
stop_server
python3 "$BENCH/report.py" resume "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
