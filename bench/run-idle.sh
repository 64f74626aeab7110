#!/usr/bin/env bash
# Scenario (a): idle connections with the heartbeat on (default interval 25 s, ticks every second,
# so hold 30 s or more for every connection to be pinged; resume grace 5 s, so the sessions of one
# phase's closed connections are gone before the next phase measures its heap). Per round: N connections to the app's /ws, then N to the bare /baseline/echo,
# split over client processes on 127.0.0.2, 127.0.0.3, ... (the bare endpoint on the next ones; each process may open at most 20,000
# files). Heap after GC before and while holding them, the server's CPU while holding them (cores;
# app and bare share one WildFly), heartbeat tick duration from
# ws_heartbeat_tick_seconds_{sum,count,max}. Writes bench/results/idle-N.{jsonl,json,md}.
# The third phase holds N connections on the Node ws reference server (bench/node, beside WildFly):
# its "heap" is V8's heapUsed + external (ws keeps its buffers outside V8's heap) after a full GC.
# IDLE_ORDER='bare app node' measures the bare endpoint first (on the cold server).
# Usage: bench/run-idle.sh [N=5000] [rounds=3] [hold seconds=30]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
N=${1:-5000}
ROUNDS=${2:-3}
HOLD=${3:-30}
PROCS=${IDLE_PROCESSES:-2}
OUT=$RESULTS/${IDLE_OUT:-idle-$N}

build_all
start_server -Dws.max-connections-per-address=20000 -Dws.max-connections=${IDLE_MAX_CONNECTIONS:-19000} \
  -Dws.resume.grace-ms=5000
RESUME_GRACE_MS=5000 start_node
rm -f "$OUT.jsonl"

# held_on ENDPOINT: connections the server holds on that endpoint (0 for the bare one: not counted)
held_on() {
  case $1 in
    node) node_stats connections ;;
    app) prom ws_connections_active 'endpoint="ws"' ;;
    *) echo 0 ;;
  esac
}
jfr_start idle-first-connects # BENCH_JFR=1: the first phase's connects, on the cold server
for round in $(seq 1 "$ROUNDS"); do
  for ep in ${IDLE_ORDER:-app bare node}; do
    path=/ws; [ "$ep" = bare ] && path=/baseline/echo
    port=$HTTP_PORT; pid=$SERVER_PID; [ "$ep" = node ] && port=$NODE_PORT && pid=$NODE_PID
    # each endpoint connects from its own source addresses: the previous phase's client sockets
    # sit in TIME_WAIT for 60 s on theirs and made the next phase's connects take 45-50 s instead of
    # 10 (bench/RESULTS.md, (a))
    first=2; [ "$ep" = bare ] && first=$((2 + PROCS)); [ "$ep" = node ] && first=$((2 + 2 * PROCS))
    heap0=$(heap_kib "$ep")
    tick_n0=$(prom ws_heartbeat_tick_seconds_count); tick_s0=$(prom ws_heartbeat_tick_seconds_sum)
    rm -f "$WORK"/idle.*
    t0=$(date +%s.%N)
    for p in $(seq 1 "$PROCS"); do
      "${LOADGEN[@]}" mode=idle port=$port path=$path n=$((N / PROCS)) bind=127.0.0.$((first + p - 1)) \
        connect-rate=${IDLE_CONNECT_RATE:-1000} hold-s=$((HOLD + 200)) \
        ready-file="$WORK/idle.ready.$p" stop-file="$WORK/idle.stop" >"$WORK/idle.out.$p" 2>"$WORK/idle.err.$p" &
      CLIENT_PIDS+=($!)
    done
    await_ready idle
    connect_s=$(echo "$(date +%s.%N) - $t0" | bc)
    log "$ep: $(cat "$WORK"/idle.ready.* | tr '\n' ' ')"
    [ "$round" = 1 ] && [ -z "${jfr_done:-}" ] && jfr_stop && jfr_done=1
    cpu0=$(cpu_ticks "$pid")
    sleep "$HOLD"
    cpu1=$(cpu_ticks "$pid")
    curl -fsS "$PROM" | grep '^ws_' >"$WORK/prom-$ep.txt" || true
    active=$(held_on "$ep")
    server_files=$(ls /proc/$pid/fd | wc -l)
    tick_n1=$(prom ws_heartbeat_tick_seconds_count); tick_s1=$(prom ws_heartbeat_tick_seconds_sum)
    tick_max=$(prom ws_heartbeat_tick_seconds_max)
    heap1=$(heap_kib "$ep")
    # BENCH_HISTO=1: what the connections are made of (jcmd GC.class_histogram, top 60 classes)
    if [ "${BENCH_HISTO:-}" = 1 ] && [ "$ep" != node ]; then
      jcmd "$SERVER_PID" GC.class_histogram | head -63 >"$RESULTS/histogram-$ep-$N.txt"
    fi
    touch "$WORK/idle.stop"
    for p in "${CLIENT_PIDS[@]}"; do
      for i in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    done
    stop_clients
    held=$(cat "$WORK"/idle.out.* | jq -s 'map(.open_at_end) | add')
    connected=$(cat "$WORK"/idle.out.* | jq -s 'map(.connected) | add')
    closes=$(cat "$WORK"/idle.out.* | jq -s -c 'map(.closed_by_server)')
    jq -n -c --arg ep "$ep" --argjson round "$round" --argjson n "$N" --argjson connected "$connected" \
      --argjson held "$held" --argjson heap0 "$heap0" --argjson heap1 "$heap1" --arg closes "$closes" \
      --argjson connect_s "$connect_s" --argjson active "${active:-0}" --argjson files "$server_files" \
      --argjson tn0 "$tick_n0" --argjson ts0 "$tick_s0" --argjson tn1 "$tick_n1" --argjson ts1 "$tick_s1" \
      --argjson tmax "$tick_max" --argjson cpu "$(echo "scale=4; ($cpu1 - $cpu0) / 100 / $HOLD" | bc)" \
      '{endpoint: $ep, round: $round, requested: $n, connected: $connected, held_at_end: $held,
        app_registry_active: $active, server_open_files: $files, connect_seconds: $connect_s,
        heap_before_kib: $heap0, heap_with_kib: $heap1,
        heap_per_conn_kib: (if $held > 0 then ($heap1 - $heap0) / $held else 0 end),
        heartbeat_ticks: ($tn1 - $tn0),
        tick_mean_ms: (if $tn1 > $tn0 then ($ts1 - $ts0) / ($tn1 - $tn0) * 1000 else 0 end),
        tick_max_ms: ($tmax * 1000), server_cpu_cores_holding: $cpu, closed_by_server: $closes}' | tee -a "$OUT.jsonl"
    # let the server finish closing before the next phase measures its heap
    for i in $(seq 1 30); do
      [ "$(held_on "$ep" | awk '{ print ($1 + 0 == 0) }')" = 1 ] && break
      sleep 1
    done
    # closed connections' resume sessions expire after ws.resume.grace-ms (5 s here) at a tick
    sleep 12
  done
done
stop_node
stop_server
python3 "$BENCH/report.py" idle "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
