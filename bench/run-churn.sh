#!/usr/bin/env bash
# Scenario (f), churn: CHURN_RATE (200) connects + disconnects per second on /ws for duration-s
# (60) seconds per round; each connection waits for system/connected, then 6 in 10 close at once
# with a close frame, 2 in 10 subscribe first, 1 in 10 echo first, 1 in 10 reset the TCP
# connection (no close frame). The server runs with ws.resume.grace-ms=5000 and a 5 s heartbeat,
# so closed sessions expire soon. Per round: the registry (ws_connections_active) and the live
# ClientSession instances (heap histogram; there is no session gauge) right after the churn and
# after 25 s (past the grace, the expiring tick and the tombstones' second grace), heap after GC
# before and after; after the last round 60 s more, and the same again (added to its row).
# Writes bench/results/churn.{jsonl,json,md}.
# Usage: bench/run-churn.sh [rounds=3] [duration seconds=60]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
DURATION=${2:-60}
RATE=${CHURN_RATE:-200}
SESSION_CLASS=org.robustws.session.ClientSession

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000 \
  -Dws.resume.grace-ms=5000 -Dws.heartbeat.interval-ms=5000
rm -f "$RESULTS/churn.jsonl"
heap_start=$(heap_after_gc)
for round in $(seq 1 "$ROUNDS"); do
  heap0=$(heap_after_gc)
  sessions0=$(live_instances $SESSION_CLASS)
  opened0=$(prom ws_connections_opened_total 'endpoint="ws"')
  s0=$(cpu_ticks "$SERVER_PID")
  loadgen mode=churn port=$HTTP_PORT rate=$RATE duration-s=$DURATION bind=127.0.0.2,127.0.0.3 \
    >"$WORK/churn.out" 2>"$WORK/churn.err"
  s1=$(cpu_ticks "$SERVER_PID")
  active_now=$(prom ws_connections_active 'endpoint="ws"')
  opened1=$(prom ws_connections_opened_total 'endpoint="ws"')
  sessions_now=$(live_instances $SESSION_CLASS)
  sleep 25
  active_later=$(prom ws_connections_active 'endpoint="ws"')
  sessions_later=$(live_instances $SESSION_CLASS)
  heap1=$(heap_after_gc)
  curl -fsS "$PROM" | grep '^ws_connections_closed_total' >"$WORK/churn-closed-$round.txt" || true
  jq -c --argjson round "$round" --argjson heap0 "$heap0" --argjson heap1 "$heap1" --argjson hs "$heap_start" \
    --argjson s0 "$sessions0" --argjson sn "$sessions_now" --argjson sl "$sessions_later" \
    --argjson an "${active_now:-0}" --argjson al "${active_later:-0}" \
    --argjson o "$(echo "${opened1:-0} - ${opened0:-0}" | bc)" --argjson cpu "$((s1 - s0))" \
    '{round: $round, rate: .rate, connects: .opened, connected_frames, server_opened: $o,
      normal_closes_sent, resets_sent, timed_out, left_in_flight, max_in_flight, handshake_statuses,
      server_close_codes, churn_seconds: .seconds,
      server_cpu_cores: ($cpu / 100 / .seconds), client_cpu_cores: (.client_cpu_s / .seconds),
      registry_active_right_after: $an, registry_active_after_25s: $al,
      sessions_before: $s0, sessions_right_after: $sn, sessions_after_25s: $sl,
      heap_before_kib: $heap0, heap_after_kib: $heap1, heap_growth_kib: ($heap1 - $heap0),
      heap_growth_since_start_kib: ($heap1 - $hs)}' "$WORK/churn.out" | tee -a "$RESULTS/churn.jsonl"
done
# the few sessions still alive 25 s after a round: gone a minute later, or kept for good?
sleep 60
jq -c --argjson s "$(live_instances $SESSION_CLASS)" --argjson a "$(prom ws_connections_active 'endpoint="ws"')" \
  --argjson h "$(heap_after_gc)" --argjson hs "$heap_start" \
  '. + {sessions_85s_after_last_round: $s, registry_active_85s_after_last_round: $a,
        heap_growth_since_start_85s_after_last_round_kib: ($h - $hs)}' <<<"$(tail -1 "$RESULTS/churn.jsonl")" \
  >"$WORK/churn.last" && sed -i '$d' "$RESULTS/churn.jsonl" && cat "$WORK/churn.last" | tee -a "$RESULTS/churn.jsonl"
stop_server
python3 "$BENCH/report.py" churn "$(machine_json)" "$RESULTS/churn.jsonl" "$RESULTS/churn"
cat "$RESULTS/churn.md"
