#!/usr/bin/env bash
# Soak: FRAMES (default 1,000,000) frames through decode -> VPP -> encode in one process
# (`vplrs transcode` of an H.264 stream, scaled, re-encoded to H.264), sampling the process's
# resident memory, threads and open files every few seconds: all must stay flat, and every frame
# must come out (in = out). Not part of CI (a million frames take minutes on 2 cores).
# The input is a 1,000-frame 64x48 H.264 stream (x264, B-frames) made by ffmpeg, repeated
# FRAMES/1000 times (each copy starts with its parameter sets and an IDR picture).
# Usage: bench/soak.sh [FRAMES]   (after `cargo build --release`; FRAMES a multiple of 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
copies=$((frames / 1000))
frames=$((copies * 1000))
vplrs=$PWD/${CARGO_TARGET_DIR:-target}/release/vplrs
work=$(mktemp -d /tmp/vplrs-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
ffmpeg -v error -f lavfi -i testsrc2=size=64x48:rate=30 -frames:v 1000 -c:v libx264 -preset veryfast \
  -g 250 -bf 2 "$work/unit.h264"
for _ in $(seq "$copies"); do cat "$work/unit.h264"; done >"$work/input.h264"
"$vplrs" transcode "$work/input.h264" --size 48x32 --codec h264 -o /dev/null >"$work/log" 2>&1 &
pid=$!
echo "seconds  rss_kb  threads  open_files"
start=$(date +%s)
samples=()
thread_counts=()
file_counts=()
while kill -0 $pid 2>/dev/null; do
  if [ -r /proc/$pid/status ]; then
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    threads=$(awk '/Threads/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    files=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
    if [ -n "$rss" ]; then
      printf "%7d  %6s  %7s  %10s\n" $(($(date +%s) - start)) "$rss" "$threads" "$files"
      samples+=("$rss")
      thread_counts+=("$threads")
      file_counts+=("$files")
    fi
  fi
  sleep 5
done
wait $pid
cat "$work/log"
out=$(sed -n 's/^transcode: \([0-9]*\) frames.*/\1/p' "$work/log")
[ "$out" = "$frames" ] || { echo "FAILED: $frames frames in, ${out:-none} out"; exit 1; }
if [ ${#samples[@]} -ge 4 ]; then
  # Resident memory after the first quarter against the last sample: flat within 4 MB.
  early=${samples[$((${#samples[@]} / 4))]}
  late=${samples[-1]}
  echo "rss after a quarter ${early} kB, at the end ${late} kB"
  [ $((late - early)) -le 4096 ] || { echo "FAILED: resident memory grew by $((late - early)) kB"; exit 1; }
  # Threads and open files: the same after the first quarter as at the end.
  quarter=$((${#samples[@]} / 4))
  [ "${thread_counts[$quarter]}" = "${thread_counts[-1]}" ] || { echo "FAILED: threads ${thread_counts[$quarter]} -> ${thread_counts[-1]}"; exit 1; }
  [ "${file_counts[$quarter]}" = "${file_counts[-1]}" ] || { echo "FAILED: open files ${file_counts[$quarter]} -> ${file_counts[-1]}"; exit 1; }
  echo "threads ${thread_counts[-1]}, open files ${file_counts[-1]}, from a quarter in to the end"
fi
echo "PASS: $frames frames in, $out out"
