#!/usr/bin/env bash
# Restart time with a full history: RESTART_EVENTS (100,000) events of 100 B published over 100
# channels (1,000 each, the default ws.history.events), then a graceful stop and a start on the
# same data; per round the start with that data and, for comparison, a start on an empty data
# folder, in alternating order. Start: from launching standalone.sh until /health/ready is UP with
# the app deployed. After the start with data, one more publication to channel fill.0 shows whether
# its stream survived: its offset continues the stream (1,001) in the same epoch.
# Writes bench/results/restart.{jsonl,json,md}.
# Usage: bench/run-restart.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
EVENTS=${RESTART_EVENTS:-100000}
OUT=$RESULTS/${RESTART_OUT:-restart}
PROPS=(-Dws.rate.per-second=100000 -Dws.rate.burst=100000)

# shutdown_server: a graceful stop of the running copy; returns once its JVM is gone
shutdown_server() {
  "$WORK/server/bin/jboss-cli.sh" --connect --controller=127.0.0.1:$MGMT_PORT command=:shutdown \
    >/dev/null 2>&1 || true
  local i pid
  pid=$(cat "$WORK/server.pid" 2>/dev/null || echo "$SERVER_PID")
  for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
}

# restart_server: stops the running copy and starts it again on the same folder; START_MS is the
# time from the launch until it is ready (a global: command substitution would run it in a
# subshell and lose the server's pids)
restart_server() {
  shutdown_server
  local i
  rm -f "$WORK/server/standalone/deployments/"*.deployed
  local start=$(date +%s%N)
  JBOSS_PIDFILE=$WORK/server.pid LAUNCH_JBOSS_IN_BACKGROUND=1 \
    JBOSS_JAVA_SIZING="${BENCH_JAVA_SIZING:--Xms1g -Xmx4g}" \
    "$WORK/server/bin/standalone.sh" -Djboss.socket.binding.port-offset="$OFFSET" "${PROPS[@]}" \
    >>"$WORK/server.out" 2>&1 &
  WRAPPER_PID=$!
  for i in $(seq 1 1200); do
    if [ -f "$WORK/server/standalone/deployments/robust-websocket.war.deployed" ] &&
      curl -fsS "http://127.0.0.1:$MGMT_PORT/health/ready" >/dev/null 2>&1; then
      SERVER_PID=$(cat "$WORK/server.pid")
      START_MS=$(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.1
  done
  return 1
}

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/PublishAck.java"
rm -f "$OUT.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  start_server "${PROPS[@]}"
  fill=$(java -cp "$WORK/classes" PublishAck mode=fill port=$HTTP_PORT n="$EVENTS" channels=100 window=200)
  log "filled: $fill"
  data_kib=$(du -sk "$WORK/server/standalone/data/infinispan/ws" | cut -f1)
  order="with-data empty"
  [ $((round % 2)) = 0 ] && order="empty with-data"
  for variant in $order; do
    if [ "$variant" = empty ]; then
      # the same server on an empty data folder: the data moved away, put back afterwards
      shutdown_server
      rm -rf "$WORK/ws-data-aside"
      mv "$WORK/server/standalone/data/infinispan/ws" "$WORK/ws-data-aside"
      restart_server
      ms=$START_MS
      after='{}'
      shutdown_server
      rm -rf "$WORK/server/standalone/data/infinispan/ws"
      mv "$WORK/ws-data-aside" "$WORK/server/standalone/data/infinispan/ws"
      restart_server # running again on the data, for the next variant
      log "empty start ${ms} ms (and back on the data in ${START_MS} ms)"
    else
      restart_server
      ms=$START_MS
      after=$(java -cp "$WORK/classes" PublishAck mode=offset port=$HTTP_PORT channel=fill.0)
      log "with data: start ${ms} ms, next event $after"
    fi
    jq -cn --arg v "$variant" --argjson r "$round" --argjson ms "$ms" --argjson e "$EVENTS" \
      --argjson kib "$data_kib" --argjson after "$after" \
      '{variant: $v, round: $r, start_to_ready_ms: $ms, events_stored: $e, data_kib: $kib,
        next_offset: ($after.offset // null)}' >>"$OUT.jsonl"
  done
  stop_server
done
python3 "$BENCH/report.py" restart "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
