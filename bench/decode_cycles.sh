#!/usr/bin/env bash
# 300 decoder Init -> decode -> Close cycles per codec in one session through Intel's dispatcher,
# printing the bytes malloc has out, the threads and the resident size (flat after the warm-up when
# Close frees what Init made).
# Usage: bench/decode_cycles.sh [CYCLES]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-300}
work=$(mktemp -d /tmp/vplrs-cycles.XXXXXX)
cc -std=c11 -O2 -I crates/vplrs-capi/tests/c -o "$work/decode_cycles" crates/vplrs-capi/tests/c/decode_cycles.c -lvpl -ldl
export ONEVPL_SEARCH_PATH=$PWD/target/${CARGO_TARGET_DIR:+../$CARGO_TARGET_DIR/}release
src="testsrc2=size=320x240:rate=30"
ffmpeg -v error -f lavfi -i $src -frames:v 30 -c:v libx264 -bf 2 -f h264 -y "$work/in.h264"
ffmpeg -v error -f lavfi -i $src -frames:v 30 -c:v libx265 -x265-params log-level=none -f hevc -y "$work/in.h265"
ffmpeg -v error -f lavfi -i $src -frames:v 30 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -f ivf -y "$work/in.vp9.ivf"
ffmpeg -v error -f lavfi -i $src -frames:v 30 -c:v libsvtav1 -preset 12 -f ivf -y "$work/in.av1.ivf" 2>/dev/null
for input in h264:in.h264 h265:in.h265 vp9:in.vp9.ivf av1:in.av1.ivf; do
  echo "== ${input%%:*}"
  "$work/decode_cycles" "${input%%:*}" "$work/${input#*:}" "$cycles"
done
