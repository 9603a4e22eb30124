#!/usr/bin/env bash
# Transcode and decode speed and memory: vplrs against the ffmpeg CLI doing the same job on the same
# 1080p clip, in one run. The clip (H.264, B-frames) and an H.265 version of it are made here by
# ffmpeg from its testsrc2 pattern.
#   transcode: H.264 1080p -> H.265 (libx265 preset medium, 4000 kbps VBR), both sides with their
#              default threading (x265's own pools; ffmpeg's frame-threaded H.264 decoder);
#   decode:    H.265 1080p, pictures decoded and dropped (`vplrs decode` without -o, `ffmpeg -f null`).
# Reported: best wall time of 3 runs and peak RSS (GNU time), and the ratios vplrs / ffmpeg (target
# for both: at most 1.0), plus vplrs's own count of pixel copies per frame.
# Usage: bench/transcode.sh [frames]   (needs a release build: cargo build --release -p vplrs-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-120}
vplrs=${CARGO_TARGET_DIR:-target}/release/vplrs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$vplrs" ] || { echo "build first: cargo build --release -p vplrs-cli" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }

# measure NAME command... : best wall time (s) and the peak RSS (KiB) of that run
measure() {
  local best= rss=
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" \
      || { cat "$work/err" >&2; echo "failed: $*" >&2; exit 1; }
    read -r t m <"$work/time"
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; rss=$m; fi
  done
  echo "$best $rss"
}

ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -frames:v "$frames" -c:v libx264 -preset fast \
  -bf 3 -b:v 8000k -y "$work/in.h264"
ffmpeg -v error -i "$work/in.h264" -c:v libx265 -preset fast -b:v 6000k -x265-params log-level=error \
  -y "$work/in.h265"

read -r t_ours m_ours < <(measure "$vplrs" transcode "$work/in.h264" --codec h265 --target-usage 4 \
  --bitrate 4000 -o "$work/ours.h265")
copies=$(grep -ho "copies by vplrs: [0-9]* ([0-9.]* per frame)" "$work/out" "$work/err" | head -1 || true)
read -r t_ff m_ff < <(measure ffmpeg -nostdin -v error -i "$work/in.h264" -c:v libx265 -preset medium \
  -b:v 4000k -x265-params log-level=error -y "$work/theirs.h265")
read -r td_ours md_ours < <(measure "$vplrs" decode "$work/in.h265")
read -r td_ff md_ff < <(measure ffmpeg -nostdin -v error -i "$work/in.h265" -f null -)

# Both outputs must hold every frame before their times mean anything.
for f in ours theirs; do
  n=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$work/$f.h265")
  [ "$n" = "$frames" ] || { echo "$f.h265 has $n frames, not $frames" >&2; exit 1; }
done

printf '%-22s %10s %10s %8s %12s %12s %8s\n' job "vplrs s" "ffmpeg s" ratio "vplrs MiB" "ffmpeg MiB" ratio
awk -v to="$t_ours" -v tf="$t_ff" -v mo="$m_ours" -v mf="$m_ff" -v n="$frames" 'BEGIN {
  printf "%-22s %10.2f %10.2f %8.2f %12.1f %12.1f %8.2f\n", "transcode 1080p x" n, to, tf, to / tf, mo / 1024, mf / 1024, mo / mf }'
awk -v to="$td_ours" -v tf="$td_ff" -v mo="$md_ours" -v mf="$md_ff" -v n="$frames" 'BEGIN {
  printf "%-22s %10.2f %10.2f %8.2f %12.1f %12.1f %8.2f\n", "decode HEVC 1080p x" n, to, tf, to / tf, mo / 1024, mf / 1024, mo / mf }'
echo "vplrs transcode: pixel $copies"
