#!/usr/bin/env bash
# Side-by-side benchmark: trickle, the reference servers in ../shared/peers
# (a–e, every figure also as a ratio to Go) and two published Rust LLM mock
# servers, VidaiMock and llmposter, on the OpenAI route (f, d2; figures as
# ratios to the best of the two), plus trickle's tool-call and Responses API
# streams (g). One table.
#
#   bench/compare.sh                      # everything (takes a while)
#   SCENARIOS="a c" bench/compare.sh      # a subset
#   QUICK=1 SERVERS="trickle node" bench/compare.sh   # a small smoke run
#   REPEAT=3 SCENARIOS=a SERVERS="go trickle" bench/compare.sh  # median of 3
#
# Env: SCENARIOS (a b c d e f g d2), SERVERS (go trickle node python
# vidaimock llmposter), QUICK=1, REPEAT (scenario a: alternate the servers
# this many times, the table shows the median and every run), PEERS_DIR
# (default ../../shared/peers from this script), PEERS_BUILD_DIR (where the
# two Rust mocks are installed, default ~/.cache/trickle-bench-peers),
# PROFILE (release), BASE_PORT (18500), INSTALL (1: install what a fresh
# Debian machine lacks; 0: only check). Results (JSON per run) go to $OUT_DIR
# (a temp dir), the chart (lateness in a, RSS per stream in d) to $CHART
# ($OUT_DIR/chart.svg).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
PEERS_DIR="${PEERS_DIR:-$here/../../shared/peers}"
SCENARIOS="${SCENARIOS:-a b c d e f g d2}"
SERVERS="${SERVERS:-go trickle node python vidaimock llmposter}"
QUICK="${QUICK:-0}"
REPEAT="${REPEAT:-1}"
INSTALL="${INSTALL:-1}"
PEERS_BUILD_DIR="${PEERS_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trickle-bench-peers}"
VIDAIMOCK_VERSION=0.3.1
LLMPOSTER_VERSION=0.5.0
PROFILE="${PROFILE:-release}"
BASE_PORT="${BASE_PORT:-18500}"
work="$(mktemp -d)"
OUT_DIR="${OUT_DIR:-$work/results}"
mkdir -p "$OUT_DIR"
server_pid=""
# Every server starts with the soft open-file limit at the hard one (trickle
# and Go raise their own; Node, Python and the two mocks take what they get).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

has() { [[ " $SERVERS " == *" $1 "* ]]; }
apt_install() { # packages…: installs them on Debian/Ubuntu, or says what is missing
  if [[ "$INSTALL" != 1 ]] || ! command -v apt-get >/dev/null; then
    echo "missing: $* (install them, or run with INSTALL=1 on Debian)" >&2; exit 1
  fi
  local sudo=""; [[ "$(id -u)" != 0 ]] && sudo=sudo
  echo "installing $*…" >&2
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >&2
}
# What a fresh Debian machine lacks: jq and python3 (this script), Go (the
# Go peer), Node (the Node peer), python3-venv (the Python peer's run.sh
# makes its venv), and the two Rust mocks, built from crates.io at pinned
# versions into $PEERS_BUILD_DIR (skipped when that version is there).
command -v jq >/dev/null || apt_install jq
command -v curl >/dev/null || apt_install curl
command -v python3 >/dev/null || apt_install python3
if has go && ! command -v go >/dev/null; then apt_install golang-go; fi
if has node && ! command -v node >/dev/null; then apt_install nodejs; fi
if has python && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then apt_install python3-venv; fi
install_crate() { # crate version
  if [[ -x "$PEERS_BUILD_DIR/bin/$1" ]] && grep -qF "\"$1 $2 " "$PEERS_BUILD_DIR/.crates.toml" 2>/dev/null; then
    return 0
  fi
  echo "building $1 $2 from crates.io into $PEERS_BUILD_DIR (once)…" >&2
  cargo install --quiet --locked --version "$2" --root "$PEERS_BUILD_DIR" "$1"
}
if has vidaimock; then install_crate vidaimock "$VIDAIMOCK_VERSION"; fi
if has llmposter; then install_crate llmposter "$LLMPOSTER_VERSION"; fi

echo "building trickle ($PROFILE)…" >&2
cargo build --quiet --profile "$PROFILE" --manifest-path "$repo/Cargo.toml"
dir="$PROFILE"; [[ "$PROFILE" == dev ]] && dir=debug
bin="$repo/target/$dir/trickle"

reply="$PEERS_DIR/reply.txt"
# The same reply for trickle: one canned default, no rules, so every prompt gets it.
printf 'defaults = [ %s ]\n' "$(jq -Rs . <"$reply" | sed 's/\\n"$/"/')" >"$work/responses.toml"

# Replies on the OpenAI route (f, g, d2) are cut from reply.txt, repeated as
# needed: the first N words (`words N`) or characters (`chars N`), as JSON.
cut_reply() { # words|chars N
  python3 - "$reply" "$1" "$2" <<'PY'
import itertools, json, sys
text = open(sys.argv[1]).read().strip()
n = int(sys.argv[3])
if sys.argv[2] == "words":
    print(json.dumps(" ".join(itertools.islice(itertools.cycle(text.split()), n))))
else:
    print(json.dumps("".join(itertools.islice(itertools.cycle(text + " "), n))))
PY
}

# Each server sends 600 `data:` events a stream in (f) (d2: CHUNKS content
# chunks a second apart), counted by each one's own framing:
#   trickle   role chunk + 597 token chunks + finish chunk + [DONE]; the role
#             chunk leaves with the first token and the finish chunk and
#             [DONE] with the last, so 597 events are paced (596 gaps);
#             597 o200k tokens are the first 535 words of reply.txt (26
#             words are 30 tokens, 3 words 5).
#   vidaimock 598 word chunks (a static template of 598 words; it sends one
#             chunk per whitespace-separated word and sleeps 20 ms before
#             every write, the first an empty one) + finish chunk 20 ms
#             later + [DONE] in the same write: 599 paced (598 gaps).
#   llmposter role chunk + 597 one-character chunks + finish chunk + [DONE],
#             its `streaming.latency` between every two: 600 paced (599).
# `-n` checks the paced count, `--unpaced-data` leaves the rest off the
# schedule, so drift and lateness are against each server's own schedule.
TRICKLE_F_WORDS=535 TRICKLE_F_TOKENS=597
TRICKLE_TOOL_WORDS=530 TRICKLE_TOOL_FRAGMENTS=596
d2_chunks() { if [[ "$QUICK" == 1 ]]; then echo 5; else echo 30; fi; }
trickle_d2_words() { if [[ "$QUICK" == 1 ]]; then echo 3; else echo 26; fi; }
OPENAI_BODY='{"model":"sim-default","stream":true,"messages":[{"role":"user","content":"hi"}]}'
TOOLS_BODY='{"model":"sim-default","stream":true,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"record","parameters":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}}],"tool_choice":"required"}'
RESPONSES_BODY='{"model":"sim-default","stream":true,"input":"hi"}'

# scenario → "streams delay_ms route ramp/s time_bound_s" (QUICK scales down)
params() {
  local full quick
  case "$1" in
    a) full="2000 20 chat 1000 120";  quick="200 20 chat 1000 60" ;;
    b) full="10000 20 chat 1000 300"; quick="500 20 chat 1000 60" ;;
    c) full="100 0 chat 0 120";       quick="20 0 chat 0 60" ;;
    d) full="19900 0 clock 2000 120"; quick="300 0 clock 1000 30" ;;
    e) full="2000 20 chat 1000 120";  quick="200 20 chat 1000 60" ;;
    f | gt | gr) full="2000 20 openai 1000 120"; quick="200 20 openai 1000 60" ;;
    d2) full="19900 1000 openai 2000 120"; quick="300 1000 openai 1000 30" ;;
    *) echo "unknown scenario: $1 (use a b c d e f g d2)" >&2; exit 2 ;;
  esac
  if [[ "$QUICK" == 1 ]]; then echo "$quick"; else echo "$full"; fi
}
clock_count() { if [[ "$QUICK" == 1 ]]; then echo 5; else echo 30; fi; }

# Which servers take part: the peers serve /chat and /clock (a–e), the two
# mocks the OpenAI route (f, d2); g is trickle's alone.
takes_part() { # scenario name
  case "$1" in
    a | b | c | d | e) [[ "$2" =~ ^(go|trickle|node|python)$ ]] ;;
    f | d2) [[ "$2" =~ ^(trickle|vidaimock|llmposter)$ ]] ;;
    gt | gr) [[ "$2" == trickle ]] ;;
  esac
}

wait_port() {
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "server on port $1 exited" >&2; return 1; }
    sleep 0.2
  done
  echo "server on port $1 did not open in 120 s" >&2; return 1
}

# Writes the configuration a server needs for a scenario into $work/$name-$s.
configure() { # name scenario → prints extra env/args as needed via globals
  local name="$1" s="$2" dir="$work/$1-$2" content
  mkdir -p "$dir"
  case "$name:$s" in
    trickle:f) printf 'defaults = [ %s ]\n' "$(cut_reply words "$TRICKLE_F_WORDS")" >"$dir/responses.toml" ;;
    trickle:gr) printf 'defaults = [ %s ]\n' "$(cut_reply words "$TRICKLE_F_WORDS")" >"$dir/responses.toml" ;;
    trickle:gt)
      printf 'defaults = [ "unused" ]\n' >"$dir/responses.toml"
      printf '[[fixture]]\nname = "tool call"\nmatch = { tools = true }\nreply.tool_calls = [{ name = "record", arguments = { text = %s } }]\n' \
        "$(cut_reply words "$TRICKLE_TOOL_WORDS")" >"$dir/fixtures.toml"
      ;;
    trickle:d2) printf 'defaults = [ %s ]\n' "$(cut_reply words "$(trickle_d2_words)")" >"$dir/responses.toml" ;;
    vidaimock:*)
      # A static chat template overriding the bundled one (same path): its
      # content is streamed one chunk per word.
      if [[ "$s" == f ]]; then content="$(cut_reply words 598)"; else content="$(cut_reply words "$(d2_chunks)")"; fi
      mkdir -p "$dir/templates/openai"
      printf '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"{{ model }}","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":598,"total_tokens":599}}\n' \
        "$content" >"$dir/templates/openai/chat.json.j2"
      ;;
    llmposter:*)
      local latency=20 n=597
      if [[ "$s" == d2 ]]; then latency=1000; n="$(d2_chunks)"; fi
      printf 'fixtures:\n  - response:\n      content: %s\n    streaming:\n      latency: %s\n      chunk_size: 1\n' \
        "$(cut_reply chars "$n")" "$latency" >"$dir/fixtures.yaml"
      ;;
  esac
}

start_server() { # name port delay_ms scenario
  local name="$1" port="$2" delay="$3" s="$4" count dir="$work/$1-$4"; count="$(clock_count)"
  configure "$name" "$s"
  case "$name" in
    trickle)
      local responses="$work/responses.toml" fixtures=()
      [[ -f "$dir/responses.toml" ]] && responses="$dir/responses.toml"
      [[ -f "$dir/fixtures.toml" ]] && fixtures=(--fixtures "$dir/fixtures.toml")
      TRICKLE__STREAM__TOKEN_DELAY_MS="$delay" TRICKLE__STREAM__TTFT_MS=0 \
      TRICKLE__STREAM__JITTER=0 TRICKLE__STREAM__UNIT=char \
      TRICKLE__RESPONSES__FILE="$responses" \
        "$bin" --host 127.0.0.1 --port "$port" "${fixtures[@]}" >"$work/$name.log" 2>&1 &
      ;;
    go | node | python)
      PORT="$port" TOKEN_DELAY_MS="$delay" INTERVAL_MS=1000 COUNT="$count" REPLY_FILE="$reply" \
        "$PEERS_DIR/$name/run.sh" >"$work/$name.log" 2>&1 &
      ;;
    vidaimock)
      (cd "$dir" && exec "$PEERS_BUILD_DIR/bin/vidaimock" --host 127.0.0.1 --port "$port" \
        --config-dir "$dir") >"$work/$name.log" 2>&1 &
      ;;
    llmposter)
      "$PEERS_BUILD_DIR/bin/llmposter" --bind 127.0.0.1 --port "$port" \
        --fixtures "$dir/fixtures.yaml" >"$work/$name.log" 2>&1 &
      ;;
    *) echo "unknown server: $name (use go trickle node python vidaimock llmposter)" >&2; exit 2 ;;
  esac
  server_pid=$!
  wait_port "$port"
}

url_for() { # name route port scenario
  case "$2:$4" in
    clock:*)
      if [[ "$1" == trickle ]]; then echo "http://127.0.0.1:$3/clock?interval_ms=1000&count=$(clock_count)"
      else echo "http://127.0.0.1:$3/clock"; fi ;;
    openai:gr) echo "http://127.0.0.1:$3/v1/responses" ;;
    openai:*) echo "http://127.0.0.1:$3/v1/chat/completions" ;;
    *) echo "http://127.0.0.1:$3/chat" ;;
  esac
}

# The load generator's arguments for the OpenAI-route scenarios, per server.
openai_args() { # name scenario delay
  local name="$1" s="$2" chunks
  chunks="$(d2_chunks)"
  args+=(-X POST -g "$3")
  case "$name:$s" in
    trickle:f | trickle:d2)
      local n="$TRICKLE_F_TOKENS"; [[ "$s" == d2 ]] && n="$chunks"
      args+=(-d "$OPENAI_BODY" -n "$n" --unpaced-data '"role":"assistant"'
        --unpaced-data '"finish_reason":"stop"' --unpaced-data '[DONE]') ;;
    trickle:gt)
      args+=(-d "$TOOLS_BODY" -n "$TRICKLE_TOOL_FRAGMENTS" --unpaced-data '"role":"assistant"'
        --unpaced-data '"name":"record"' --unpaced-data '"finish_reason":"tool_calls"'
        --unpaced-data '[DONE]') ;;
    trickle:gr)
      args+=(-d "$RESPONSES_BODY" -n "$TRICKLE_F_TOKENS" --paced-event response.output_text.delta) ;;
    vidaimock:f) args+=(-d "$OPENAI_BODY" -n 599 --unpaced-data '[DONE]') ;;
    vidaimock:d2)
      args+=(-d "$OPENAI_BODY" -n "$((chunks + 1))" --unpaced-data '[DONE]'
        -H "X-Vidai-Chaos-Trickle: 1000") ;;
    llmposter:f) args+=(-d "$OPENAI_BODY" -n 600) ;;
    llmposter:d2) args+=(-d "$OPENAI_BODY" -n "$((chunks + 3))") ;;
  esac
}

run_one() { # scenario name port out.json
  local s="$1" name="$2" port="$3" out="$4" streams delay route ramp bound
  read -r streams delay route ramp bound <<<"$(params "$s")"
  echo "scenario $s: $name, $streams streams…" >&2
  rm -f "$out"
  if ! start_server "$name" "$port" "$delay" "$s"; then
    echo "scenario $s: $name did not start, skipped (log: $(tail -n 3 "$work/$name.log" 2>/dev/null))" >&2
    stop_server
    return 0
  fi
  if [[ "$route" == openai ]]; then
    # One short request first, left after a second, so that what a server
    # loads on its first request (trickle: the BPE vocabulary, tens of MB) is
    # not counted as memory per stream.
    curl -s -m 1 -o /dev/null -H 'content-type: application/json' \
      -d '{"model":"sim-default","stream":true,"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}' \
      "http://127.0.0.1:$port/v1/chat/completions" || true
  fi
  args=(-q --json -c "$streams" --ramp "$ramp" -t "$bound" --pid "$server_pid"
    --source 127.0.0.1-127.0.0.20)
  case "$route" in
    chat)
      args+=(-X POST -d '{"prompt":"hi"}')
      [[ "$delay" -gt 0 ]] && args+=(-g "$delay") ;;
    clock) args+=(-g 1000 -n "$(clock_count)") ;;
    openai) openai_args "$name" "$s" "$delay" ;;
  esac
  "$bin" bench "$(url_for "$name" "$route" "$port" "$s")" "${args[@]}" >"$out" || true
  stop_server
}

# g is two runs: tool-call streams (gt) and Responses API streams (gr).
expanded=""
for s in $SCENARIOS; do
  if [[ "$s" == g ]]; then expanded+=" gt gr"; else expanded+=" $s"; fi
done

port="$BASE_PORT"
for s in $expanded; do
  params "$s" >/dev/null
  if [[ "$s" == a && "$REPEAT" -gt 1 ]]; then
    # Median of REPEAT runs, the servers taking turns (go, trickle, go, …),
    # so that a slow minute on the shared machine falls on both.
    for r in $(seq "$REPEAT"); do
      for name in $SERVERS; do
        takes_part a "$name" || continue
        port=$((port + 1))
        run_one a "$name" "$port" "$OUT_DIR/a-$name.r$r.json"
      done
    done
    for name in $SERVERS; do # the chart draws the first run
      [[ -f "$OUT_DIR/a-$name.r1.json" ]] && cp "$OUT_DIR/a-$name.r1.json" "$OUT_DIR/a-$name.json"
    done
    continue
  fi
  for name in $SERVERS; do
    takes_part "$s" "$name" || continue
    port=$((port + 1))
    run_one "$s" "$name" "$port" "$OUT_DIR/$s-$name.json"
  done
done

echo >&2
python3 "$here/table.py" "$OUT_DIR" "$expanded" "$SERVERS" | tee "$OUT_DIR/table.txt"
python3 "$here/chart.py" "$OUT_DIR" "${CHART:-$OUT_DIR/chart.svg}" $SERVERS
echo "raw results: $OUT_DIR (removed on exit unless OUT_DIR is set)" >&2
