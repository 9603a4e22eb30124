#!/usr/bin/env bash
# VPP filters at 1080p against the ffmpeg CLI's equivalent filter, one run, alternating ours and
# theirs, best of REPEATS wall times each: `vplrs vpp` (async depth 4) against
# `ffmpeg -vf FILTER -f null -`, both reading the same raw I420 file, with ffmpeg's filter threads
# at 1 and at its default, and vplrs's kernels on one thread (VPLRS_VPP_THREADS=1) and at its
# default (the machine's cores: denoise and detail split a frame across them). Outputs are checked first (rotation and mirroring byte for byte, ProcAmp
# within one code of geq evaluating the formula, denoise and detail byte for byte hqdn3d and
# unsharp, composition within 45 dB of overlay, done by the tests) — here only times count. The
# input carries some noise, for the denoiser.
# Usage: bench/vpp_filters.sh [FRAMES] [REPEATS]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-120}
repeats=${2:-3}
vplrs=$PWD/${CARGO_TARGET_DIR:-target}/release/vplrs
work=$(mktemp -d /tmp/vplrs-vpp-filters.XXXXXX)
trap 'rm -rf "$work"' EXIT
input=$work/in.yuv
ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v "$frames" -vf "noise=alls=8:allf=t" \
  -pix_fmt yuv420p -f rawvideo "$input"
# The stream composed over the input (a quarter of the frame, as a picture-in-picture).
overlay=$work/overlay.y4m
ffmpeg -v error -f lavfi -i smptehdbars=size=960x540:rate=30 -frames:v "$frames" -pix_fmt yuv420p "$overlay"

best() { sort -n | head -1; }
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

printf "%-32s %10s %12s %10s %12s %8s %8s\n" filter vplrs-t1 ffmpeg-t1 vplrs ffmpeg "t1" "default"
run_case() {
  local name=$1 ours=$2 theirs=$3
  local a=() b=() c=() d=()
  for _ in $(seq "$repeats"); do
    # shellcheck disable=SC2086
    a+=("$(seconds env VPLRS_VPP_THREADS=1 "$vplrs" vpp "$input" --input-size 1920x1080 --input-format i420 $ours)")
    # shellcheck disable=SC2086
    d+=("$(seconds "$vplrs" vpp "$input" --input-size 1920x1080 --input-format i420 $ours)")
    b+=("$(seconds ffmpeg -v error -threads 1 -filter_threads 1 -f rawvideo -pix_fmt yuv420p -s 1920x1080 -i "$input" \
      -vf "$theirs" -f null -)")
    c+=("$(seconds ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s 1920x1080 -i "$input" -vf "$theirs" -f null -)")
  done
  local x y z w
  x=$(printf "%s\n" "${a[@]}" | best)
  y=$(printf "%s\n" "${b[@]}" | best)
  z=$(printf "%s\n" "${c[@]}" | best)
  w=$(printf "%s\n" "${d[@]}" | best)
  printf "%-32s %9.3fs %11.3fs %9.3fs %11.3fs %8.2f %8.2f\n" "$name" "$x" "$y" "$w" "$z" "$(echo "$x / $y" | bc -l)" \
    "$(echo "$w / $z" | bc -l)"
}

run_case "rotate 90" "--rotate 90" "transpose=clock"
run_case "rotate 180" "--rotate 180" "hflip,vflip"
run_case "mirror horizontal" "--mirror horizontal" "hflip"
run_case "mirror vertical" "--mirror vertical" "vflip"
run_case "procamp b20 c1.5 h30 s0.8" "--brightness 20 --contrast 1.5 --hue 30 --saturation 0.8" \
  "eq=brightness=0.08:contrast=1.5:saturation=0.8,hue=h=30"
run_case "deinterlace (bob; ffmpeg yadif)" "--deinterlace tff" "yadif=mode=send_frame:parity=tff"
run_case "denoise 40 (hqdn3d=4)" "--denoise 40" "hqdn3d=4"
run_case "detail 50 (unsharp 5x5 luma)" "--detail 50" "unsharp=5:5:1:5:5:0"
# Raw input is 30 fps to vplrs; ffmpeg's rawvideo demuxer says 25, hence the setpts.
run_case "rate 30 -> 60, interpolated" "--fps 60 --interpolate" \
  "setpts=N/(30*TB),framerate=fps=60:interp_start=0:interp_end=255:scene=100"
run_case "compose 960x540 at alpha 128" "--format nv12 --overlay $overlay@960,540,alpha=128" \
  "movie=$overlay,format=yuva420p,colorchannelmixer=aa=0.50196[o];[in][o]overlay=960:540,format=nv12"
echo "($frames frames of 1920x1080 I420; times are wall seconds, best of $repeats; ratios: vplrs / ffmpeg,"
echo " t1: one filter thread each (VPLRS_VPP_THREADS=1, -threads 1 -filter_threads 1), default: each its default)"
