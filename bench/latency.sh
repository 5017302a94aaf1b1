#!/usr/bin/env bash
# Latency under load: drives the sim-busy profile (config/busy.toml: slots,
# a queue and a load factor) with `trickle bench` at rising concurrency and
# draws TTFT p50/p99 and gap p50/p99 against concurrency, next to what the
# profile says (docs/latency.svg).
#
#   bench/latency.sh                          # release build, every level
#   PROFILE=dev LEVELS="1 8 24" bench/latency.sh
#
# Each level runs C clients in a closed loop (`--rounds`), each opening its
# streams one after another, so the concurrency stays at C; every level runs
# at least MIN_ROUNDS rounds and MIN_STREAMS streams. Loopback only.
#
# Env: PROFILE (release), PORT (18600), LEVELS ("1 2 4 8 12 16 24 32"),
# MIN_STREAMS (32), MIN_ROUNDS (3), PROMPT_WORDS (1000), OUT_DIR (a temp
# dir, removed on exit unless set), CHART (docs/latency.svg).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
PROFILE="${PROFILE:-release}"
PORT="${PORT:-18600}"
LEVELS="${LEVELS:-1 2 4 8 12 16 24 32}"
MIN_STREAMS="${MIN_STREAMS:-32}"
MIN_ROUNDS="${MIN_ROUNDS:-3}"
PROMPT_WORDS="${PROMPT_WORDS:-1000}"
CHART="${CHART:-$repo/docs/latency.svg}"
work="$(mktemp -d)"
OUT_DIR="${OUT_DIR:-$work/results}"
mkdir -p "$OUT_DIR"
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

echo "building trickle ($PROFILE)…" >&2
cargo build --quiet --profile "$PROFILE" --manifest-path "$repo/Cargo.toml"
dir="$PROFILE"; [[ "$PROFILE" == dev ]] && dir=debug
bin="$repo/target/$dir/trickle"
base="http://127.0.0.1:$PORT"

"$bin" --config "$repo/config/busy.toml" --host 127.0.0.1 --port "$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited: $(tail -n 3 "$work/server.log")" >&2; exit 1; }
  sleep 0.2
done

# The profile in force, and the prompt's tokens as the server counts them:
# usage of the same text as one OpenAI message, less its 7 framing tokens.
python3 - "$base" "$PROMPT_WORDS" "$OUT_DIR" <<'EOF'
import json, sys, urllib.request
base, words, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prompt = " ".join(["lorem"] * words)
with urllib.request.urlopen(f"{base}/_trickle/profiles") as r:
    profile = json.load(r)["profiles"]["sim-busy"]
ask = {"model": "sim-default", "max_tokens": 1, "messages": [{"role": "user", "content": prompt}]}
req = urllib.request.Request(f"{base}/v1/chat/completions", json.dumps(ask).encode(),
                             {"content-type": "application/json"})
with urllib.request.urlopen(req) as r:
    profile["prompt_tokens"] = json.load(r)["usage"]["prompt_tokens"] - 7
json.dump(profile, open(f"{out}/profile.json", "w"), indent=1)
json.dump({"prompt": prompt, "model": "sim-busy"}, open(f"{out}/body.json", "w"))
EOF

for c in $LEVELS; do
  rounds=$(( (MIN_STREAMS + c - 1) / c ))
  (( rounds < MIN_ROUNDS )) && rounds=$MIN_ROUNDS
  echo "concurrency $c: $rounds rounds…" >&2
  "$bin" bench "$base/chat" -X POST -d "$(cat "$OUT_DIR/body.json")" \
    -c "$c" -r "$rounds" --ramp 0 -t 300 -q --json >"$OUT_DIR/c$c.json" || true
done
curl -s "$base/metrics" | grep '^trickle_model_.*sim-busy' >"$OUT_DIR/metrics.txt" || true
stop_server

python3 "$here/latency_chart.py" "$OUT_DIR" "$CHART" $LEVELS | tee "$OUT_DIR/table.txt"
echo "raw results: $OUT_DIR (removed on exit unless OUT_DIR is set)" >&2
