#!/usr/bin/env bash
# Re-creates vendor/actix-http: the named actix-http release from crates.io
# with smaller per-connection buffers (see vendor/README.md for why).
#
#   scripts/vendor-actix-http.sh 3.20.0
#
# Then: cargo build, cargo test, and the memory figure in BENCHMARKS.md
# (scenario d) to confirm the saving still holds.
set -euo pipefail
version="${1:?usage: $0 VERSION (e.g. 3.20.0)}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Fetch the release through cargo, from a throwaway crate that depends on it.
mkdir -p "$work/fetch/src"
printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nactix-http = "=%s"\n' \
  "$version" >"$work/fetch/Cargo.toml"
: >"$work/fetch/src/lib.rs"
manifest="$(cd "$work/fetch" && cargo metadata --format-version 1 |
  python3 -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "actix-http"))')"
src="$(dirname "$manifest")"

dest="$repo/vendor/actix-http"
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$src/src" "$src/Cargo.toml" "$src"/LICENSE-* "$src/README.md" "$src/CHANGES.md" "$dest/"

# Examples, tests and benches are not vendored: drop their targets.
python3 - "$dest/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
blocks = re.split(r"(?m)^(?=\[)", open(path).read())
open(path, "w").write("".join(b for b in blocks if not re.match(r"\[\[(example|test|bench)\]\]", b)))
PY

# The patch: 1 KiB buffers instead of 8 KiB (refill below 256 bytes).
dispatcher="$dest/src/h1/dispatcher.rs"
sed -i 's/^const LW_BUFFER_SIZE: usize = 1024;$/const LW_BUFFER_SIZE: usize = 256;/' "$dispatcher"
sed -i 's/^const HW_BUFFER_SIZE: usize = 1024 \* 8;$/const HW_BUFFER_SIZE: usize = 1024;/' "$dispatcher"
grep -q '^const LW_BUFFER_SIZE: usize = 256;$' "$dispatcher" &&
  grep -q '^const HW_BUFFER_SIZE: usize = 1024;$' "$dispatcher" ||
  { echo "the buffer constants changed upstream: patch $dispatcher by hand" >&2; exit 1; }
# The second change: a request body that grew the read buffer does not leave
# it that large for the rest of the connection.
python3 - "$dispatcher" <<'PY' || { echo "the payload EOF branch changed upstream: patch $dispatcher by hand" >&2; exit 1; }
import sys
path = sys.argv[1]
text = open(path).read()
anchor = """                            if let Some(mut payload) = this.payload.take() {
                                payload.feed_eof();
                                *this.payload_drainable = false;
"""
shrink = """                                // A body that grew the read buffer would leave it
                                // that large for the rest of the connection (a
                                // long stream); start again from a small one.
                                if this.read_buf.is_empty() && this.read_buf.capacity() > HW_BUFFER_SIZE {
                                    *this.read_buf = BytesMut::new();
                                }
"""
if text.count(anchor) != 1:
    sys.exit(1)
open(path, "w").write(text.replace(anchor, anchor + shrink))
PY
echo "vendored actix-http $version with 1 KiB connection buffers into $dest" >&2
