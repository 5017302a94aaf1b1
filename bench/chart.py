"""Draws compare.sh's results as one SVG: each server's lateness distribution
and RSS per open stream, for the reference servers ((a) and (d)) and for the
LLM mocks on the OpenAI route ((f)).

    python3 bench/chart.py RESULTS_DIR OUT.svg [SERVERS...]

Standard library only, so it runs wherever compare.sh does."""
import json
import math
import os
import sys

out_dir, out_file = sys.argv[1], sys.argv[2]
servers = sys.argv[3:] or ["go", "trickle", "node", "python", "vidaimock", "llmposter"]
COLORS = {
    "trickle": "#d9480f",
    "go": "#1c7ed6",
    "node": "#2f9e44",
    "python": "#7048e8",
    "vidaimock": "#868e96",
    "llmposter": "#f59f00",
}
QUANTILES = [("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p99.9", "p999"), ("max", "max")]


def load(scenario, server):
    try:
        with open(os.path.join(out_dir, f"{scenario}-{server}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


svg = []
W, H = 920, 720
shown = set()


def text(x, y, s, size=12, anchor="start", weight="normal", color="#222"):
    svg.append(
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{color}">{esc(s)}</text>'
    )


def line(x1, y1, x2, y2, color="#ccc", width=1):
    svg.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" stroke-width="{width}"/>')


def lateness(scenario, top, title):
    """Lateness quantiles in `scenario`, log scale in ms, one line a server."""
    lx, ly, lw, lh = 70, top + 20, 470, 250
    text(lx, top, title, 14, weight="bold")
    series = {}
    for s in servers:
        spread = (load(scenario, s) or {}).get("lateness_ms")
        if spread:
            series[s] = [max(spread.get(key) or 0.0, 0.01) for _, key in QUANTILES]
    if series:
        lo = math.floor(math.log10(min(min(v) for v in series.values())))
        hi = max(math.ceil(math.log10(max(max(v) for v in series.values()))), lo + 1)

        def ypos(v):
            return ly + lh - (math.log10(v) - lo) / (hi - lo) * lh

        for e in range(lo, hi + 1):
            y = ypos(10**e)
            line(lx, y, lx + lw, y)
            text(lx - 8, y + 4, f"{10**e:g}", 11, "end")
        step = lw / (len(QUANTILES) - 1)
        for i, (label, _) in enumerate(QUANTILES):
            text(lx + i * step, ly + lh + 18, label, 11, "middle")
        for s, values in series.items():
            shown.add(s)
            points = " ".join(f"{lx + i * step:.1f},{ypos(v):.1f}" for i, v in enumerate(values))
            color = COLORS.get(s, "#555")
            svg.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5"/>')
            for i, v in enumerate(values):
                svg.append(f'<circle cx="{lx + i * step:.1f}" cy="{ypos(v):.1f}" r="3.5" fill="{color}"/>')
    else:
        text(lx + lw / 2, ly + lh / 2, f"no results for ({scenario})", 12, "middle")
    line(lx, ly + lh, lx + lw, ly + lh, "#444")
    line(lx, ly, lx, ly + lh, "#444")


def rss(scenario, top, title):
    """RSS per open stream in `scenario`, bars in KiB."""
    rx, ry, rw, rh = 620, top + 20, 260, 250
    text(rx - 20, top, title, 14, weight="bold")
    bars = []
    for s in servers:
        value = ((load(scenario, s) or {}).get("server") or {}).get("rss_per_stream_kib")
        if value is not None:
            bars.append((s, value))
    if bars:
        highest = max(v for _, v in bars) * 1.15
        width = rw / len(bars)
        for i, (s, v) in enumerate(bars):
            shown.add(s)
            h = v / highest * rh
            x = rx + i * width + width * 0.15
            svg.append(
                f'<rect x="{x:.1f}" y="{ry + rh - h:.1f}" width="{width * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{COLORS.get(s, "#555")}"/>'
            )
            text(x + width * 0.35, ry + rh - h - 6, f"{v:.1f}", 11, "middle")
            text(x + width * 0.35, ry + rh + 18, s, 11, "middle")
    else:
        text(rx + rw / 2, ry + rh / 2, f"no results for ({scenario})", 12, "middle")
    line(rx, ry + rh, rx + rw, ry + rh, "#444")


lateness("a", 30, "(a) lateness behind the schedule, ms (log scale)")
rss("d", 30, "(d) RSS per open stream, KiB")
lateness("f", 360, "(f) OpenAI route: lateness, ms (log scale)")
rss("f", 360, "(f) OpenAI route: RSS per stream, KiB")

legend = [s for s in servers if s in shown]
for i, s in enumerate(legend):
    x = 70 + i * 120
    svg.append(f'<rect x="{x}" y="{H - 28}" width="14" height="14" fill="{COLORS.get(s, "#555")}"/>')
    text(x + 20, H - 16, s, 12)

with open(out_file, "w") as f:
    f.write(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n'
    )
    f.write("\n".join(svg))
    f.write("\n</svg>\n")
print(f"chart: {out_file}", file=sys.stderr)
