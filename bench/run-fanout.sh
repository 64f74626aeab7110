#!/usr/bin/env bash
# Scenario (d), fan-out: FANOUT_SUBSCRIBERS (10,000) subscribers of channel "fan", split over
# FANOUT_PROCESSES (2) client processes on 127.0.0.2, 127.0.0.3, ...; per round a publisher
# publishes FANOUT_RATE (10) publications/s for 2 s of warm-up and measure-s seconds, each
# stamped with System.nanoTime() (one clock for all processes on this machine). Subscribers ack
# every FANOUT_ACK_EVERY (50) events (staggered; 1000000000: never). Per publication: the time from
# the publisher's send until the LAST subscriber received it (merged over the processes); per
# delivery: publish-to-delivery. Heap after GC before the subscribers, with them, and after all
# rounds (heap_after_publications_kib: what the publications still hold).
# Then the same against the Node ws reference server (bench/node) started beside WildFly
# (FANOUT_NODE=0: the app only); rows carry "server": app or node.
# Writes bench/results/fanout.{jsonl,json,md} (FANOUT_OUT=fanout-1000: another name).
# Usage: bench/run-fanout.sh [rounds=3] [measure seconds=20]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
MEASURE=${2:-20}
N=${FANOUT_SUBSCRIBERS:-10000}
PROCS=${FANOUT_PROCESSES:-2}
RATE=${FANOUT_RATE:-10}
ACK_EVERY=${FANOUT_ACK_EVERY:-50}
OUT=$RESULTS/${FANOUT_OUT:-fanout}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000
[ "${FANOUT_NODE:-1}" = 1 ] && start_node
rm -f "$OUT.jsonl" "$WORK"/fanout.*

# phase SERVER PORT PID: the subscribers connect to that server, ROUNDS publisher rounds, the
# subscribers leave; appends its rows (tagged "server") to $OUT.jsonl
phase() {
  local server=$1 port=$2 pid=$3 heap0 heap1 heap2 active=0 p i round c0 c1 h0 h1 st0 st1
  rm -f "$WORK"/fanout.*
  heap0=$(heap_kib "$server")
  SUB_PIDS=()
  for p in $(seq 1 "$PROCS"); do
    "${LOADGEN[@]}" mode=fanout-sub port=$port n=$((N / PROCS)) bind=127.0.0.$((p + 1)) channel=fan \
      ack-every="$ACK_EVERY" \
      ready-file="$WORK/fanout.ready.$p" stop-file="$WORK/fanout.stop" out="$WORK/fanout.sub.$p" \
      hold-s=$((ROUNDS * (MEASURE + 150) + 300)) >"$WORK/fanout.out.$p" 2>"$WORK/fanout.err.$p" &
    CLIENT_PIDS+=($!)
    SUB_PIDS+=($!)
  done
  await_ready fanout
  log "$server subscribers: $(cat "$WORK"/fanout.ready.* | tr '\n' ' ')"
  heap1=$(heap_kib "$server")
  [ "$server" = app ] && active=$(prom ws_connections_active 'endpoint="ws"')
  [ "$server" = app ] && jfr_start fanout
  for round in $(seq 1 "$ROUNDS"); do
    c0=$(cpu_ticks "${SUB_PIDS[@]}")
    h0=$(publish_handling); st0=$(steal_ticks)
    loadgen mode=fanout-pub port=$port rate=$RATE round=$round warm-s=2 measure-s=$MEASURE channel=fan \
      server-pid=$pid bind=127.0.0.9 >>"$WORK/fanout.pub.jsonl"
    c1=$(cpu_ticks "${SUB_PIDS[@]}")
    h1=$(publish_handling); st1=$(steal_ticks)
    # the server's time inside the publish handler (the fan-out loop, writes included) per
    # publication (the app only), and the CPU time the hypervisor gave to other guests (steal)
    jq -c --argjson t "$((c1 - c0))" --argjson h0 "[$h0]" --argjson h1 "[$h1]" \
      --argjson steal "$((st1 - st0))" --arg server "$server" \
      '. + {subscriber_cpu_s: ($t / 100), steal_cpu_s: ($steal / 100),
            publish_handler_ms: (if $server == "app" and $h1[1] > $h0[1] then ($h1[0] - $h0[0]) / ($h1[1] - $h0[1]) * 1000 else -1 end)}' \
      <<<"$(tail -1 "$WORK/fanout.pub.jsonl")" >>"$WORK/fanout.pubcpu.jsonl"
    tail -1 "$WORK/fanout.pub.jsonl" >&2
    sleep 2
  done
  [ "$server" = app ] && jfr_stop
  heap2=$(heap_kib "$server")
  touch "$WORK/fanout.stop"
  for p in "${SUB_PIDS[@]}"; do
    for i in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
  done
  python3 "$BENCH/report.py" fanout-merge "$WORK/fanout.pubcpu.jsonl" "$WORK/fanout.merged.jsonl" \
    "{\"server\":\"$server\",\"heap_before_kib\":$heap0,\"heap_with_subscribers_kib\":$heap1,\"heap_after_publications_kib\":$heap2,\"ack_every\":$ACK_EVERY,\"registry_active\":${active:-0}}" \
    "$WORK"/fanout.sub.*
  cat "$WORK/fanout.merged.jsonl" >>"$OUT.jsonl"
}

phase app $HTTP_PORT $SERVER_PID
[ "${FANOUT_NODE:-1}" = 1 ] && phase node $NODE_PORT $NODE_PID
stop_node
stop_server
python3 "$BENCH/report.py" fanout "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
