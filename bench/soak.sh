#!/usr/bin/env bash
# Soak: churn STREAMS short streams through one trickle over about DURATION
# seconds on loopback, on every streaming API (/chat, /clock,
# /v1/chat/completions, /v1/messages, /v1/responses, Gemini, Ollama), a tenth
# of them left by their client mid-stream and a tenth resumed with
# Last-Event-ID (/chat and /clock), while the server's RSS, open descriptors
# and open-stream gauge are sampled every SAMPLE_S seconds. At the end:
#
#   - RSS within RSS_TOLERANCE_PCT (10) % of the RSS after the first
#     RSS_BASE_S (60) seconds of load (growth is what fails: a leak);
#   - open descriptors back to what they were before the load;
#   - trickle_open_streams (summed over routes) back to 0;
#   - no WARN or ERROR line (and no panic) in the server's log;
#   - every client stream completed (left and resumed ones included).
#
# Exits non-zero naming each check that failed.
#
#   bench/soak.sh                                  # 1,000,000 streams, ~20 min
#   DURATION=120 STREAMS=60000 bench/soak.sh       # what .ci/soak runs
#
# Env: DURATION (1200), STREAMS (1000000), SAMPLE_S (10), RSS_BASE_S (60),
# RSS_TOLERANCE_PCT (10), PROFILE (release), PORT (18650), LOG_LEVEL (info:
# the log as users run it; only WARN/ERROR lines and the first 20 are kept),
# OUT_DIR (a temp dir, removed on exit unless set): samples.tsv, the
# clients' JSON reports, warn.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
DURATION="${DURATION:-1200}"
STREAMS="${STREAMS:-1000000}"
SAMPLE_S="${SAMPLE_S:-10}"
RSS_BASE_S="${RSS_BASE_S:-60}"
RSS_TOLERANCE_PCT="${RSS_TOLERANCE_PCT:-10}"
PROFILE="${PROFILE:-release}"
PORT="${PORT:-18650}"
LOG_LEVEL="${LOG_LEVEL:-info}"
work="$(mktemp -d)"
OUT_DIR="${OUT_DIR:-$work/out}"
mkdir -p "$OUT_DIR"
server=""
sampler=""
clients=()
cleanup() {
  for pid in "${clients[@]}" $sampler; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ "$PROFILE" != release ]]; then dir="$PROFILE"; [[ "$PROFILE" == dev ]] && dir=debug; else dir=release; fi
echo "soak: building trickle ($PROFILE)…" >&2
cargo build --quiet --profile "$PROFILE" --manifest-path "$repo/Cargo.toml"
bin="$repo/target/$dir/trickle"

# A short canned reply for every prompt: 50 characters, so /chat (one event
# a character) sends 50 tokens and the provider routes (BPE tokens) about 10.
reply="Short streams, opened and closed by the thousands."
chat_tokens=${#reply}
printf 'defaults = [ "%s" ]\n' "$reply" >"$work/responses.toml"

# The server's log: level counts and every WARN/ERROR/panic line are kept,
# the rest (two INFO lines a stream) is counted and dropped.
TRICKLE__STREAM__TOKEN_DELAY_MS=5 TRICKLE__STREAM__TTFT_MS=0 TRICKLE__STREAM__JITTER=0 \
TRICKLE__RESPONSES__FILE="$work/responses.toml" TRICKLE__LOG__LEVEL="$LOG_LEVEL" \
TRICKLE__LOG__COLOR=never \
  "$bin" --host 127.0.0.1 --port "$PORT" > >(awk -v out="$OUT_DIR" '
    NR <= 20 { print > (out "/head.log"); fflush(out "/head.log") }
    $2 == "WARN" || $2 == "ERROR" || /panicked/ { print > (out "/warn.log"); fflush(out "/warn.log") }
    { n[$2]++ }
    END { for (l in n) printf "%s %d\n", l, n[l] > (out "/levels.txt") }') 2>&1 &
server=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "soak: the server exited" >&2; exit 1; }
  sleep 0.1
done

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server/status"; }
fds() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
open_streams() {
  curl -sf "http://127.0.0.1:$PORT/metrics" |
    awk '/^trickle_open_streams[{ ]/ { s += $NF } END { print s + 0 }'
}
open_streams >/dev/null # the first scrape sets up what scraping keeps
sleep 1
base_fds="$(fds)"
echo "soak: server $server, $base_fds descriptors open before the load" >&2

# Client groups: name, share of STREAMS, estimated seconds a stream, URL,
# then trickle bench arguments. Leaving: 4 % + 3 % + 3 %; resuming: 5 % + 5 %.
msg='"messages":[{"role":"user","content":"hi"}]'
groups=(
  "chat|15|0.26|/chat|-X POST -d {\"prompt\":\"hi\"} -n $chat_tokens"
  "chat-leave|4|0.06|/chat|-X POST -d {\"prompt\":\"hi\"} --leave-after 10"
  "chat-resume|5|0.26|/chat|-X POST -d {\"prompt\":\"hi\"} --resume-after 10 -n $chat_tokens"
  "clock|15|0.11|/clock?interval_ms=10&count=10|-n 10"
  "clock-leave|3|0.04|/clock?interval_ms=10&count=10|--leave-after 3"
  "clock-resume|5|0.11|/clock?interval_ms=10&count=10|--resume-after 4 -n 10"
  "openai|9|0.06|/v1/chat/completions|-X POST -d {\"model\":\"sim-default\",\"stream\":true,$msg}"
  "openai-leave|3|0.02|/v1/chat/completions|-X POST -d {\"model\":\"sim-default\",\"stream\":true,$msg} --leave-after 3"
  "messages|10|0.06|/v1/messages|-X POST -d {\"model\":\"sim-default\",\"max_tokens\":200,\"stream\":true,$msg}"
  "responses|10|0.06|/v1/responses|-X POST -d {\"model\":\"sim-default\",\"stream\":true,\"input\":\"hi\"}"
  "gemini|10|0.06|/v1beta/models/sim-default:streamGenerateContent?alt=sse|-X POST -d {\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"
  "ollama|11|0.06|/api/chat|-X POST -d {\"model\":\"sim-default\",$msg}"
)

# Samples: seconds since the load started, RSS KiB, descriptors, open streams.
start=$(date +%s)
printf 't_s\trss_kib\tfds\topen_streams\n' >"$OUT_DIR/samples.tsv"
(
  while kill -0 "$server" 2>/dev/null; do
    printf '%s\t%s\t%s\t%s\n' "$(($(date +%s) - start))" "$(rss_kib)" "$(fds)" "$(open_streams)"
    sleep "$SAMPLE_S"
  done
) >>"$OUT_DIR/samples.tsv" &
sampler=$!

i=0
total=0
for g in "${groups[@]}"; do
  IFS='|' read -r name share est path extra <<<"$g"
  streams=$((STREAMS * share / 100))
  # Clients, so that this group's streams take about DURATION seconds.
  c=$(python3 -c "import math; print(max(1, math.ceil($streams * $est / $DURATION)))")
  rounds=$(((streams + c - 1) / c))
  total=$((total + c * rounds))
  first=$((10 * i + 1))
  read -r -a more <<<"$extra"
  "$bin" bench "http://127.0.0.1:$PORT$path" -q --json -c "$c" -r "$rounds" --ramp 100 \
    -t $((DURATION * 3 + 60)) --source "127.0.0.$first-127.0.0.$((first + 9))" "${more[@]}" \
    >"$OUT_DIR/client-$name.json" 2>"$OUT_DIR/client-$name.err" &
  clients+=($!)
  echo "soak: $name: $c clients × $rounds streams" >&2
  i=$((i + 1))
done
echo "soak: $total streams in all, over about $DURATION s; samples every $SAMPLE_S s in $OUT_DIR/samples.tsv" >&2

# A line of progress a minute while the clients run.
while :; do
  running=0
  for pid in "${clients[@]}"; do kill -0 "$pid" 2>/dev/null && running=$((running + 1)); done
  [[ "$running" == 0 ]] && break
  sleep 5
  now=$(($(date +%s) - start))
  if ((now % 60 < 5)); then
    echo "soak: ${now} s, $running client groups running, last sample: $(tail -n 1 "$OUT_DIR/samples.tsv")" >&2
  fi
done
for pid in "${clients[@]}"; do wait "$pid" || true; done
clients=()
elapsed=$(($(date +%s) - start))

# Let closed connections settle, then take the end sample.
end_fds="$(fds)" end_open="$(open_streams)"
for _ in $(seq 30); do
  [[ "$end_fds" -le "$base_fds" && "$end_open" == 0 ]] && break
  sleep 1
  end_fds="$(fds)" end_open="$(open_streams)"
done
end_rss="$(rss_kib)"
kill "$sampler" 2>/dev/null || true
sampler=""
printf '%s\t%s\t%s\t%s\n' "$elapsed" "$end_rss" "$end_fds" "$end_open" >>"$OUT_DIR/samples.tsv"
outcomes="$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^trickle_streams_total/ && match($0, /outcome="[^"]*"/) { o[substr($0, RSTART + 9, RLENGTH - 10)] += $NF } END { for (k in o) printf "%s=%d ", k, o[k] }')"

kill "$server"
wait "$server" 2>/dev/null || true
server=""
sleep 0.5 # the log filter writes its counts at the end of its input

base_rss="$(awk -F'\t' -v t="$RSS_BASE_S" 'NR > 1 && $1 >= t { print $2; exit }' "$OUT_DIR/samples.tsv")"
[[ -z "$base_rss" ]] && base_rss="$end_rss"

# The clients' totals.
read -r asked completed failed cut reasons < <(python3 - "$OUT_DIR" <<'PY'
import glob, json, sys
asked = completed = failed = cut = 0
reasons = {}
for path in glob.glob(sys.argv[1] + "/client-*.json"):
    try:
        r = json.load(open(path))
    except ValueError:
        print(0, 0, 1, 0, "unreadable:" + path); sys.exit()
    asked += r["streams"]; completed += r["completed"]; failed += r["failed"]; cut += r["cut"]
    for k, v in r["failures"].items():
        reasons[k] = reasons.get(k, 0) + v
print(asked, completed, failed, cut, ";".join(f"{k}×{v}" for k, v in reasons.items()).replace(" ", "_") or "-")
PY
)

echo
echo "soak: $asked streams asked, $completed completed, $failed failed, $cut cut, in $elapsed s ($((asked / (elapsed > 0 ? elapsed : 1))) streams/s)"
echo "soak: server stream outcomes: $outcomes"
echo "soak: RSS $base_rss KiB after ${RSS_BASE_S} s, $end_rss KiB at the end; descriptors $base_fds before, $end_fds at the end; open streams at the end $end_open"
echo "soak: log lines by level: $(tr '\n' ' ' <"$OUT_DIR/levels.txt" 2>/dev/null)"

failures=()
limit=$((base_rss * (100 + RSS_TOLERANCE_PCT) / 100))
if ((end_rss > limit)); then
  failures+=("RSS grew: $end_rss KiB at the end > $base_rss KiB after ${RSS_BASE_S} s + ${RSS_TOLERANCE_PCT} % ($limit KiB)")
fi
if ((end_fds > base_fds)); then
  failures+=("descriptors: $end_fds open at the end, $base_fds before the load")
fi
if [[ "$end_open" != 0 ]]; then
  failures+=("open-stream gauge: $end_open at the end, not 0")
fi
if [[ -s "$OUT_DIR/warn.log" ]]; then
  failures+=("log: $(wc -l <"$OUT_DIR/warn.log") WARN/ERROR/panic lines, the first: $(head -n 1 "$OUT_DIR/warn.log")")
fi
if ((completed != asked)); then
  failures+=("clients: $completed of $asked streams completed ($failed failed, $cut cut: $reasons)")
fi
if ((${#failures[@]})); then
  for f in "${failures[@]}"; do echo "soak: FAILED: $f"; done
  exit 1
fi
echo "soak: passed (RSS within ${RSS_TOLERANCE_PCT} %, descriptors back to $base_fds, no open streams, no WARN/ERROR in the log, every stream completed)"
