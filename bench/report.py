#!/usr/bin/env python3
"""Aggregates one scenario's JSON lines into <out>.json and a Markdown table <out>.md.

usage: report.py SCENARIO MACHINE_JSON IN.jsonl OUT_BASE
Medians per group (echo, idle: "endpoint"; slow: "variant") over the rounds, and per-round ratios
of the two groups measured side by side in the same server run (then their median)."""
import json
import statistics
import sys

scenario, machine, src, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = [json.loads(line) for line in open(src) if line.strip()]
key, num, den = {"echo": ("endpoint", "app", "bare"),
                 "idle": ("endpoint", "app", "bare"),
                 "slow": ("variant", "with", "without")}[scenario]
ratio_fields = {"echo": ["p50_ms", "p99_ms", "server_cpu_us_per_msg"],
                "idle": ["heap_per_conn_kib"],
                "slow": ["p50_ms", "p99_ms", "heap_after_gc_kib"]}[scenario]

groups = {}
for r in rows:
    groups.setdefault(r[key], []).append(r)
medians = {}
for g, rs in groups.items():
    m = {"runs": len(rs)}
    for f in dict.fromkeys(k for r in rs for k in r):
        vals = [r[f] for r in rs if isinstance(r.get(f), (int, float)) and not isinstance(r.get(f), bool)]
        if vals and f != "round":
            m[f] = statistics.median(vals)
    medians[g] = m
ratios = {}
for f in ratio_fields:
    per_round = []
    for rnd in sorted({r["round"] for r in rows}):
        a = [r[f] for r in rows if r["round"] == rnd and r[key] == num and f in r]
        b = [r[f] for r in rows if r["round"] == rnd and r[key] == den and f in r]
        if a and b and b[0] > 0:
            per_round.append(a[0] / b[0])
    if per_round:
        ratios[f"{f} {num}/{den}"] = {"per_round": per_round, "median": statistics.median(per_round)}

json.dump({"scenario": scenario, "machine": machine, "runs": rows, "medians": medians,
           "ratios": ratios}, open(out + ".json", "w"), indent=1)

fields = [f for f in dict.fromkeys(k for r in rows for k in r) if f not in (key, "round")]
with open(out + ".md", "w") as md:
    md.write(f"### {scenario}: medians of {len(rows) // max(1, len(groups))} runs "
             f"({machine['nproc']} cores, {machine['memory']}, {machine['jdk']}, WildFly {machine['wildfly']}, {machine['date']})\n\n")
    md.write(f"| {key} | " + " | ".join(fields) + " |\n")
    md.write("| --- " * (len(fields) + 1) + "|\n")
    for g in sorted(medians):
        cells = []
        for f in fields:
            v = medians[g].get(f, groups[g][-1].get(f, ""))
            cells.append(f"{v:.3g}" if isinstance(v, float) else str(v))
        md.write(f"| {g} | " + " | ".join(cells) + " |\n")
    if ratios:
        md.write("\n| ratio (same run, per round) | per round | median |\n| --- | --- | --- |\n")
        for k, v in ratios.items():
            md.write(f"| {k} | " + ", ".join(f"{x:.2f}" for x in v["per_round"]) + f" | {v['median']:.2f} |\n")
