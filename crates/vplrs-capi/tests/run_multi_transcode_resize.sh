#!/usr/bin/env bash
# Runs Intel's sample_multi_transcode (onevpl-tools), unmodified, on libvplrs.so: H.264 -> H.265
# with a resize (-w 768 -h 432), decode -> VPP -> encode in one session, and the same split over
# sessions (a decode session feeding two VPP+encode sessions through -o::sink / -i::source). Each
# configuration runs three times at -async 1 and 4: every output must be the same file (a race
# shows up as a different answer) and reach VPLRS_MIN_PSNR (default 35 dB) against ffmpeg's own
# decode and scale of the input, every frame in order.
#
# Usage: run_multi_transcode_resize.sh LIB_DIR [WORK_DIR]
# Exit status: 0 pass, 1 failure, 77 skipped (ffmpeg or sample_multi_transcode missing).
set -euo pipefail

frames=30
# shellcheck source=samples_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/samples_lib.sh" sample_multi_transcode multi-transcode "$@"

ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v $frames -c:v libx264 -bf 3 -pix_fmt yuv420p \
  -f h264 -y in.h264
ffmpeg -v error -i in.h264 -vf scale=768:432 -pix_fmt yuv420p -f rawvideo -y ref.yuv

# check OUTPUT LABEL: every frame decodes and reaches min_psnr against ref.yuv (frame by frame:
# the minimum counts, so one repeated or skipped frame fails).
check() {
  local out=$1 label=$2 line
  ffmpeg -v error -f hevc -i "$out" -pix_fmt yuv420p -f rawvideo -y out.yuv || fail "$label: undecodable"
  [ "$(stat -c %s out.yuv)" = "$(stat -c %s ref.yuv)" ] || fail "$label: not $frames frames"
  line=$(ffmpeg -hide_banner -f rawvideo -pix_fmt yuv420p -s 768x432 -i out.yuv -f rawvideo -pix_fmt yuv420p \
    -s 768x432 -i ref.yuv -lavfi "[0:v][1:v]psnr" -f null - 2>&1 | grep PSNR | tail -1)
  local min
  min=$(sed -n 's/.*min:\([0-9.inf]*\).*/\1/p' <<<"$line")
  awk -v p="$min" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
    || fail "$label: a frame at $min dB against ffmpeg's decode and scale (< $min_psnr dB)"
  echo "$min"
}

for async in 1 4; do
  # One session: decode -> VPP -> encode.
  first=""
  for run in 1 2 3; do
    sample_multi_transcode -i::h264 in.h264 -o::h265 one.h265 -sw -w 768 -h 432 -async $async >one.txt 2>&1 \
      || { cat one.txt; fail "sample_multi_transcode -async $async run $run"; }
    sum=$(md5sum <one.h265 | cut -d' ' -f1)
    min=$(check one.h265 "one session -async $async run $run")
    [ -z "$first" ] && first=$sum
    [ "$sum" = "$first" ] || fail "one session -async $async: run $run wrote another stream ($sum, not $first)"
  done
  echo "PASS one session -async $async: 3 runs, one stream ($first), min PSNR $min dB"
  # Sessions joined by sink/source: decode in one, VPP + encode in two others.
  cat >split.par <<PAR
-i::h264 in.h264 -o::sink -sw -async $async
-i::source -o::h265 split_a.h265 -sw -async $async -w 768 -h 432
-i::source -o::h265 split_b.h265 -sw -async $async -w 768 -h 432
PAR
  for run in 1 2 3; do
    sample_multi_transcode -par split.par >split.txt 2>&1 || { cat split.txt; fail "split sessions -async $async"; }
    for out in split_a.h265 split_b.h265; do
      min=$(check $out "split sessions -async $async run $run $out")
      [ "$(md5sum <$out | cut -d' ' -f1)" = "$first" ] || fail "split sessions -async $async: $out differs"
    done
  done
  echo "PASS split sessions -async $async: 3 runs x 2 outputs, the one-session stream, min PSNR $min dB"
done
echo "ALL PASSED"
