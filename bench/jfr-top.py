#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples: self (top frame) and total (anywhere on the stack),
by package prefix or by method, and the samples by thread group.
usage: jfr-top.py FILE.jfr [filter-thread-substring] [--callers METHOD-substring]
--callers: for samples with a METHOD frame, the stacks (5 frames) that led to it, most common first."""
import collections
import json
import re
import subprocess
import sys

args = [a for a in sys.argv[1:]]
callers = None
if "--callers" in args:
    i = args.index("--callers")
    callers = args[i + 1]
    del args[i:i + 2]
data = json.loads(subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", args[0]],
                                 capture_output=True, text=True, check=True).stdout)
events = data["recording"]["events"]
thread_filter = args[1] if len(args) > 1 else ""
top, total, pkg, threads, paths = (collections.Counter() for _ in range(5))
n = 0
name = lambda f: f["method"]["type"]["name"] + "." + f["method"]["name"]
for e in events:
    v = e["values"]
    th = (v.get("sampledThread") or {}).get("javaName") or ""
    if thread_filter not in th:
        continue
    frames = (v.get("stackTrace") or {}).get("frames") or []
    if not frames:
        continue
    n += 1
    threads[re.sub(r"[-\d]+$", "", th)] += 1
    top[name(frames[0])] += 1
    seen = set()
    for f in frames:
        m = name(f)
        if m not in seen:
            seen.add(m)
            total[m] += 1
    for f in frames:  # first application frame, if any
        if f["method"]["type"]["name"].replace("/", ".").startswith("org.robustws"):
            pkg[name(f)] += 1
            break
    if callers:
        for i, f in enumerate(frames):
            if callers in name(f):
                paths[" < ".join(name(g).rsplit("/", 1)[-1] for g in frames[i:i + 5])] += 1
                break
print(f"{n} samples")
print("by thread:")
for t, c in threads.most_common(8):
    print(f"  {100 * c / n:5.1f}% {t}")
print("self:")
for m, c in top.most_common(15):
    print(f"  {100 * c / n:5.1f}% {m}")
print("robustws frames nearest the top (share of all samples):")
for m, c in pkg.most_common(15):
    print(f"  {100 * c / n:5.1f}% {m}")
print("total (anywhere on the stack), org.robustws and org.infinispan:")
for m, c in [(m, c) for m, c in total.most_common() if "robustws" in m or "infinispan" in m][:20]:
    print(f"  {100 * c / n:5.1f}% {m}")
if callers:
    print(f"stacks through {callers}:")
    for p, c in paths.most_common(15):
        print(f"  {100 * c / n:5.1f}% {p}")
