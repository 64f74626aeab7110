#!/usr/bin/env bash
# Restarts under load: cluster/cluster.sh with bench/node/restart-load.js running (about 450
# publications/s and 90 subscribers over the three nodes). Each round stops the JGroups
# coordinator (the oldest node) gracefully right after the previous round's node became ready
# again, checks that both other nodes count 2 members (ws_cluster_members) within 15 s, and starts
# it again. A round that fails leaves every running node's thread dump and the nodes' logs in
# bench/work/restarts/round-N/ and ends the run. Not a benchmark: it looks for a cluster that does
# not recover (bench/RESULTS.md, "Cluster: a node joining under publishing").
# Usage: bench/run-cluster-restarts.sh [rounds=30]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-30}
OUT=$WORK/restarts
export CLUSTER_DIR=$WORK/cluster
C=$ROOT/cluster/cluster.sh
LOAD_PID=
trap '[ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null; "$C" stop >/dev/null 2>&1 || true' EXIT

members() {
  curl -fs --max-time 2 "http://127.0.0.1:$((9990 + $1 * 100))/prometheus" |
    awk '/^ws_cluster_members/ {print int($2)}'
}

await_members() { # node count seconds
  local end=$((SECONDS + $3))
  while [ $SECONDS -lt $end ]; do
    [ "$(members "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  return 1
}

build_all
rm -rf "$OUT" && mkdir -p "$OUT"
"$C" start 2>"$OUT/cluster.log"
(cd "$BENCH/node" && exec node restart-load.js) >"$OUT/load.log" 2>&1 &
LOAD_PID=$!
order=(1 2 3) # oldest first: the first is the coordinator
for round in $(seq 1 "$ROUNDS"); do
  coord=${order[0]}
  start=$SECONDS
  "$C" stop-node "$coord" 2>>"$OUT/cluster.log"
  stuck=
  for n in "${order[1]}" "${order[2]}"; do
    await_members "$n" 2 15 || stuck="$stuck node-$n counts $(members "$n") members;"
  done
  if [ -z "$stuck" ] && ! "$C" start-node "$coord" 2>>"$OUT/cluster.log"; then
    stuck="node-$coord did not become ready;"
  fi
  if [ -n "$stuck" ]; then
    mkdir -p "$OUT/round-$round"
    for n in 1 2 3; do
      pid=$(cat "$CLUSTER_DIR/node-$n.pid" 2>/dev/null) &&
        jcmd "$pid" Thread.print >"$OUT/round-$round/node-$n.threads" 2>&1
      cp "$CLUSTER_DIR/node-$n/log/server.log" "$OUT/round-$round/node-$n.log" 2>/dev/null
    done
    log "round $round: node-$coord stopped; $stuck see $OUT/round-$round"
    exit 1
  fi
  order=("${order[1]}" "${order[2]}" "$coord")
  log "round $round: node-$coord stopped and ready again in $((SECONDS - start)) s"
done
log "$ROUNDS rounds, each node counted 2 members after every stop"
