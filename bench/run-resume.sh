#!/usr/bin/env bash
# Scenario (e), resume storm: RESUME_CLIENTS (5,000) clients subscribed to channel "storm" while a
# publisher publishes RESUME_RATE (20) events/s; per round, after 5 s, every client connection is
# reset at once (SO_LINGER 0: the server sees a TCP reset, no close frame) and all reconnect at
# once and send resume (sessionId, resumeToken, lastSeq). Time from the drop until every client
# got its answer, resumed / resume_failed, seq gaps and duplicates across the drop, clients whose
# lastSeq differs from the publications once the publisher paused (waiting up to 30 s for the
# deliveries to drain). Writes bench/results/resume.{jsonl,json,md} (RESUME_OUT: another name).
# RESUME_ARGS='timeout-s=15 drain-s=0' passes more options to the load generator (later ones win).
# Usage: bench/run-resume.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
N=${RESUME_CLIENTS:-5000}
OUT=$RESULTS/${RESUME_OUT:-resume}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
rm -f "$OUT.jsonl"
jfr_start resume
loadgen mode=resume port=$HTTP_PORT n=$N rate=${RESUME_RATE:-20} rounds=$ROUNDS warm-s=5 after-s=5 \
  reconnect-rate=${RESUME_RECONNECT_RATE:-0} server-pid=$SERVER_PID prometheus=$PROM \
  bind=127.0.0.2,127.0.0.3 out="$OUT.jsonl" ${RESUME_ARGS:-}
jfr_stop
stop_server
python3 "$BENCH/report.py" resume "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
