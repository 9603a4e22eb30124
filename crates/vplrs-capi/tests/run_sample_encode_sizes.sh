#!/usr/bin/env bash
# Runs Intel's sample_encode (onevpl-tools), unmodified, on libvplrs.so at the sizes applications
# use most, whose heights are not multiples of 16 (640x360, 854x480, 1366x768, 1920x1080): it sends
# Width/Height equal to the picture, which Query corrects to the API's 16-aligned allocation, the
# picture kept as the crop. H.264 and H.265, I420 and NV12 input. Every stream must decode with
# ffmpeg to every input frame at VPLRS_MIN_PSNR (default 35 dB) or more against the source. Then
# VPP resizing before the encoder, and the bitrate CBR and VBR reach.
#
# Usage: run_sample_encode_sizes.sh LIB_DIR [WORK_DIR]
# Exit status: 0 pass, 1 failure, 77 skipped (ffmpeg or sample_encode missing).
set -euo pipefail

frames=10
# shellcheck source=samples_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/samples_lib.sh" sample_encode encode-sizes "$@"

# psnr_of DECODED SOURCE SIZE: the average PSNR of two raw I420 files.
psnr_of() {
  ffmpeg -hide_banner -f rawvideo -pix_fmt yuv420p -s "$3" -i "$1" -f rawvideo -pix_fmt yuv420p -s "$3" -i "$2" \
    -lavfi "[0:v][1:v]psnr" -f null - 2>&1 | sed -n 's/.*PSNR.*average:\([0-9.inf]*\).*/\1/p' | tail -1
}

for size in 640x360 854x480 1366x768 1920x1080; do
  width=${size%x*} height=${size#*x}
  ffmpeg -v error -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v $frames -pix_fmt yuv420p -f rawvideo -y src.i420
  ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s "$size" -i src.i420 -pix_fmt nv12 -f rawvideo -y src.nv12
  for codec in h264 h265; do
    format=$([ $codec = h265 ] && echo hevc || echo h264)
    for input in i420 nv12; do
      name="$codec-$size-$input"
      sample_encode $codec -sw -i "src.$input" -"$input" -o "$name.bin" -w "$width" -h "$height" >"$name.txt" 2>&1 \
        || { cat "$name.txt"; fail "sample_encode $name"; }
      ffmpeg -v error -f "$format" -i "$name.bin" -f rawvideo -pix_fmt yuv420p -y "$name.yuv" \
        || fail "$name: ffmpeg cannot decode the stream"
      bytes=$(stat -c %s "$name.yuv")
      [ "$bytes" = "$((width * height * 3 / 2 * frames))" ] || fail "$name: decodes to $bytes bytes, not $frames frames"
      psnr=$(psnr_of "$name.yuv" src.i420 "$size")
      [ -n "$psnr" ] || fail "$name: no PSNR measured"
      awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
        || fail "$name: PSNR $psnr dB against the source is below $min_psnr dB"
      echo "PASS sample_encode $name: $frames frames, PSNR $psnr dB"
    done
  done
done
# With VPP resizing before the encoder (-dstw/-dsth: sample_encode gives VPP's output the input's
# crop, which Query fits to the output frame; each call's surfaces carry the real crops). The
# reference is ffmpeg's own scale of the source, so the bar is the same PSNR.
for case in 640x360:768x432 1280x720:640x352; do
  src=${case%:*} dst=${case#*:}
  ffmpeg -v error -f lavfi -i "testsrc2=size=$src:rate=30" -frames:v $frames -pix_fmt yuv420p -f rawvideo -y src.i420
  ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s "$src" -i src.i420 -vf "scale=${dst%x*}:${dst#*x}" \
    -pix_fmt yuv420p -f rawvideo -y scaled.i420
  name="h264-$src-to-$dst"
  sample_encode h264 -sw -i src.i420 -i420 -o "$name.bin" -w "${src%x*}" -h "${src#*x}" \
    -dstw "${dst%x*}" -dsth "${dst#*x}" >"$name.txt" 2>&1 || { cat "$name.txt"; fail "sample_encode $name"; }
  ffmpeg -v error -f h264 -i "$name.bin" -f rawvideo -pix_fmt yuv420p -y "$name.yuv" || fail "$name: undecodable"
  bytes=$(stat -c %s "$name.yuv")
  [ "$bytes" = "$(stat -c %s scaled.i420)" ] || fail "$name: decodes to $bytes bytes, not $frames frames of $dst"
  psnr=$(psnr_of "$name.yuv" scaled.i420 "$dst")
  awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
    || fail "$name: PSNR $psnr dB against ffmpeg's scale of the source is below $min_psnr dB"
  echo "PASS sample_encode $name: $frames frames, PSNR $psnr dB"
done
# 10-bit input: P010 with the samples in the high bits (-msb10: Shift 1) and in the low bits
# (Shift 0), both read as they are meant.
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=30 -frames:v $frames -pix_fmt yuv420p10le -f rawvideo -y src10.yuv
ffmpeg -v error -f rawvideo -pix_fmt yuv420p10le -s 640x360 -i src10.yuv -pix_fmt p010le -f rawvideo -y msb.p010
# The same samples in the low bits: P010 shifted down by 6 (ffmpeg's p010le holds them high).
python3 -c 'import sys, array; a = array.array("H"); a.frombytes(open(sys.argv[1], "rb").read()); \
open(sys.argv[2], "wb").write(array.array("H", [v >> 6 for v in a]).tobytes())' msb.p010 lsb.p010
for input in msb:-msb10 lsb:; do
  file=${input%%:*}.p010 flag=${input#*:}
  name="h265-p010-${input%%:*}"
  # shellcheck disable=SC2086
  sample_encode h265 -sw -i "$file" -p010 $flag -o "$name.bin" -w 640 -h 360 >"$name.txt" 2>&1 \
    || { cat "$name.txt"; fail "sample_encode $name"; }
  ffmpeg -v error -f hevc -i "$name.bin" -f rawvideo -pix_fmt yuv420p10le -y "$name.yuv" || fail "$name: undecodable"
  psnr=$(ffmpeg -hide_banner -f rawvideo -pix_fmt yuv420p10le -s 640x360 -i "$name.yuv" -f rawvideo \
    -pix_fmt yuv420p10le -s 640x360 -i src10.yuv -lavfi "[0:v][1:v]psnr" -f null - 2>&1 \
    | sed -n 's/.*PSNR.*average:\([0-9.inf]*\).*/\1/p' | tail -1)
  awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
    || fail "$name: PSNR $psnr dB against the source is below $min_psnr dB"
  echo "PASS sample_encode $name: PSNR $psnr dB"
done

# Achieved bitrate: CBR and VBR at 2000 kbps, 720p, on 2 s and 10 s clips, within 15 % (the
# default rate-control buffer is one second of the rate, starting half full).
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 300 -pix_fmt yuv420p -f rawvideo -y clip10.i420
head -c $((1280 * 720 * 3 / 2 * 60)) clip10.i420 >clip2.i420
for seconds in 2 10; do
  for codec in h264 h265; do
    for mode in cbr vbr; do
      name="$codec-$mode-${seconds}s"
      sample_encode $codec -sw -i clip$seconds.i420 -i420 -o "$name.bin" -w 1280 -h 720 -f 30 -$mode -b 2000 \
        >"$name.txt" 2>&1 || { cat "$name.txt"; fail "sample_encode $name"; }
      kbps=$(($(stat -c %s "$name.bin") * 8 / seconds / 1000))
      [ $kbps -ge 1700 ] && [ $kbps -le 2300 ] || fail "$name: $kbps kbps for a 2000 kbps target (beyond 15 %)"
      echo "PASS sample_encode $name: $kbps kbps for 2000"
    done
  done
done
echo "ALL PASSED"
