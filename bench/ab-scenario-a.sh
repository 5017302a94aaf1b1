#!/usr/bin/env bash
# One scenario-(a) run of a given trickle binary (2,000 streams x 600 events
# x 20 ms), loaded by this checkout's release `trickle bench`, for A/B runs of
# two builds: bench/ab-scenario-a.sh OLD_BINARY PORT OUT.json, then the new one.
# Needs the peers' reply (../shared/peers/reply.txt, or REPLY_FILE) and jq.
set -u
bin="$1"; port="$2"; out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
reply="${REPLY_FILE:-$here/../../shared/peers/reply.txt}"
printf 'defaults = [ %s ]\n' "$(jq -Rs . <"$reply" | sed 's/\\n"$/"/')" >"$work/responses.toml"
TRICKLE__STREAM__TOKEN_DELAY_MS=20 TRICKLE__STREAM__TTFT_MS=0 TRICKLE__STREAM__JITTER=0 TRICKLE__STREAM__UNIT=char \
TRICKLE__RESPONSES__FILE="$work/responses.toml" TRICKLE__LOG__LEVEL=info \
  "$bin" --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$here/../target/release/trickle" bench "http://127.0.0.1:$port/chat" -q --json -c 2000 --ramp 1000 -t 120 --pid "$pid" \
  --source 127.0.0.1-127.0.0.20 -X POST -d '{"prompt":"hi"}' -g 20 > "$out"
kill "$pid"; wait "$pid" 2>/dev/null; rm -rf "$work"
