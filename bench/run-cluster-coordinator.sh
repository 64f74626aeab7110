#!/usr/bin/env bash
# The coordinator's leave: rounds of bench/node/coordinator-leave.js on cluster/cluster.sh. Each
# round: a session subscribes to a new channel on a node that stays, a publisher on each node
# publishes as fast as it is answered, after 1.5 s the JGroups coordinator (the node whose
# /health/ready says "coordinator": true) is stopped with SIGTERM, and 2.5 s later the session
# resumes from its start on the third node; then the stopped node is started again. Per round: the
# resume's answer, publications acknowledged, events replayed, acknowledged ones the replay lacks
# (lost), offsets acknowledged twice, replayed offsets out of order, publications unanswered for
# 10 s, error answers (and, for an offset acknowledged twice, both publications and the one
# replayed). A round is whole when the resume succeeds and all of these are 0.
# COORD_MERGE_POLICY sets both caches' merge policy over cluster/configure-node.cli's NONE:
# PREFERRED_ALWAYS is what this cluster had before (bench/RESULTS.md, "Cluster: the coordinator's
# leave").
# Writes bench/results/cluster-coordinator[-POLICY].{jsonl,json,md}.
# Usage: bench/run-cluster-coordinator.sh [rounds=9]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-9}
POLICY=${COORD_MERGE_POLICY:-}
OUT=$RESULTS/cluster-coordinator${POLICY:+-$POLICY}
export CLUSTER_DIR=$WORK/cluster
if [ -n "$POLICY" ]; then
  for cache in streams sessions; do
    echo "/subsystem=infinispan/cache-container=ws/replicated-cache=$cache/component=partition-handling:write-attribute(name=merge-policy, value=$POLICY)"
  done >"$WORK/merge-policy.cli"
  export CLUSTER_EXTRA_CLI=$WORK/merge-policy.cli
fi
trap '"$ROOT/cluster/cluster.sh" stop >/dev/null 2>&1 || true' EXIT

build_all
rm -f "$OUT.jsonl"

coordinator() {
  local n
  for n in 1 2 3; do
    if curl -fs "http://127.0.0.1:$((9990 + 100 * n))/health/ready" | grep -Eq '"coordinator": ?true'; then
      echo "$n"
      return 0
    fi
  done
  log "no node says it is the coordinator"
  return 1
}

"$ROOT/cluster/cluster.sh" start
for round in $(seq 1 "$ROUNDS"); do
  c=$(coordinator)
  node "$BENCH/node/coordinator-leave.js" "$round" "$c" "$ROOT/cluster/cluster.sh" |
    jq -c --arg policy "${POLICY:-NONE}" '{variant: $policy} + .' | tee -a "$OUT.jsonl" >&2
  "$ROOT/cluster/cluster.sh" start-node "$c"
done
"$ROOT/cluster/cluster.sh" stop

python3 - "$OUT" "$(machine_json)" <<'PY'
import json, sys
out, machine = sys.argv[1], json.loads(sys.argv[2])
rows = [json.loads(line) for line in open(out + ".jsonl") if line.strip()]
kinds = ["lost", "acked_twice", "out_of_order", "unanswered", "errors"]
bad = lambda r: r["result"] != "resumed" or any(r[k] for k in kinds)
summary = {"rounds": len(rows), "whole": sum(not bad(r) for r in rows),
           "resume_failed": sum(r["result"] != "resumed" for r in rows),
           **{f"rounds_{k}": sum(r[k] > 0 for r in rows) for k in kinds}}
json.dump({"scenario": "cluster-coordinator", "machine": machine, "runs": rows, "summary": summary},
          open(out + ".json", "w"), indent=1)
with open(out + ".md", "w") as md:
    md.write(f"### cluster-coordinator, merge policy {rows[0]['variant']}: {summary['whole']} of "
             f"{summary['rounds']} rounds whole ({machine['nproc']} cores, {machine['date']})\n\n")
    fields = ["round", "coordinator", "result", "acked", "replayed"] + kinds
    md.write("| " + " | ".join(fields) + " |\n" + "| --- " * len(fields) + "|\n")
    for r in rows:
        md.write("| " + " | ".join(str(r[f]) for f in fields) + " |\n")
PY
cat "$OUT.md"
