#!/usr/bin/env bash
# Soak: FRAMES (default 1,000,000) frames through decode -> VPP -> encode in one process
# (`vplrs transcode` of the built-in pattern, scaled), sampling the process's resident memory,
# threads and open files every few seconds: all must stay flat, and every frame must come out
# (in = out). Not part of CI (a million frames take a while on 2 cores).
# Usage: bench/soak.sh [FRAMES] [SIZE]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
size=${2:-96x64}
vplrs=${CARGO_TARGET_DIR:-target}/release/vplrs
log=$(mktemp /tmp/vplrs-soak.XXXXXX)
"$vplrs" transcode --pattern-size "$size" --pattern-frames "$frames" --size 64x48 --codec h264 -o /dev/null \
  >"$log" 2>&1 &
pid=$!
echo "seconds  rss_kb  threads  open_files"
start=$(date +%s)
while kill -0 $pid 2>/dev/null; do
  if [ -r /proc/$pid/status ]; then
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    threads=$(awk '/Threads/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    files=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
    [ -n "$rss" ] && printf "%7d  %6s  %7s  %10s\n" $(($(date +%s) - start)) "$rss" "$threads" "$files"
  fi
  sleep 5
done
wait $pid
cat "$log"
out=$(sed -n 's/^transcode: \([0-9]*\) frames.*/\1/p' "$log")
[ "$out" = "$frames" ] || { echo "FAILED: $frames frames in, ${out:-none} out"; exit 1; }
echo "PASS: $frames frames in, $out out"
