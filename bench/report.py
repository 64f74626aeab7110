#!/usr/bin/env python3
"""Aggregates one scenario's JSON lines into <out>.json and a Markdown table <out>.md.

usage: report.py SCENARIO MACHINE_JSON IN.jsonl OUT_BASE
Medians per group (echo, echo-max, idle: "endpoint"; slow: "variant"; fanout: "subscribers";
churn: "rate"; resume: "clients"; auth: "phase") over the rounds, and per-round ratios of the two
groups measured side by side in the same server run (then their median; echo, echo-max, idle,
slow; auth: token/none, node/none and, when run, echo/none and token/echo; cluster-*: three nodes
against one node and Node ws); cluster-latency also gets per-round differences (three nodes'
other-node p99 minus one node's p99, its target).

usage: report.py fanout-merge PUB.jsonl OUT.jsonl EXTRA_JSON SUB_FILE...
merges the fan-out subscriber processes' per-publication records into one row per round."""
import json
import math
import statistics
import sys



def quantile(sorted_vals, q):
    """Nearest rank, as LoadGen's Lat.q."""
    if not sorted_vals:
        return -1
    return sorted_vals[min(len(sorted_vals) - 1, max(0, math.ceil(q * len(sorted_vals)) - 1))]


def hist_quantile(buckets, bucket_us, q):
    """buckets: {index: count}; the upper edge of the bucket holding the nearest rank, in ms."""
    total = sum(buckets.values())
    if total == 0:
        return -1
    rank, seen = max(1, math.ceil(q * total)), 0
    for i in sorted(buckets):
        seen += buckets[i]
        if seen >= rank:
            return (i + 1) * bucket_us / 1000
    return -1


def fanout_merge(pub_file, out_file, extra, sub_files):
    """Per round: publish-to-last-delivery over all subscriber processes (publications that reached
    every subscriber), per-delivery quantiles from the merged histograms, CPU, seq gaps."""
    extra = json.loads(extra)
    pubs = {}
    hists = {}
    summaries = []
    for f in sub_files:
        for line in open(f):
            r = json.loads(line)
            if r["kind"] == "pub":
                p = pubs.setdefault(r["idx"], {"sent_ns": r["sent_ns"], "count": 0, "last_ns": 0})
                p["count"] += r["count"]
                p["last_ns"] = max(p["last_ns"], r["last_ns"])
            elif r["kind"] == "hist":
                h = hists.setdefault(r["round"], {})
                for i, c in r["b"]:
                    h[i] = h.get(i, 0) + c
                bucket_us = r["bucket_us"]
            else:
                summaries.append(r)
    subscribed = sum(s["subscribed"] for s in summaries)
    with open(out_file, "w") as out:
        for line in open(pub_file):
            pr = json.loads(line)
            rnd = pr["round"]
            mine = [p for idx, p in pubs.items() if idx // 100000 == rnd and idx % 100000 < 50000]
            complete = sorted((p["last_ns"] - p["sent_ns"]) / 1e6 for p in mine if p["count"] >= subscribed)
            h = hists.get(rnd, {})
            row = {"subscribers": subscribed, "round": rnd, "publish_rate": pr["publish_rate"],
                   "published": pr["published"], "publications_seen": len(mine),
                   "publications_complete": len(complete),
                   "deliveries": sum(p["count"] for p in mine),
                   "last_delivery_p50_ms": quantile(complete, 0.5),
                   "last_delivery_p99_ms": quantile(complete, 0.99),
                   "last_delivery_max_ms": complete[-1] if complete else -1,
                   "delivery_p50_ms": hist_quantile(h, bucket_us, 0.5),
                   "delivery_p90_ms": hist_quantile(h, bucket_us, 0.9),
                   "delivery_p99_ms": hist_quantile(h, bucket_us, 0.99),
                   "delivery_p999_ms": hist_quantile(h, bucket_us, 0.999),
                   "publish_ack_delivered_min": pr["delivered_min"],
                   "server_cpu_cores": pr["server_cpu_cores"],
                   "server_cpu_us_per_delivery": pr.get("server_cpu_us_per_delivery", -1),
                   "server_deliveries_per_s": pr.get("server_deliveries_per_s", -1),
                   # the subscriber processes' CPU over the whole publisher run (warm-up and ack wait included)
                   "subscriber_cpu_us_per_delivery": pr["subscriber_cpu_s"] * 1e6
                   / max(1, pr.get("sent_with_warmup", pr["published"]) * subscribed),
                   "last_ack_after_end_ms": pr.get("last_ack_after_end_ms", -1),
                   "publisher_cpu_cores": pr["publisher_cpu_cores"],
                   "publish_handler_ms": pr.get("publish_handler_ms", -1),
                   "steal_cpu_s": pr.get("steal_cpu_s", -1),
                   "seq_gaps_whole_run": sum(s["seq_gaps"] for s in summaries),
                   "open_at_end": sum(s["open_at_end"] for s in summaries)}
            row.update(extra)
            out.write(json.dumps(row) + "\n")


if sys.argv[1] == "fanout-merge":
    fanout_merge(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    sys.exit(0)

scenario, machine, src, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = [json.loads(line) for line in open(src) if line.strip()]
# the group column, and the pairs of groups whose same-round ratios are reported (node: the Node
# ws reference server, bench/node, when the run had it)
VS_BARE_AND_NODE = [("app", "bare"), ("app", "node")]
key, pairs = {"echo": ("endpoint", VS_BARE_AND_NODE),
              "echo-max": ("endpoint", VS_BARE_AND_NODE),
              "idle": ("endpoint", VS_BARE_AND_NODE),
              "slow": ("variant", [("with", "without")]),
              "fanout": ("server", [("app", "node")]),
              "churn": ("rate", []),
              "resume": ("server", [("app", "node")]),
              "publish-ack": ("variant", [("file-store", "memory")]),
              "restart": ("variant", [("with-data", "empty")]),
              "compression": ("setting", [("6", "off"), ("1", "off"), ("0", "off")]),
              "auth": ("phase", [("token", "none"), ("echo", "none"), ("token", "echo"), ("node", "none")]),
              "cluster-publish": ("variant", [("three/1", "one/1"), ("three/100", "one/100"),
                                              ("three/1", "node/1"), ("one/1", "node/1")]),
              "cluster-latency": ("variant", [("three", "one")]),
              "cluster-failover": ("variant", []),
              "cluster-lifetime": ("variant", [("three/event", "one/event"), ("three/subscribe", "one/subscribe"),
                                               ("three/subscribe", "unclustered/subscribe"),
                                               ("unclustered/subscribe", "one/subscribe"),
                                               ("three/event", "unclustered/event"),
                                               ("unclustered/event", "one/event"),
                                               ("one/event", "node/event"), ("one/subscribe", "node/subscribe"),
                                               ("three/memory", "one/memory"), ("one/memory", "node/memory")])}[scenario]
ratio_fields = {"echo": ["p50_ms", "p99_ms", "server_cpu_us_per_msg"],
                "echo-max": ["msgs_per_s", "p50_ms", "p99_ms", "server_cpu_us_per_msg"],
                "idle": ["heap_per_conn_kib"],
                "slow": ["p50_ms", "p99_ms", "heap_after_gc_kib"],
                "resume": ["drop_to_all_answered_ms", "server_cpu_s_storm"],
                "fanout": ["server_deliveries_per_s", "server_cpu_us_per_delivery",
                           "last_delivery_p99_ms"],
                "publish-ack": ["ack_p50_ms", "ack_p99_ms"],
                "restart": ["start_to_ready_ms"],
                "compression": ["rss_kib_per_idle_conn", "rss_kib_per_conn_after_traffic",
                                "server_cpu_us_per_echo_64B", "server_cpu_us_per_echo_4KiB",
                                "wire_bytes_per_echo_64B", "wire_bytes_per_echo_4KiB"],
                "auth": ["server_cpu_us_per_lifetime", "lifetime_p50_ms", "lifetime_p99_ms"],
                "cluster-publish": ["publications_per_s"],
                "cluster-latency": ["all_p50_ms", "all_p99_ms", "server_cpu_cores"],
                "cluster-lifetime": ["server_cpu_us_per_lifetime", "lifetime_p50_ms", "lifetime_p99_ms",
                                     "heap_idle_kib_total", "rss_idle_kib_total", "heap_per_conn_kib",
                                     "rss_per_conn_kib"]}.get(scenario, [])
# per-round differences (group, field) - (group, field), each against its target
differences = {"cluster-latency": [("three", "other_node_p99_ms", "one", "all_p99_ms"),
                                   ("three", "other_node_p50_ms", "one", "all_p50_ms"),
                                   ("three", "other_node_p99_ms", "three", "same_node_p99_ms")]}.get(scenario, [])

groups = {}
for r in rows:
    groups.setdefault(r.get(key, "app"), []).append(r)
medians = {}
for g, rs in groups.items():
    m = {"runs": len(rs)}
    for f in dict.fromkeys(k for r in rs for k in r):
        vals = [r[f] for r in rs if isinstance(r.get(f), (int, float)) and not isinstance(r.get(f), bool)]
        if vals and f != "round":
            m[f] = statistics.median(vals)
    medians[g] = m
ratios = {}
for num, den in pairs:
    for f in ratio_fields:
        per_round = []
        for rnd in sorted({r["round"] for r in rows}):
            a = [r[f] for r in rows if r["round"] == rnd and r.get(key) == num and f in r]
            b = [r[f] for r in rows if r["round"] == rnd and r.get(key) == den and f in r]
            if a and b and b[0] > 0:
                per_round.append(a[0] / b[0])
        if per_round:
            ratios[f"{f} {num}/{den}"] = {"per_round": per_round, "median": statistics.median(per_round)}

diffs = {}
for g1, f1, g2, f2 in differences:
    per_round = []
    for rnd in sorted({r["round"] for r in rows}):
        a = [r[f1] for r in rows if r["round"] == rnd and r.get(key) == g1 and f1 in r]
        b = [r[f2] for r in rows if r["round"] == rnd and r.get(key) == g2 and f2 in r]
        if a and b:
            per_round.append(a[0] - b[0])
    if per_round:
        diffs[f"{g1} {f1} - {g2} {f2}"] = {"per_round": per_round, "median": statistics.median(per_round)}

json.dump({"scenario": scenario, "machine": machine, "runs": rows, "medians": medians,
           "ratios": ratios, "differences": diffs}, open(out + ".json", "w"), indent=1)

fields = [f for f in dict.fromkeys(k for r in rows for k in r) if f not in (key, "round")]
with open(out + ".md", "w") as md:
    md.write(f"### {scenario}: medians of {len(rows) // max(1, len(groups))} runs "
             f"({machine['nproc']} cores, {machine['memory']}, {machine['jdk']}, WildFly {machine['wildfly']}, {machine['date']})\n\n")
    md.write(f"| {key} | " + " | ".join(fields) + " |\n")
    md.write("| --- " * (len(fields) + 1) + "|\n")
    for g in sorted(medians, key=str):
        cells = []
        for f in fields:
            v = medians[g].get(f, groups[g][-1].get(f, ""))
            cells.append(f"{v:.3g}" if isinstance(v, float) else str(v))
        md.write(f"| {g} | " + " | ".join(cells) + " |\n")
    if ratios:
        md.write("\n| ratio (same run, per round) | per round | median |\n| --- | --- | --- |\n")
        for k, v in ratios.items():
            md.write(f"| {k} | " + ", ".join(f"{x:.2f}" for x in v["per_round"]) + f" | {v['median']:.2f} |\n")
    if diffs:
        md.write("\n| difference (same round) | per round | median |\n| --- | --- | --- |\n")
        for k, v in diffs.items():
            md.write(f"| {k} | " + ", ".join(f"{x:.1f}" for x in v["per_round"]) + f" | {v['median']:.1f} |\n")
