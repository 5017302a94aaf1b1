"""Turns latency.sh's results into a table, a CSV and one SVG: TTFT p50/p99
and gap p50/p99 against concurrency as measured, next to what the profile
says (its distributions' quantiles, the gap stretched by its load curve).

    python3 bench/latency_chart.py RESULTS_DIR OUT.svg LEVEL...

Standard library only, so it runs wherever latency.sh does."""
import csv
import json
import math
import os
import sys

out_dir, out_file = sys.argv[1], sys.argv[2]
levels = [int(c) for c in sys.argv[3:]]
Z = {"p50": 0.0, "p99": 2.3263478740408408}
COLORS = {"p50": "#1c7ed6", "p99": "#d9480f"}

with open(os.path.join(out_dir, "profile.json")) as f:
    profile = json.load(f)


def quantile(distribution, mean, sd, q):
    """The q quantile of a profile's distribution (mean and sd in ms)."""
    z = Z[q]
    if distribution == "lognormal" and mean > 0:
        sigma2 = math.log(1 + (sd / mean) ** 2)
        return math.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * z)
    if distribution == "normal":
        return max(mean + sd * z, 0.0)
    if distribution == "uniform":
        p = 0.5 if q == "p50" else 0.99
        return max(mean + sd * math.sqrt(3) * (2 * p - 1), 0.0)
    return mean


def stretch(concurrency):
    """The profile's load curve: 1 alone, 1 + factor at full slots."""
    slots = profile.get("slots") or 0
    if slots < 2:
        return 1.0
    active = min(max(concurrency, 1), slots)
    return 1 + profile["itl_load_factor"] * (active - 1) / (slots - 1)


prefill = profile["prefill_ms_per_1k_tokens"] * profile["prompt_tokens"] / 1000


def expected(concurrency):
    """What the profile says, without queue waits and stalls."""
    ttft = {q: quantile(profile["ttft_distribution"], profile["ttft_ms"], profile["ttft_sd_ms"], q) + prefill for q in Z}
    gap = {q: quantile(profile["token_delay_distribution"], profile["token_delay_ms"], profile["token_delay_sd_ms"], q)
           * stretch(concurrency) for q in Z}
    return ttft, gap


def reply_tokens(reports):
    """Tokens per reply: a stream's events less its meta and done."""
    for r in reports:
        if r["completed"] and r["completed"] == r["streams"]:
            return r["events"] / r["completed"] - 2
    return 0


def service_ms(tokens):
    """How long a stream holds its slot at full slots, on average."""
    stalls = profile["stall_probability"] * profile["stall_ms"]
    gap = profile["token_delay_ms"] * stretch(profile.get("slots") or 1) + stalls
    return profile["ttft_ms"] + prefill + max(tokens - 1, 0) * gap


def closed_loop_wait(concurrency, service):
    """The mean wait for a slot when `concurrency` clients ask again as soon
    as they are answered (Little's law): (clients waiting ÷ slots) × the
    service time; clients past slots + queue are refused and do not wait."""
    slots, queue = profile.get("slots") or 0, profile.get("queue") or 0
    if not slots:
        return 0.0
    waiting = min(max(concurrency - slots, 0), queue)
    return waiting / slots * service


reports = {}
for c in levels:
    try:
        with open(os.path.join(out_dir, f"c{c}.json")) as f:
            reports[c] = json.load(f)
    except (OSError, ValueError):
        continue
service = service_ms(reply_tokens(reports.values()))

rows = []
for c in levels:
    if c not in reports:
        continue
    r = reports[c]
    ttft, gap = expected(c)
    paced, gaps = r.get("first_paced_ms") or {}, r.get("gap_ms") or {}
    rows.append({
        "concurrency": c,
        "streams": r["streams"],
        "completed": r["completed"],
        "refused": r["failures"].get("status 503", 0),
        "ttft_p50_ms": paced.get("p50"),
        "ttft_p99_ms": paced.get("p99"),
        "gap_p50_ms": gaps.get("p50"),
        "gap_p99_ms": gaps.get("p99"),
        "profile_ttft_p50_ms": ttft["p50"],
        "profile_ttft_p99_ms": ttft["p99"],
        "profile_gap_p50_ms": gap["p50"],
        "profile_gap_p99_ms": gap["p99"],
        "profile_ttft_p50_queued_ms": ttft["p50"] + closed_loop_wait(c, service),
        "load_stretch": stretch(c),
    })

with open(os.path.join(out_dir, "latency.csv"), "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["concurrency"])
    writer.writeheader()
    writer.writerows({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()} for row in rows)


def fmt(v, digits=0):
    return "-" if v is None else f"{v:.{digits}f}"


print(f"sim-busy: slots {profile['slots']}, queue {profile['queue']}, itl_load_factor {profile['itl_load_factor']}, "
      f"prompt {profile['prompt_tokens']} tokens (prefill {prefill:.0f} ms), "
      f"{reply_tokens(reports.values()):.0f} tokens a reply, {service:.0f} ms a slot at full load")
print(f"{'clients':>7} {'streams':>7} {'done':>5} {'503':>4} | {'TTFT p50':>8} {'p99':>6} | {'gap p50':>7} {'p99':>6}"
      f" | profile: {'TTFT p50':>8} {'p99':>6} {'+wait':>6} {'gap p50':>7} {'p99':>6}")
for row in rows:
    print(f"{row['concurrency']:>7} {row['streams']:>7} {row['completed']:>5} {row['refused']:>4} | "
          f"{fmt(row['ttft_p50_ms']):>8} {fmt(row['ttft_p99_ms']):>6} | "
          f"{fmt(row['gap_p50_ms'], 1):>7} {fmt(row['gap_p99_ms'], 1):>6} | "
          f"{'':9}{fmt(row['profile_ttft_p50_ms']):>8} {fmt(row['profile_ttft_p99_ms']):>6} "
          f"{fmt(row['profile_ttft_p50_queued_ms']):>6} "
          f"{fmt(row['profile_gap_p50_ms'], 1):>7} {fmt(row['profile_gap_p99_ms'], 1):>6}")
print("(ms; profile TTFT is base + prefill, +wait adds the closed loop's mean queue wait to its p50;"
      " profile gaps leave stalls out)")

svg = []
W, H = 980, 440


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def text(x, y, s, size=12, anchor="start", weight="normal", color="#222"):
    svg.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
               f'font-weight="{weight}" fill="{color}">{esc(s)}</text>')


def line(x1, y1, x2, y2, color="#ccc", width=1, dash=None):
    style = f' stroke-dasharray="{dash}"' if dash else ""
    svg.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
               f'stroke-width="{width}"{style}/>')


def panel(x0, title, note, key, log, refused):
    """One chart: measured (solid, dots) and profile (dashed) p50 and p99."""
    y0, w, h = 64, 390, 286
    text(x0, 26, title, 14, weight="bold")
    text(x0, 44, note, 11, color="#555")
    values = [row[f"{p}{key}_{q}_ms"] for row in rows for p in ("", "profile_") for q in Z
              if row[f"{p}{key}_{q}_ms"] is not None]
    if not values:
        text(x0 + w / 2, y0 + h / 2, "no results", 12, "middle")
        return
    cmax = max(levels)

    def xpos(c):
        return x0 + c / cmax * w

    if log:
        lo = math.floor(math.log10(max(min(values), 1.0)))
        hi = max(math.ceil(math.log10(max(values))), lo + 1)
        ticks = [m * 10 ** e for e in range(lo, hi + 1) for m in (1, 2, 5) if 10 ** lo <= m * 10 ** e <= 10 ** hi]

        def ypos(v):
            return y0 + h - (math.log10(max(v, 10 ** lo)) - lo) / (hi - lo) * h
    else:
        top = max(values) * 1.1
        step = 10 ** math.floor(math.log10(top / 2))
        ticks = [i * step for i in range(int(top / step) + 1)]

        def ypos(v):
            return y0 + h - v / top * h
    for t in ticks:
        line(x0, ypos(t), x0 + w, ypos(t), "#eee")
        text(x0 - 6, ypos(t) + 4, f"{t:g}", 10, "end")
    for c in levels:
        text(xpos(c), y0 + h + 16, c, 10, "middle")
    text(x0 + w / 2, y0 + h + 34, "concurrent clients", 11, "middle")
    slots, queue = profile.get("slots") or 0, profile.get("queue") or 0
    for at, label in ((slots, f"slots {slots}"), (slots + queue, f"slots + queue {slots + queue}")):
        if 0 < at <= cmax:
            line(xpos(at), y0, xpos(at), y0 + h, "#888", 1, "2,3")
            text(xpos(at) + 3, y0 + 10, label, 10, color="#555")
    for q in Z:
        for prefix, dash in (("profile_", "6,4"), ("", None)):
            points = [(xpos(r["concurrency"]), ypos(r[f"{prefix}{key}_{q}_ms"])) for r in rows
                      if r[f"{prefix}{key}_{q}_ms"] is not None]
            style = f' stroke-dasharray="{dash}"' if dash else ""
            svg.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                       f'stroke="{COLORS[q]}" stroke-width="2"{style}/>')
            if not dash:
                for x, y in points:
                    svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLORS[q]}"/>')
    if key == "ttft":
        points = [(xpos(r["concurrency"]), ypos(r["profile_ttft_p50_queued_ms"])) for r in rows]
        svg.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                   f'stroke="#555" stroke-width="1.5" stroke-dasharray="2,3"/>')
    if refused:
        for r in rows:
            if r["refused"] and r[f"{key}_p99_ms"] is not None:
                text(xpos(r["concurrency"]) - 6, y0 + h - 8,
                     f"{r['refused']} of {r['streams']} refused (503)", 10, "end", color="#555")
    line(x0, y0 + h, x0 + w, y0 + h, "#444")
    line(x0, y0, x0, y0 + h, "#444")


panel(70, "Time to first token, ms (log scale)",
      "profile: base + prefill; past the slots the queue wait adds to it", "ttft", True, True)
panel(550, "Gap between tokens, ms",
      f"profile: gap x load curve (1 alone, {1 + profile['itl_load_factor']:g} at full slots); no stalls",
      "gap", False, False)
legend = [(COLORS["p50"], None, "measured p50"), (COLORS["p99"], None, "measured p99"),
          (COLORS["p50"], "6,4", "profile p50"), (COLORS["p99"], "6,4", "profile p99"),
          ("#555", "2,3", "profile p50 + queue wait")]
for i, (color, dash, label) in enumerate(legend):
    x = 40 + i * 140
    line(x, H - 22, x + 28, H - 22, color, 2, dash)
    text(x + 34, H - 18, label, 12)
text(W - 12, H - 18, f"sim-busy, prompt {profile['prompt_tokens']} tokens", 11, "end", color="#555")

with open(out_file, "w") as f:
    f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            'font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n')
    f.write("\n".join(svg))
    f.write("\n</svg>\n")
sys.stdout.flush()
print(f"chart: {out_file}", file=sys.stderr)
