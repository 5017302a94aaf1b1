#!/usr/bin/env bash
# Side-by-side benchmark: trickle and the reference servers in ../shared/peers
# under the same load, one table, every figure also as a ratio to Go.
#
#   bench/compare.sh                      # everything (takes a while)
#   SCENARIOS="a c" bench/compare.sh      # a subset
#   QUICK=1 SERVERS="trickle node" bench/compare.sh   # a small smoke run
#
# Env: SCENARIOS (a b c d e), SERVERS (go trickle node python), QUICK=1,
# PEERS_DIR (default ../../shared/peers from this script), PROFILE (release),
# BASE_PORT (18500). Results (JSON per run) go to $OUT_DIR (a temp dir), the
# chart (lateness in a, RSS per stream in d) to $CHART ($OUT_DIR/chart.svg).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
PEERS_DIR="${PEERS_DIR:-$here/../../shared/peers}"
SCENARIOS="${SCENARIOS:-a b c d e}"
SERVERS="${SERVERS:-go trickle node python}"
QUICK="${QUICK:-0}"
PROFILE="${PROFILE:-release}"
BASE_PORT="${BASE_PORT:-18500}"
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

reply="$PEERS_DIR/reply.txt"
# The same reply for trickle: one canned default, no rules, so every prompt gets it.
printf 'defaults = [ %s ]\n' "$(jq -Rs . <"$reply" | sed 's/\\n"$/"/')" >"$work/responses.toml"

# scenario → "streams delay_ms route ramp/s time_bound_s" (QUICK scales down)
params() {
  local full quick
  case "$1" in
    a) full="2000 20 chat 1000 120";  quick="200 20 chat 1000 60" ;;
    b) full="10000 20 chat 1000 300"; quick="500 20 chat 1000 60" ;;
    c) full="100 0 chat 0 120";       quick="20 0 chat 0 60" ;;
    d) full="19900 0 clock 2000 120"; quick="300 0 clock 1000 30" ;;
    e) full="2000 20 chat 1000 120";  quick="200 20 chat 1000 60" ;;
    *) echo "unknown scenario: $1 (use a b c d e)" >&2; exit 2 ;;
  esac
  if [[ "$QUICK" == 1 ]]; then echo "$quick"; else echo "$full"; fi
}
clock_count() { if [[ "$QUICK" == 1 ]]; then echo 5; else echo 30; fi; }

wait_port() {
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "server on port $1 exited" >&2; return 1; }
    sleep 0.2
  done
  echo "server on port $1 did not open in 120 s" >&2; return 1
}

start_server() { # name port delay_ms
  local name="$1" port="$2" delay="$3" count; count="$(clock_count)"
  case "$name" in
    trickle)
      TRICKLE__STREAM__TOKEN_DELAY_MS="$delay" TRICKLE__STREAM__TTFT_MS=0 \
      TRICKLE__STREAM__JITTER=0 TRICKLE__STREAM__UNIT=char \
      TRICKLE__RESPONSES__FILE="$work/responses.toml" \
        "$bin" --host 127.0.0.1 --port "$port" >"$work/$name.log" 2>&1 &
      ;;
    go | node | python)
      PORT="$port" TOKEN_DELAY_MS="$delay" INTERVAL_MS=1000 COUNT="$count" REPLY_FILE="$reply" \
        "$PEERS_DIR/$name/run.sh" >"$work/$name.log" 2>&1 &
      ;;
    *) echo "unknown server: $name (use go trickle node python)" >&2; exit 2 ;;
  esac
  server_pid=$!
  wait_port "$port"
}

url_for() { # name route
  if [[ "$2" == clock ]]; then
    if [[ "$1" == trickle ]]; then echo "http://127.0.0.1:$3/clock?interval_ms=1000&count=$(clock_count)"
    else echo "http://127.0.0.1:$3/clock"; fi
  else echo "http://127.0.0.1:$3/chat"; fi
}

port="$BASE_PORT"
for s in $SCENARIOS; do
  read -r streams delay route ramp bound <<<"$(params "$s")"
  for name in $SERVERS; do
    port=$((port + 1))
    echo "scenario $s: $name, $streams streams…" >&2
    rm -f "$OUT_DIR/$s-$name.json"
    if ! start_server "$name" "$port" "$delay"; then
      echo "scenario $s: $name did not start, skipped (log: $(tail -n 3 "$work/$name.log" 2>/dev/null))" >&2
      stop_server
      continue
    fi
    args=(-q --json -c "$streams" --ramp "$ramp" -t "$bound" --pid "$server_pid"
      --source 127.0.0.1-127.0.0.20)
    if [[ "$route" == chat ]]; then
      args+=(-X POST -d '{"prompt":"hi"}')
      [[ "$delay" -gt 0 ]] && args+=(-g "$delay")
    else
      args+=(-g 1000 -n "$(clock_count)")
    fi
    "$bin" bench "$(url_for "$name" "$route" "$port")" "${args[@]}" >"$OUT_DIR/$s-$name.json" || true
    stop_server
  done
done

echo >&2
python3 "$here/table.py" "$OUT_DIR" "$SCENARIOS" "$SERVERS" | tee "$OUT_DIR/table.txt"
python3 "$here/chart.py" "$OUT_DIR" "${CHART:-$OUT_DIR/chart.svg}" $SERVERS
echo "raw results: $OUT_DIR (removed on exit unless OUT_DIR is set)" >&2
