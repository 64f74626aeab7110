#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples: self (top frame) and total (anywhere on the stack),
by package prefix or by method. usage: jfr-top.py FILE.jfr [filter-thread-substring]"""
import collections
import json
import subprocess
import sys

data = json.loads(subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", sys.argv[1]],
                                 capture_output=True, text=True, check=True).stdout)
events = data["recording"]["events"]
thread_filter = sys.argv[2] if len(sys.argv) > 2 else ""
top, total, pkg = collections.Counter(), collections.Counter(), collections.Counter()
n = 0
for e in events:
    v = e["values"]
    th = (v.get("sampledThread") or {}).get("javaName") or ""
    if thread_filter not in th:
        continue
    frames = (v.get("stackTrace") or {}).get("frames") or []
    if not frames:
        continue
    n += 1
    name = lambda f: f["method"]["type"]["name"] + "." + f["method"]["name"]
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
print(f"{n} samples")
print("self:")
for m, c in top.most_common(15):
    print(f"  {100 * c / n:5.1f}% {m}")
print("robustws frames nearest the top (share of all samples):")
for m, c in pkg.most_common(15):
    print(f"  {100 * c / n:5.1f}% {m}")
