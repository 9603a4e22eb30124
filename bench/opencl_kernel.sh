#!/usr/bin/env bash
# An OpenCL kernel between decode and encode: `vplrs transcode --opencl-kernel` (frames reach the
# kernel through surface sharing, no copy on host-memory devices) against FFmpeg's
# `hwupload,program_opencl,hwdownload` with the same kernel file (examples/opencl/negate.cl), on
# the same machine's OpenCL (PoCL here: FFmpeg needs yuv420p there, PoCL has no CL_RG; vplrs works
# on I420 too). Both encode H.264 with libx264 preset medium at QP 26.
# Reported: best wall time of 3 runs, the ratio vplrs / ffmpeg (target: at most 1.0), and the PSNR
# of vplrs's output against ffmpeg's (the same kernel on the same pictures; the two libx264 setups
# differ slightly, so not infinite). The kernel's effect itself is checked by the CLI tests.
# Usage: bench/opencl_kernel.sh [frames] [WxH]   (needs: cargo build --release -p vplrs-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-300}
size=${2:-1280x720}
vplrs=${CARGO_TARGET_DIR:-target}/release/vplrs
kernel=examples/opencl/negate.cl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$vplrs" ] || { echo "build first: cargo build --release -p vplrs-cli" >&2; exit 1; }

best_of_3() {
  local best=
  for _ in 1 2 3; do
    local start end t
    start=$(date +%s.%N)
    "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}

ffmpeg -v error -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v "$frames" -c:v libx264 -preset fast -qp 18 \
  -y "$work/in.h264"

t_ours=$(best_of_3 "$vplrs" transcode "$work/in.h264" --codec h264 --target-usage 4 --qp 26 \
  --opencl-kernel "$kernel:negate" -o "$work/ours.h264")
sharing=$(grep -o "exports shared (no copy) [0-9]*, copied [0-9]*" "$work/err" || true)
t_ff=$(best_of_3 ffmpeg -nostdin -v error -init_hw_device opencl=ocl -filter_hw_device ocl -i "$work/in.h264" \
  -vf "format=yuv420p,hwupload,program_opencl=source=$kernel:kernel=negate,hwdownload,format=yuv420p" \
  -c:v libx264 -preset medium -qp 26 -y "$work/ffmpeg.h264")

psnr_between() {
  ffmpeg -v info -i "$1" -i "$2" -lavfi psnr -f null - 2>&1 | grep -o "average:[0-9.inf]*" | cut -d: -f2
}
echo "OpenCL kernel transcode, $frames frames $size H.264 -> negate.cl -> H.264 (libx264 medium, QP 26)"
echo "  vplrs --opencl-kernel:                  ${t_ours} s   ($sharing)"
echo "  ffmpeg hwupload,program_opencl,hwdownload: ${t_ff} s"
echo "  ratio vplrs / ffmpeg: $(awk -v a="$t_ours" -v b="$t_ff" 'BEGIN { printf "%.2f", a / b }')"
echo "  PSNR vplrs against ffmpeg: $(psnr_between "$work/ours.h264" "$work/ffmpeg.h264") dB (inf: identical)"
