"""Prints compare.sh's table: one row per scenario and figure, one column per
server. In a–e each figure is followed by its ratio to Go's from the same run;
in f and d2 by its ratio to the best of the two rival mocks (VidaiMock,
llmposter) for that figure; in g (trickle only) CPU per event is also given
as a ratio to trickle's in f. With REPEAT (scenario a run several times, the
servers alternating) a cell is the median run's figure, then every run's.

    python3 bench/table.py RESULTS_DIR "SCENARIOS" "SERVERS"
"""
import json
import os
import statistics
import sys

out_dir, scenarios, servers = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
# Peers sleep one token delay before their first event; trickle runs with ttft 0.
PEER_FIRST_EVENT_MS = 20.0
RIVALS = ("vidaimock", "llmposter")
LABELS = {"gt": "g tools", "gr": "g resp."}


def load(scenario, server, run=None):
    name = f"{scenario}-{server}.json" if run is None else f"{scenario}-{server}.r{run}.json"
    try:
        with open(os.path.join(out_dir, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def runs(scenario, server):
    """Every REPEAT run of a scenario, or None when it was run once."""
    found, n = [], 1
    while (r := load(scenario, server, n)) is not None:
        found.append(r)
        n += 1
    return found or None


def spread(r, key, q):
    return (r.get(key) or {}).get(q)


def server(r, key):
    return (r.get("server") or {}).get(key)


def completed(r, n):
    return 100.0 * r["completed"] / r["streams"]


def per_stream(r, n):
    return r["events"] / r["completed"] if r["completed"] else None


# (figure, getter, which is better: "low", "high" or None for no ratio)
OPENAI = [
    ("completed %", completed, "high"),
    ("data events per stream", per_stream, None),
    ("stream duration p50 s", lambda r, n: spread(r, "duration_s", "p50"), "low"),
    ("drift p50 % (own schedule)", lambda r, n: spread(r, "drift_pct", "p50"), "low"),
    ("lateness p99 ms", lambda r, n: spread(r, "lateness_ms", "p99"), "low"),
    ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event"), "low"),
    ("RSS/stream KiB", lambda r, n: server(r, "rss_per_stream_kib"), "low"),
]
AGENT = [
    ("completed %", completed, None),
    ("data events per stream", per_stream, None),
    ("drift p50 %", lambda r, n: spread(r, "drift_pct", "p50"), None),
    ("lateness p99 ms", lambda r, n: spread(r, "lateness_ms", "p99"), None),
    ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event"), "f"),
    ("RSS/stream KiB", lambda r, n: server(r, "rss_per_stream_kib"), None),
]
FIGURES = {
    "a": [
        ("completed %", completed, "go"),
        ("stream duration p50 s", lambda r, n: spread(r, "duration_s", "p50"), "go"),
        ("drift p50 %", lambda r, n: spread(r, "drift_pct", "p50"), "go"),
        ("lateness p99 ms", lambda r, n: spread(r, "lateness_ms", "p99"), "go"),
        ("gap p99 − 20 ms", lambda r, n: spread(r, "gap_ms", "p99") - 20.0, "go"),
        ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event"), "go"),
    ],
    "b": [
        ("completed %", completed, "go"),
        ("events/s", lambda r, n: r["events_per_s"], "go"),
        ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event"), "go"),
    ],
    "c": [("events/s", lambda r, n: r["events_per_s"], "go")],
    "d": [
        ("completed %", completed, "go"),
        ("peak open", lambda r, n: r["peak_open"], "go"),
        ("RSS/stream KiB", lambda r, n: server(r, "rss_per_stream_kib"), "go"),
    ],
    "e": [
        (
            "first event p99 beyond TTFT ms",
            lambda r, n: None
            if spread(r, "first_event_ms", "p99") is None
            else spread(r, "first_event_ms", "p99") - (0.0 if n == "trickle" else PEER_FIRST_EVENT_MS),
            "go",
        )
    ],
    "f": OPENAI,
    "gt": AGENT,
    "gr": AGENT,
    "d2": [
        ("completed %", completed, "high"),
        ("peak open", lambda r, n: r["peak_open"], None),
        ("lateness p99 ms", lambda r, n: spread(r, "lateness_ms", "p99"), "low"),
        ("RSS/stream KiB", lambda r, n: server(r, "rss_per_stream_kib"), "low"),
    ],
}


def value(get, r, s):
    try:
        return None if r is None else get(r, s)
    except (KeyError, ZeroDivisionError, TypeError):
        return None


def fmt(value):
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def cell(value, base, runs_=None):
    if value is None:
        return "-"
    text = fmt(value)
    if base:
        ratio = value / base
        text += f" (×{ratio:.2f})" if abs(ratio) >= 0.1 else f" (×{ratio:.2g})"
    if runs_:
        text += " [" + " ".join("-" if v is None else fmt(v) for v in runs_) + "]"
    return text


rows = []
for scenario in scenarios:
    for name, get, ratio in FIGURES.get(scenario, []):
        values, every = {}, {}
        for s in servers:
            repeated = runs(scenario, s)
            if repeated:
                every[s] = [value(get, r, s) for r in repeated]
                known = [v for v in every[s] if v is not None]
                values[s] = statistics.median(known) if known else None
            else:
                values[s] = value(get, load(scenario, s), s)
        if ratio == "go":
            base = {s: values.get("go") for s in servers}
        elif ratio in ("low", "high"):
            rivals = [values[s] for s in RIVALS if values.get(s) is not None]
            best = (min if ratio == "low" else max)(rivals) if rivals else None
            base = {s: best for s in servers}
        elif ratio == "f":
            base = {s: value(get, load("f", s), s) for s in servers}
        else:
            base = {}
        label = LABELS.get(scenario, scenario)
        rows.append((label, name, [cell(values[s], base.get(s), every.get(s)) for s in servers]))

width = max([22] + [len(c) + 2 for _, _, cells in rows for c in cells])
print(f"{'scenario':<10}{'figure':<32}" + "".join(f"{s:>{width}}" for s in servers))
for label, name, cells in rows:
    print(f"{label:<10}{name:<32}" + "".join(f"{c:>{width}}" for c in cells))
