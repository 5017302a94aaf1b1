#!/usr/bin/env bash
# Fuzzes request and resume parsing for a bounded time (default 60 s).
# Needs cargo-fuzz (cargo install cargo-fuzz) and a nightly compiler; on a
# stable toolchain RUSTC_BOOTSTRAP=1 unlocks the sanitizer flags it uses.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi
cargo fuzz run parse_request -- -max_total_time="$seconds" -max_len=4096
