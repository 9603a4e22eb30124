#!/usr/bin/env bash
# VP8 decode speed, single thread: vplrs vs libvpx (vpxdec) vs FFmpeg, in one run on the same
# streams. Streams (720p and 1080p) are made here by vpxenc from vplrs's test pattern. Then thread
# scaling on a 1080p stream with four token partitions (libvpx only decodes such streams with
# threads): vplrs --threads 1/2/3 vs vpxdec --threads=1/2.
# Usage: bench/vp8_decode.sh [frames]   (needs a release build: cargo build --release -p vplrs-cli;
# honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-300}
vplrs=${CARGO_TARGET_DIR:-target}/release/vplrs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

best_of() { # best_of N command... : prints the fastest wall time in seconds of N runs
  local n=$1; shift
  local best=
  for _ in $(seq "$n"); do
    local start end t
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}

printf '%-6s %10s %10s %10s %12s %12s\n' size vplrs vpxdec ffmpeg vplrs/vpxdec vplrs/ffmpeg
for size in 1280x720 1920x1080; do
  y4m=$work/$size.y4m
  ivf=$work/$size.ivf
  "$vplrs" vpp -n "$frames" --input-size "$size" --format i420 -o "$y4m" >/dev/null
  vpxenc --codec=vp8 --ivf -q --good --cpu-used=4 --target-bitrate=4000 --token-parts=0 \
    --threads=1 -o "$ivf" "$y4m" 2>/dev/null
  # The decoders must agree before their times mean anything.
  ours=$("$vplrs" decode "$ivf" --md5 --threads 1 2>/dev/null)
  theirs=$(vpxdec --md5 --i420 "$ivf" | cut -d' ' -f1)
  [ "$ours" = "$theirs" ] || { echo "MD5 mismatch on $size: $ours vs $theirs" >&2; exit 1; }
  t_ours=$(best_of 3 "$vplrs" decode "$ivf" --threads 1 -o /dev/null)
  t_vpx=$(best_of 3 vpxdec --threads=1 --noblit "$ivf")
  t_ff=$(best_of 3 ffmpeg -nostdin -threads 1 -c:v vp8 -i "$ivf" -f null -)
  awk -v s="${size#*x}p" -v o="$t_ours" -v v="$t_vpx" -v f="$t_ff" \
    'BEGIN { printf "%-6s %9.3fs %9.3fs %9.3fs %12.2f %12.2f\n", s, o, v, f, o / v, o / f }'
done

# Thread scaling (wall time; the speed-up is relative to the same decoder with one thread).
size=1920x1080
y4m=$work/$size.y4m
ivf=$work/$size-parts.ivf
[ -f "$y4m" ] || "$vplrs" vpp -n "$frames" --input-size "$size" --format i420 -o "$y4m" >/dev/null
vpxenc --codec=vp8 --ivf -q --good --cpu-used=4 --target-bitrate=4000 --token-parts=2 \
  --threads=1 -o "$ivf" "$y4m" 2>/dev/null
rm -f "$y4m"
theirs=$(vpxdec --md5 --i420 "$ivf" | cut -d' ' -f1)
echo
printf '%-22s %9s %9s\n' "1080p, 4 partitions" time speed-up
t1=
for n in 1 2 3; do
  ours=$("$vplrs" decode "$ivf" --md5 --threads "$n" 2>/dev/null)
  [ "$ours" = "$theirs" ] || { echo "MD5 mismatch with $n threads: $ours vs $theirs" >&2; exit 1; }
  t=$(best_of 3 "$vplrs" decode "$ivf" --threads "$n" -o /dev/null)
  t1=${t1:-$t}
  awk -v n="$n" -v t="$t" -v b="$t1" 'BEGIN { printf "%-22s %8.3fs %9.2f\n", "vplrs --threads " n, t, b / t }'
done
v1=
for n in 1 2; do
  t=$(best_of 3 vpxdec --threads="$n" --noblit "$ivf")
  v1=${v1:-$t}
  awk -v n="$n" -v t="$t" -v b="$v1" 'BEGIN { printf "%-22s %8.3fs %9.2f\n", "vpxdec --threads=" n, t, b / t }'
done
