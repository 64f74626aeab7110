#!/usr/bin/env python3
"""Draws bench/results/chart.svg from the results' medians, with the standard library only.

usage: chart.py [RESULTS_DIR] [OUT.svg]
Left: latency percentiles (log scale) of echo (fixed rate), echo-max (closed loop) and fan-out
(per delivery, and publish-to-last-delivery). Right: heap per connection after GC against the
number of connections held (idle-N.json), app and bare endpoint, and the subscribed connections of
the fan-out runs (fanout*.json). Missing result files are skipped.
"""
import glob
import json
import math
import os
import re
import sys

results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(results, "chart.svg")


def load(name):
    path = os.path.join(results, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


# ---- data: (label, {percentile name: ms}) per column
columns = []
for scen, title in (("echo", "echo 5k/s"), ("echo-max", "echo max")):
    d = load(scen)
    if d:
        for ep in ("app", "bare"):
            m = d["medians"].get(ep)
            if m:
                columns.append((f"{title} {ep}", {"p50": m.get("p50_ms"), "p90": m.get("p90_ms"),
                                                   "p99": m.get("p99_ms"), "p99.9": m.get("p999_ms")}))
fanouts = [load(os.path.basename(p)[:-5]) for p in glob.glob(os.path.join(results, "fanout*.json"))]
for group, m in sorted(((g, m) for d in fanouts for g, m in d["medians"].items()), key=lambda gm: float(gm[0])):
    if True:
        n = int(float(group))
        who = (f"{n // 1000}k" if n >= 1000 else f"{n}") + f"@{m.get('publish_rate', 10):g}/s"
        columns.append((f"fan-out {who} delivery",
                        {"p50": m.get("delivery_p50_ms"), "p90": m.get("delivery_p90_ms"),
                         "p99": m.get("delivery_p99_ms"), "p99.9": m.get("delivery_p999_ms")}))
        columns.append((f"fan-out {who} last",
                        {"p50": m.get("last_delivery_p50_ms"), "p99": m.get("last_delivery_p99_ms")}))

heap = {"app": [], "bare": []}
for p in glob.glob(os.path.join(results, "idle-*.json")):
    if not re.fullmatch(r"idle-\d+\.json", os.path.basename(p)):
        continue
    d = json.load(open(p))
    for ep in heap:
        m = d["medians"].get(ep)
        if m and m.get("heap_per_conn_kib", 0) > 0:
            heap[ep].append((m.get("held_at_end", m.get("requested")), m["heap_per_conn_kib"]))
for ep in heap:
    heap[ep].sort()
# subscribed /ws connections of the fan-out runs (heap after GC with them minus before, per connection)
subscribed = sorted((float(g), (m["heap_with_subscribers_kib"] - m["heap_before_kib"]) / float(g))
                    for d in fanouts for g, m in d["medians"].items() if "heap_with_subscribers_kib" in m)

# ---- drawing
W, H = 1100, 520
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
       'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>']


def text(x, y, s, anchor="middle", size=12, extra=""):
    s = str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    svg.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {extra}>{s}</text>')


def line(x1, y1, x2, y2, color="#000", width=1, dash=None):
    d = f' stroke-dasharray="{dash}"' if dash else ""
    svg.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" stroke-width="{width}"{d}/>')


# left panel: latency, log y
L, T, PW, PH = 70, 50, 620, 360
text(L + PW / 2, 25, "Round-trip / delivery latency, medians over rounds (ms, log scale)", size=14, extra='font-weight="bold"')
vals = [v for _, ps in columns for v in ps.values() if isinstance(v, (int, float)) and v > 0]
lo = 10 ** math.floor(math.log10(min(vals))) if vals else 0.1
hi = 10 ** math.ceil(math.log10(max(max(vals), 100) * 1.5)) if vals else 1000


def ly(v):
    return T + PH - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * PH


svg.append(f'<rect x="{L}" y="{T}" width="{PW}" height="{PH}" fill="none" stroke="#444"/>')
e = math.log10(lo)
while e <= math.log10(hi) + 1e-9:
    v = 10 ** e
    line(L, ly(v), L + PW, ly(v), "#ddd")
    text(L - 6, ly(v) + 4, f"{v:g}", anchor="end")
    e += 1
text(18, T + PH / 2, "ms", extra=f'transform="rotate(-90 18 {T + PH / 2})"')
line(L, ly(100), L + PW, ly(100), "#c00", 1, "6,4")
text(L + 4, ly(100) - 5, "fan-out target: last delivery p99 ≤ 100 ms", anchor="start", size=11, extra='fill="#c00"')
styles = {"p50": ("#1f77b4", "circle"), "p90": ("#2ca02c", "square"), "p99": ("#ff7f0e", "diamond"),
          "p99.9": ("#9467bd", "triangle")}


def marker(x, y, kind, color):
    if kind == "circle":
        svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{color}"/>')
    elif kind == "square":
        svg.append(f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{color}"/>')
    elif kind == "diamond":
        svg.append(f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}" fill="{color}"/>')
    else:
        svg.append(f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}" fill="{color}"/>')


step = PW / max(1, len(columns))
for i, (label, ps) in enumerate(columns):
    x = L + step * (i + 0.5)
    ys = [ly(v) for v in ps.values() if isinstance(v, (int, float)) and v > 0]
    if ys:
        line(x, min(ys), x, max(ys), "#999", 2)
    for name, v in ps.items():
        if isinstance(v, (int, float)) and v > 0:
            marker(x, ly(v), styles[name][1], styles[name][0])
    for k, word in enumerate(label.split(" ")):
        text(x, T + PH + 14 + 12 * k, word, size=10)
for j, (name, (color, kind)) in enumerate(styles.items()):
    lx = L + 10 + j * 70
    marker(lx, T + PH + 60, kind, color)
    text(lx + 10, T + PH + 64, name, anchor="start")
text(L, T + PH + 86, "echo: 1,000 connections, 64 B (5k/s open loop; max: closed loop); fan-out: 1 channel, subscribers@publications per second",
     anchor="start", size=10, extra='fill="#555"')

# right panel: heap per connection
L2, PW2 = 780, 280
text(L2 + PW2 / 2, 25, "Heap per connection after GC (KiB)", size=14, extra='font-weight="bold"')
svg.append(f'<rect x="{L2}" y="{T}" width="{PW2}" height="{PH}" fill="none" stroke="#444"/>')
pts = heap["app"] + heap["bare"] + subscribed
if pts:
    xmax = max(n for n, _ in pts) * 1.1
    ymax = max(v for _, v in pts) * 1.25

    def hx(n):
        return L2 + n / xmax * PW2

    def hy(v):
        return T + PH - v / ymax * PH

    k = 10 ** math.floor(math.log10(ymax))
    tick = k if ymax / k > 3 else k / 2
    v = 0.0
    while v <= ymax:
        line(L2, hy(v), L2 + PW2, hy(v), "#ddd")
        text(L2 - 6, hy(v) + 4, f"{v:g}", anchor="end")
        v += tick
    last_x = -1e9
    for n in sorted({int(n) for n, _ in pts}, key=lambda n: (n not in {int(m) for m, _ in heap["app"]}, n)):
        if abs(hx(n) - last_x) < 45:  # idle N first, then others where they fit
            continue
        text(hx(n), T + PH + 16, f"{n:,}", size=11)
        line(hx(n), T + PH, hx(n), T + PH + 4)
        last_x = hx(n)
    text(L2 + PW2 / 2, T + PH + 34, "connections held", size=11)
    for ep, color in (("app", "#d62728"), ("bare", "#7f7f7f")):
        p = heap[ep]
        if len(p) > 1:
            svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                       % (color, " ".join(f"{hx(n):.1f},{hy(v):.1f}" for n, v in p)))
        for n, v in p:
            svg.append(f'<circle cx="{hx(n):.1f}" cy="{hy(v):.1f}" r="4" fill="{color}"/>')
            text(hx(n) + 6, hy(v) - 6, f"{v:.1f}", anchor="start", size=11, extra=f'fill="{color}"')
    for n, v in subscribed:
        marker(hx(n), hy(v), "diamond", "#ff7f0e")
        text(hx(n) + 7, hy(v) + 14, f"{v:.1f}", anchor="start", size=11, extra='fill="#ff7f0e"')
    for j, (ep, color) in enumerate((("app /ws", "#d62728"), ("bare endpoint", "#7f7f7f"))):
        line(L2 + 10 + j * 110, T + PH + 54, L2 + 30 + j * 110, T + PH + 54, color, 2)
        text(L2 + 34 + j * 110, T + PH + 58, ep, anchor="start")
    if subscribed:
        marker(L2 + 20, T + PH + 74, "diamond", "#ff7f0e")
        text(L2 + 34, T + PH + 78, "/ws subscribed, acking (fan-out runs)", anchor="start")
else:
    text(L2 + PW2 / 2, T + PH / 2, "no idle-N.json results")
svg.append("</svg>")
open(out, "w").write("\n".join(svg) + "\n")
print(out)
