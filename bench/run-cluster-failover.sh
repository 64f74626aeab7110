#!/usr/bin/env bash
# Failover: FAILOVER_CLIENTS (1,000) clients connected directly to node 3 of cluster/cluster.sh
# (8380, from 127.0.0.2 and .3) subscribe to one channel (a new one per round), ack every 50
# events and keep the channel's offset and epoch of their last event; a publisher on node 1 (8180)
# publishes FAILOVER_RATE (20) publications/s. After FAILOVER_WARM_S (10) s the load client itself
# runs `cluster/cluster.sh kill-node 3` (SIGKILL; its start is the kill's time); every client whose
# connection ends reconnects through HAProxy (127.0.0.1:8000) after the browser library's backoff
# (protocol section 13: the first delay 0.5-1 s, then x1.5 with jitter) and sends `resume` with
# sessionId, resumeToken, lastSeq and positions (bench/loadgen LoadGen mode failover). Per round:
# time from the kill until all had `resumed` (p50/p99/max per client; per client also the kill
# until the resume that worked was sent, and that resume until its answer), resume_failed by
# reason, events lost (channel offsets skipped) and duplicated per client, whether every client
# reached the last acknowledged publication once the publisher paused, the publisher's errors by
# code and its longest wait for an answer across the kill, and the resumes each surviving node
# counted (ws_resumes_total). Node 3 is started again between rounds (`cluster/cluster.sh
# start-node 3`); one unreported round first, so that no round runs on cold JVMs.
# There is no one-node equivalent: with one node killed there is nothing to resume on (the
# one-node figure closest to it is the resume storm, bench/run-resume.sh).
# Shipped defaults but the per-address cap (raised: through HAProxy every client has its address,
# 127.0.0.1, unless ws.trusted-proxies lists it). Three JVMs on two cores: the two survivors take
# the 1,000 resumes on the same two cores as the load client and the publisher, not on hosts of
# their own.
# Writes bench/results/cluster-failover.{jsonl,json,md} (FAILOVER_OUT=explore/x: another name).
# Usage: bench/run-cluster-failover.sh [rounds=3]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
N=${FAILOVER_CLIENTS:-1000}
RATE=${FAILOVER_RATE:-20}
WARM=${FAILOVER_WARM_S:-10}
OUT=$RESULTS/${FAILOVER_OUT:-cluster-failover}
export CLUSTER_DIR=$WORK/cluster WS_MAX_CONNECTIONS_PER_ADDRESS=20000
trap 'stop_node; stop_server; "$ROOT/cluster/cluster.sh" stop >/dev/null 2>&1 || true' EXIT

build_all
javac -d "$WORK/classes" "$BENCH/loadgen/LoadGen.java"
rm -f "$OUT.jsonl"

# resumes_ok: "node-1,node-2" successful resumes so far on the two surviving nodes
resumes_ok() {
  echo "$(PROM=http://127.0.0.1:10090/prometheus prom ws_resumes_total 'result="ok"'),$(PROM=http://127.0.0.1:10190/prometheus prom ws_resumes_total 'result="ok"')"
}

"$ROOT/cluster/cluster.sh" start
for round in $(seq 0 "$ROUNDS"); do
  r0=$(resumes_ok)
  loadgen mode=failover port=8380 resume-port=8000 pub-port=8180 n="$N" rate="$RATE" warm-s="$WARM" \
    channel="failover-$round-$$" bind=127.0.0.2,127.0.0.3 kill-cmd="$ROOT/cluster/cluster.sh kill-node 3" \
    >"$WORK/failover.out" 2>"$WORK/failover.err"
  r1=$(resumes_ok)
  if [ "$round" -gt 0 ]; then
    jq -c --argjson round "$round" --argjson r0 "[$r0]" --argjson r1 "[$r1]" \
      '{variant: "three", round: $round} + . +
       {server_resumes_ok_node1: ($r1[0] - $r0[0]), server_resumes_ok_node2: ($r1[1] - $r0[1])}' \
      "$WORK/failover.out" | tee -a "$OUT.jsonl" >&2
  else
    log "warm-up round: $(cat "$WORK/failover.out")"
  fi
  [ "$round" = "$ROUNDS" ] || "$ROOT/cluster/cluster.sh" start-node 3
done
"$ROOT/cluster/cluster.sh" stop
python3 "$BENCH/report.py" cluster-failover "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
