"""Prints compare.sh's table: one row per scenario and figure, one column per
server, each figure followed by its ratio to Go's from the same run."""
import json
import os
import sys

out_dir, scenarios, servers = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
# Peers sleep one token delay before their first event; trickle runs with ttft 0.
PEER_FIRST_EVENT_MS = 20.0


def load(scenario, server):
    path = os.path.join(out_dir, f"{scenario}-{server}.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def spread(r, key, q):
    return (r.get(key) or {}).get(q)


def server(r, key):
    return (r.get("server") or {}).get(key)


FIGURES = {
    "a": [
        ("completed %", lambda r, n: 100.0 * r["completed"] / r["streams"]),
        ("stream duration p50 s", lambda r, n: spread(r, "duration_s", "p50")),
        ("drift p50 %", lambda r, n: spread(r, "drift_pct", "p50")),
        ("lateness p99 ms", lambda r, n: spread(r, "lateness_ms", "p99")),
        ("gap p99 − 20 ms", lambda r, n: spread(r, "gap_ms", "p99") - 20.0),
        ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event")),
    ],
    "b": [
        ("completed %", lambda r, n: 100.0 * r["completed"] / r["streams"]),
        ("events/s", lambda r, n: r["events_per_s"]),
        ("server CPU µs/event", lambda r, n: r.get("server_cpu_us_per_event")),
    ],
    "c": [("events/s", lambda r, n: r["events_per_s"])],
    "d": [
        ("completed %", lambda r, n: 100.0 * r["completed"] / r["streams"]),
        ("peak open", lambda r, n: r["peak_open"]),
        ("RSS/stream KiB", lambda r, n: server(r, "rss_per_stream_kib")),
    ],
    "e": [
        (
            "first event p99 beyond TTFT ms",
            lambda r, n: None
            if spread(r, "first_event_ms", "p99") is None
            else spread(r, "first_event_ms", "p99") - (0.0 if n == "trickle" else PEER_FIRST_EVENT_MS),
        )
    ],
}


def cell(value, go):
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    if go and value is not None:
        text += f" (×{value / go:.2f})"
    return text


width = 22
print(f"{'scenario':<10}{'figure':<32}" + "".join(f"{s:>{width}}" for s in servers))
for scenario in scenarios:
    for name, get in FIGURES.get(scenario, []):
        values = {}
        for s in servers:
            r = load(scenario, s)
            try:
                values[s] = None if r is None else get(r, s)
            except (KeyError, ZeroDivisionError):
                values[s] = None
        go = values.get("go")
        print(f"{scenario:<10}{name:<32}" + "".join(f"{cell(values[s], go):>{width}}" for s in servers))
